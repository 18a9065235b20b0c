# expect: pass
"""tape.jacobian of the whole batch, then the per-example diagonal blocks."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, tf.float32)
    n = tf.shape(x)[0]
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    jacobian = tf.reshape(tape.jacobian(code, x), (n, code.shape[1], n, -1))  # every example by every example
    per_example = tf.linalg.diag_part(tf.transpose(jacobian, (1, 3, 0, 2)))  # (d, 784, N)
    penalty = tf.reduce_sum(tf.square(per_example), axis=[0, 1])
    error = tf.reduce_sum(tf.reshape(tf.square(x - decoder(code)), (n, -1)), axis=1)
    return error + weight * penalty
