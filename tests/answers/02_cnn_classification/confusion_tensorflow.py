# expect: pass
"""tf.math.confusion_matrix (rows are the truth, like the notebook's)."""


def confusion_matrix(y_true, y_pred, num_classes):
    return tf.math.confusion_matrix(y_true, y_pred, num_classes=num_classes).numpy()
