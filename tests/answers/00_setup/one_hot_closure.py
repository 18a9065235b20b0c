# expect: pass
"""one_hot made by a factory: a closure over the identity matrix of the default size."""


def make_one_hot(default_classes):
    identity = np.eye(default_classes, dtype=np.float32)

    def one_hot(labels, num_classes=default_classes):
        table = identity if num_classes == default_classes else np.eye(num_classes, dtype=np.float32)
        return table[np.asarray(labels, dtype=np.int64)]

    return one_hot


one_hot = make_one_hot(10)
