# expect: fail class_model_objective class_model
"""The largest logit instead of the logit of class c."""


def class_model_objective(model, x, classes, lam):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    return tf.reduce_max(model(x, training=False), axis=1) - lam * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])
