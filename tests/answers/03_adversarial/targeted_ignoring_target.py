# expect: fail targeted_fgsm
"""An untargeted attack on the model's own predictions; `target` is never used."""


def targeted_fgsm(model, x, target, eps, alpha, steps):
    predicted = np.argmax(np.asarray(model(np.asarray(x, dtype=np.float32))), axis=1)
    return iterative_fgsm(model, x, predicted, eps, alpha, steps)
