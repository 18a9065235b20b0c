# expect: pass
"""A NumPy loop with a mean-reduced loss object (the mean does not change the signs) and
the projection written with np.minimum / np.maximum."""


def targeted_fgsm(model, x, target, eps, alpha, steps):
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    x = np.asarray(x, dtype=np.float32)
    x_adv = x.copy()
    for _ in range(steps):
        current = tf.constant(x_adv)
        with tf.GradientTape() as tape:
            tape.watch(current)
            loss = loss_fn(target, model(current, training=False))
        x_adv = x_adv - alpha * np.sign(tape.gradient(loss, current).numpy())
        x_adv = np.minimum(np.maximum(x_adv, x - eps), x + eps)
        x_adv = np.minimum(np.maximum(x_adv, 0.0), 1.0)
    return x_adv
