# expect: fail fgsm
# says: clip them
"""No clip to [0, 1]: pixels of 0 or 1 step out of the valid range."""


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    return x + eps * tf.sign(tape.gradient(loss, x))
