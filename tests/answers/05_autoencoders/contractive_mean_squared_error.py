# expect: fail contractive_loss
"""Averages the squared error over the pixels instead of summing it."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, tf.float32)
    n = tf.shape(x)[0]
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    penalty = tf.reduce_sum(tf.reshape(tf.square(tape.batch_jacobian(code, x)), (n, -1)), axis=1)
    error = tf.reduce_sum(tf.reshape(tf.square(x - decoder(code)), (n, -1)), axis=1)
    return error / 784.0 + weight * penalty
