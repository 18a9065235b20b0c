# expect: fail one_hot
"""Dummy coding with the first class dropped (as pandas.get_dummies(drop_first=True)): K - 1 columns."""


def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)][:, 1:]
