# expect: fail class_model_objective class_model
"""The penalty with the wrong sign: + lambda ||x||^2."""


def class_model_objective(model, x, classes, lam):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    chosen = tf.gather(model(x, training=False), np.asarray(classes), axis=1, batch_dims=1)
    return chosen + lam * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])
