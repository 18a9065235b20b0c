# expect: fail one_hot
"""Right values in an integer array."""


def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.int64)[np.asarray(labels)]
