# expect: fail iterative_fgsm
"""Returns ``(x_adv, x_adv - x)`` to plot the perturbation too."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    x_adv = x
    for _ in range(steps):
        x_adv = fgsm(model, x_adv, y, alpha)
        x_adv = tf.clip_by_value(tf.clip_by_value(x_adv, x - eps, x + eps), 0.0, 1.0)
    return x_adv, x_adv - x
