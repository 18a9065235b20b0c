# expect: fail confusion_matrix
"""np.histogram2d's whole return value (counts, x edges, y edges) instead of the counts alone."""


def confusion_matrix(y_true, y_pred, num_classes):
    edges = np.arange(num_classes + 1) - 0.5
    return np.histogram2d(y_true, y_pred, bins=[edges, edges])
