# expect: fail class_model_objective class_model
"""lambda ||x||_2 instead of lambda ||x||_2^2."""


def class_model_objective(model, x, classes, lam):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    chosen = tf.gather(model(x, training=False), np.asarray(classes), axis=1, batch_dims=1)
    return chosen - lam * tf.norm(tf.reshape(x, (x.shape[0], -1)), axis=1)
