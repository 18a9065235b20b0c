# expect: fail universal_perturbation
"""Random sign noise of the full budget: within eps, but not adversarial."""


def universal_perturbation(model, x, y, eps, step_size=0.01, epochs=10, batch_size=100):
    return eps * np.sign(np.random.default_rng(0).normal(size=(28, 28, 1)))
