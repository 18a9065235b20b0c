# expect: fail fgsm
"""``x += eps * sign(gradient)`` on the NumPy input, then clipped in place: the caller's images change."""


def fgsm(model, x, y, eps):
    x_tensor = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x_tensor), from_logits=True)
    x += eps * np.sign(tape.gradient(loss, x_tensor).numpy())
    np.clip(x, 0, 1, out=x)
    return x
