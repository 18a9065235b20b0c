# expect: fail contractive_loss
"""Penalises d x_hat / d x, the whole autoencoder's Jacobian."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, tf.float32)
    n = tf.shape(x)[0]
    with tf.GradientTape() as tape:
        tape.watch(x)
        flat = tf.reshape(decoder(encoder(x)), (n, -1))
    jacobian = tape.batch_jacobian(flat, x)
    penalty = tf.reduce_sum(tf.reshape(tf.square(jacobian), (n, -1)), axis=1)
    error = tf.reduce_sum(tf.square(tf.reshape(x, (n, -1)) - flat), axis=1)
    return error + weight * penalty
