# expect: pass
"""A NumPy loop: the gradient from the tape, one np.clip to the intersection of the eps-ball and [0, 1]."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    x = np.asarray(x, dtype=np.float32)
    low, high = np.maximum(x - eps, 0.0), np.minimum(x + eps, 1.0)
    x_adv = x.copy()
    for _ in range(steps):
        current = tf.constant(x_adv)
        with tf.GradientTape() as tape:
            tape.watch(current)
            loss = keras.losses.sparse_categorical_crossentropy(y, model(current), from_logits=True)
        x_adv = np.clip(x_adv + alpha * np.sign(tape.gradient(loss, current).numpy()), low, high)
    return x_adv
