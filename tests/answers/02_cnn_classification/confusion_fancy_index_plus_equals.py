# expect: fail confusion_matrix
"""``matrix[y_true, y_pred] += 1``: a repeated (true, pred) pair is counted once."""


def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    matrix[np.asarray(y_true), np.asarray(y_pred)] += 1
    return matrix
