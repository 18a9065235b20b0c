# expect: fail confusion_matrix
"""Rows normalised to sum to 1 (a rate, not counts)."""


def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes))
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
