# expect: fail one_hot
"""As many columns as the largest label seen, plus one, whatever num_classes says."""


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels)
    return np.eye(int(labels.max()) + 1, dtype=np.float32)[labels]
