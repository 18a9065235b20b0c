# expect: pass
"""A broadcast comparison with arange(num_classes)."""


def one_hot(labels, num_classes=10):
    return (np.asarray(labels)[:, None] == np.arange(num_classes)).astype(np.float32)
