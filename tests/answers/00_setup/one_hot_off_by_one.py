# expect: fail one_hot
# says: wrong columns
"""Labels treated as 1-based: the 1 lands one column to the left."""


def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels) - 1]
