# expect: pass
"""A class defined in the notebook does the encoding; one_hot builds one and calls it."""


class OneHotEncoder:
    def __init__(self, num_classes):
        self.num_classes = num_classes

    def __call__(self, labels):
        labels = np.asarray(labels, dtype=np.int64)
        encoded = np.zeros((labels.size, self.num_classes), dtype=np.float32)
        encoded[np.arange(labels.size), labels] = 1
        return encoded


def one_hot(labels, num_classes=10):
    return OneHotEncoder(num_classes)(labels)
