# expect: fail saturating_generator_loss non_saturating_generator_loss
"""The log(1 - D) / -log D confusion: each function returns the other loss."""


def saturating_generator_loss(fake_logits):
    return ops.mean(ops.softplus(-fake_logits))


def non_saturating_generator_loss(fake_logits):
    return -ops.mean(ops.softplus(fake_logits))
