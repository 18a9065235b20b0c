# expect: fail project_to_sphere activation_maximisation
# says: its own norm
"""The norm of the whole batch: the images together, not each, end on the sphere."""


def project_to_sphere(x, rho):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    return rho * x / tf.norm(x)
