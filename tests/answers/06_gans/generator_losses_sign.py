# expect: fail saturating_generator_loss non_saturating_generator_loss
"""The discriminator's view: what G maximises returned as its loss."""


def saturating_generator_loss(fake_logits):
    return ops.mean(ops.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits):
    return -ops.mean(ops.softplus(-fake_logits))
