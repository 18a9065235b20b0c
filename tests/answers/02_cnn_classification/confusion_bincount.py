# expect: pass
"""np.bincount of the flat index true * K + pred."""


def confusion_matrix(y_true, y_pred, num_classes):
    flat = np.asarray(y_true) * num_classes + np.asarray(y_pred)
    return np.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)
