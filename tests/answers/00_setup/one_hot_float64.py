# expect: fail one_hot
"""Right values in float64 (np.eye's default)."""


def one_hot(labels, num_classes=10):
    return np.eye(num_classes)[np.asarray(labels)]
