# expect: fail universal_perturbation
"""The FGSM perturbation of the first image alone, offered as the universal one (issue 10)."""


def universal_perturbation(model, x, y, eps, step_size=0.01, epochs=10, batch_size=100):
    return fgsm(model, x[:1], y[:1], eps)[0] - np.asarray(x[0])
