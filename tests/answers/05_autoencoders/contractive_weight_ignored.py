# expect: fail contractive_loss
"""Adds the penalty unweighted: weight never used."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    jacobian = tape.batch_jacobian(code, x)
    penalty = tf.reduce_sum(tf.square(tf.reshape(jacobian, (tf.shape(x)[0], -1))), axis=1)
    error = tf.reduce_sum(tf.square(tf.reshape(x - decoder(code), (tf.shape(x)[0], -1))), axis=1)
    return error + penalty
