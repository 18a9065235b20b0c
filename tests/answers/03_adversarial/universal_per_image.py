# expect: fail universal_perturbation
"""One perturbation per image (FGSM's), not one shared by all."""


def universal_perturbation(model, x, y, eps, step_size=0.01, epochs=10, batch_size=100):
    return fgsm(model, x, y, eps) - np.asarray(x)
