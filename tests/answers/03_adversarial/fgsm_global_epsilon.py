# expect: fail fgsm
"""Uses the notebook's global ``epsilon = 0.05`` (the linearity demo) instead of its ``eps``
argument: every call moves the pixels by 0.05, even at eps = 0."""

epsilon = 0.05  # as the notebook's earlier cell leaves it


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    return tf.clip_by_value(x + epsilon * tf.sign(tape.gradient(loss, x)), 0.0, 1.0)
