# expect: fail contractive_loss
"""Right values, but the Jacobian under tf.stop_gradient: training differentiates only the squared error."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    jacobian = tf.stop_gradient(tape.batch_jacobian(code, x))
    n = tf.shape(x)[0]
    penalty = tf.reduce_sum(tf.square(tf.reshape(jacobian, (n, -1))), axis=1)
    error = tf.reduce_sum(tf.square(tf.reshape(x - decoder(code), (n, -1))), axis=1)
    return error + weight * penalty
