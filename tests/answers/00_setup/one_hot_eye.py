# expect: pass
"""Rows of the identity matrix, indexed by the labels."""


def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)]
