# expect: fail targeted_fgsm
"""``x_adv = x`` without a copy, then ``x_adv -= ...`` in NumPy: the input changes."""


def targeted_fgsm(model, x, target, eps, alpha, steps):
    x_adv = x
    low, high = np.maximum(x - eps, 0.0), np.minimum(x + eps, 1.0)
    for _ in range(steps):
        current = tf.constant(x_adv)
        with tf.GradientTape() as tape:
            tape.watch(current)
            loss = keras.losses.sparse_categorical_crossentropy(target, model(current), from_logits=True)
        x_adv -= alpha * np.sign(tape.gradient(loss, current).numpy())
        np.clip(x_adv, low, high, out=x_adv)
    return x_adv
