# expect: pass
"""tf.math.squared_difference for the error and an einsum of the batch Jacobian with itself for the penalty."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    jacobian = tape.batch_jacobian(code, x)                       # (N, d, 28, 28, 1)
    flat = tf.reshape(jacobian, (tf.shape(x)[0], tf.shape(code)[1], -1))
    penalty = tf.einsum("ndk,ndk->n", flat, flat)
    errors = tf.math.squared_difference(x, decoder(code))
    reconstruction = tf.reduce_sum(tf.reshape(errors, (tf.shape(x)[0], -1)), axis=1)
    return reconstruction + tf.cast(weight, tf.float32) * penalty
