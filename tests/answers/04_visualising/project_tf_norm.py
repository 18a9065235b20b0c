# expect: pass
"""tf.norm of each flattened image."""


def project_to_sphere(x, rho):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    norms = tf.norm(tf.reshape(x, (tf.shape(x)[0], -1)), axis=1)
    return rho * x / tf.reshape(norms, [-1] + [1] * (len(x.shape) - 1))
