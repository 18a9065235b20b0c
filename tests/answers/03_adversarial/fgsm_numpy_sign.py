# expect: pass
"""The tape's gradient taken to NumPy, then np.sign and np.clip (returns a float32 array)."""


def fgsm(model, x, y, eps):
    x = np.asarray(x, dtype=np.float32)
    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x_tensor), from_logits=True)
    gradient = tape.gradient(loss, x_tensor).numpy()
    return np.clip(x + eps * np.sign(gradient), 0.0, 1.0).astype(np.float32)
