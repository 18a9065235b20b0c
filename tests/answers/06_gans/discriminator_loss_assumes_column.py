# expect: fail discriminator_loss
"""Takes column 0 of the logits, as if they were always (N, 1): logits of shape (N,) break it."""


def discriminator_loss(real_logits, fake_logits):
    return ops.mean(ops.softplus(-real_logits[:, 0])) + ops.mean(ops.softplus(fake_logits[:, 0]))
