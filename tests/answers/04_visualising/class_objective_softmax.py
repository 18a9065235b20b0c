# expect: fail class_model_objective class_model
"""The softmax probability of class c instead of its logit."""


def class_model_objective(model, x, classes, lam):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    probabilities = tf.nn.softmax(model(x, training=False))
    chosen = tf.gather(probabilities, np.asarray(classes), axis=1, batch_dims=1)
    return chosen - lam * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])
