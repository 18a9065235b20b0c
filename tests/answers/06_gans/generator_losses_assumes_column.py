# expect: fail saturating_generator_loss non_saturating_generator_loss
"""Takes column 0 of the logits, as if they were always (N, 1): logits of shape (N,) break both losses."""


def saturating_generator_loss(fake_logits):
    return -ops.mean(ops.softplus(fake_logits[:, 0]))


def non_saturating_generator_loss(fake_logits):
    return ops.mean(ops.softplus(-fake_logits[:, 0]))
