# expect: fail confusion_matrix
"""The size taken from the largest label seen instead of num_classes."""


def confusion_matrix(y_true, y_pred, num_classes):
    k = int(max(np.max(y_true), np.max(y_pred))) + 1
    matrix = np.zeros((k, k), dtype=int)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix
