# expect: fail contractive_loss
"""tape.gradient of the summed code: one vector per example, not the Jacobian."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, tf.float32)
    n = tf.shape(x)[0]
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    penalty = tf.reduce_sum(tf.reshape(tf.square(tape.gradient(code, x)), (n, -1)), axis=1)
    error = tf.reduce_sum(tf.reshape(tf.square(x - decoder(code)), (n, -1)), axis=1)
    return error + weight * penalty
