# expect: fail targeted_fgsm
"""Calls iterative_fgsm with the targets as labels: ascends the target's loss, away from it."""


def targeted_fgsm(model, x, target, eps, alpha, steps):
    return iterative_fgsm(model, x, target, eps, alpha, steps)
