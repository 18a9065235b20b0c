# expect: fail universal_perturbation
"""40 iterative steps on the first image alone: stronger on it, still not universal."""


def universal_perturbation(model, x, y, eps, step_size=0.01, epochs=10, batch_size=100):
    return iterative_fgsm(model, x[:1], y[:1], eps, 0.01, 40)[0] - np.asarray(x[0])
