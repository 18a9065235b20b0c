# expect: fail one_hot
"""Columns by rank among the labels seen (np.unique), right only when every class 0..K-1 appears."""


def one_hot(labels, num_classes=10):
    _, ranks = np.unique(np.asarray(labels), return_inverse=True)
    return np.eye(num_classes, dtype=np.float32)[ranks]
