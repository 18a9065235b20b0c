# expect: pass
"""np.histogram2d with one bin per class, centred on the integers (float counts)."""


def confusion_matrix(y_true, y_pred, num_classes):
    edges = np.arange(num_classes + 1) - 0.5
    return np.histogram2d(y_true, y_pred, bins=[edges, edges])[0]
