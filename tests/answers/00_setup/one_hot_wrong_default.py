# expect: fail one_hot
"""Without num_classes, the number of classes is guessed from the labels instead of the default 10."""


def one_hot(labels, num_classes=None):
    labels = np.asarray(labels)
    return np.eye(num_classes or int(labels.max()) + 1, dtype=np.float32)[labels]
