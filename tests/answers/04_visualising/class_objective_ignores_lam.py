# expect: fail class_model_objective
"""The penalty always weighted 0.1 (the value of the exercise's examples), whatever `lam` says."""


def class_model_objective(model, x, classes, lam):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    chosen = tf.gather(model(x, training=False), np.asarray(classes), axis=1, batch_dims=1)
    return chosen - 0.1 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])
