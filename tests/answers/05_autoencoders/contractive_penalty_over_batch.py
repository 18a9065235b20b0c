# expect: fail contractive_loss
"""The Frobenius penalty summed over the whole batch and added to every example (batch-dependent)."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    jacobian = tape.batch_jacobian(code, x)
    penalty = tf.reduce_sum(tf.square(jacobian))
    reconstruction = tf.reduce_sum(tf.square(x - decoder(code)), axis=[1, 2, 3])
    return reconstruction + weight * penalty
