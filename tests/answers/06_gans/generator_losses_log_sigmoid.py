# expect: pass
"""keras.ops.log_sigmoid, which is stable: log(1 - sigmoid(l)) = log_sigmoid(-l)."""


def saturating_generator_loss(fake_logits):
    return ops.mean(ops.log_sigmoid(-fake_logits))


def non_saturating_generator_loss(fake_logits):
    return -ops.mean(ops.log_sigmoid(fake_logits))
