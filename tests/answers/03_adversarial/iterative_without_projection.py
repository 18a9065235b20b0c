# expect: fail iterative_fgsm
"""Clips to [0, 1] but never projects back onto the eps-ball: steps * alpha can exceed eps."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    x_adv = tf.convert_to_tensor(x, dtype=tf.float32)
    for _ in range(steps):
        x_adv = fgsm(model, x_adv, y, alpha)
    return x_adv
