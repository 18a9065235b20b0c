# expect: fail contractive_loss
# says: encoder's
"""Penalises the decoder's Jacobian d x_hat / d code instead of the encoder's."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, tf.float32)
    code = encoder(x)
    with tf.GradientTape() as tape:
        tape.watch(code)
        reconstruction = decoder(code)
    jacobian = tape.batch_jacobian(reconstruction, code)
    n = tf.shape(x)[0]
    penalty = tf.reduce_sum(tf.reshape(tf.square(jacobian), (n, -1)), axis=1)
    error = tf.reduce_sum(tf.reshape(tf.square(x - reconstruction), (n, -1)), axis=1)
    return error + weight * penalty
