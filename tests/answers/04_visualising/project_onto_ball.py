# expect: fail project_to_sphere
"""The projection onto the ball ||x|| <= rho: small images are left as they are."""


def project_to_sphere(x, rho):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    norms = tf.sqrt(tf.reduce_sum(tf.square(x), axis=list(range(1, len(x.shape))), keepdims=True))
    return x * tf.minimum(1.0, rho / norms)
