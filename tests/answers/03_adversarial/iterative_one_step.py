# expect: fail iterative_fgsm
"""One FGSM step of the whole budget instead of `steps` small ones."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    return fgsm(model, x, y, eps)
