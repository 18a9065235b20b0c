# expect: fail confusion_matrix
# says: rows are the true classes
"""Rows are the predictions and columns the truth."""


def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (np.asarray(y_pred), np.asarray(y_true)), 1)
    return matrix
