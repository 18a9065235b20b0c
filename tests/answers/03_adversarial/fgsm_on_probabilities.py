# expect: fail fgsm
"""Treats the logits as probabilities (from_logits=False)."""


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=False)
    return tf.clip_by_value(x + eps * tf.sign(tape.gradient(loss, x)), 0, 1)
