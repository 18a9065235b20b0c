# expect: pass
"""fgsm steps, the perturbation delta = x_adv - x clipped to [-eps, eps], then x + delta to [0, 1]."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    x_adv = x
    for _ in range(steps):
        delta = tf.clip_by_value(fgsm(model, x_adv, y, alpha) - x, -eps, eps)
        x_adv = tf.clip_by_value(x + delta, 0.0, 1.0)
    return x_adv
