# expect: fail iterative_fgsm
"""``x_adv = x`` without a copy, then NumPy updates in place: the input changes, and the
eps-ball moves with it."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    x_adv = x
    for _ in range(steps):
        current = tf.constant(x_adv)
        with tf.GradientTape() as tape:
            tape.watch(current)
            loss = keras.losses.sparse_categorical_crossentropy(y, model(current), from_logits=True)
        x_adv += alpha * np.sign(tape.gradient(loss, current).numpy())
        np.clip(x_adv, np.maximum(x - eps, 0), np.minimum(x + eps, 1), out=x_adv)
    return x_adv
