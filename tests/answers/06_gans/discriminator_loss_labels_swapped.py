# expect: fail discriminator_loss
"""Real labelled 0 and fake labelled 1."""


def discriminator_loss(real_logits, fake_logits):
    return ops.mean(ops.softplus(real_logits)) + ops.mean(ops.softplus(-fake_logits))
