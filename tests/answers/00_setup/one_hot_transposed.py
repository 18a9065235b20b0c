# expect: fail one_hot
# says: wrong columns
"""One column per label and one row per class."""


def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)].T
