# expect: pass
"""keras.ops and a one-hot mask."""


def class_model_objective(model, x, classes, lam):
    x = keras.ops.convert_to_tensor(x, dtype="float32")
    chosen = keras.ops.sum(model(x) * keras.ops.one_hot(classes, 10), axis=1)
    return chosen - lam * keras.ops.sum(keras.ops.square(keras.ops.reshape(x, (x.shape[0], -1))), axis=1)
