# expect: fail confusion_matrix
"""Classes indexed by rank among the labels seen (np.unique): shifted when a class is absent."""


def confusion_matrix(y_true, y_pred, num_classes):
    _, ranks = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    true_rank, pred_rank = ranks[:len(y_true)], ranks[len(y_true):]
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (true_rank, pred_rank), 1)
    return matrix
