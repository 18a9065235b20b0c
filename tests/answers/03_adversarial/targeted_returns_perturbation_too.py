# expect: fail targeted_fgsm
"""Returns ``(x_adv, x_adv - x)`` to plot the perturbation too."""


def targeted_fgsm(model, x, target, eps, alpha, steps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    x_adv = x
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x_adv)
            loss = keras.losses.sparse_categorical_crossentropy(target, model(x_adv), from_logits=True)
        x_adv = x_adv - alpha * tf.sign(tape.gradient(loss, x_adv))
        x_adv = tf.clip_by_value(tf.clip_by_value(x_adv, x - eps, x + eps), 0.0, 1.0)
    return x_adv, x_adv - x
