# expect: fail discriminator_loss
"""One mean over the real and fake terms together: half the loss, and wrong for unequal batches."""


def discriminator_loss(real_logits, fake_logits):
    terms = ops.concatenate([ops.reshape(ops.softplus(-real_logits), (-1,)), ops.reshape(ops.softplus(fake_logits), (-1,))])
    return ops.mean(terms)
