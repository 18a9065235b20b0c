# expect: fail discriminator_loss
"""V(D, G) itself, which D maximises, returned as the loss to minimise."""


def discriminator_loss(real_logits, fake_logits):
    return -(ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits)))
