# expect: pass
"""The whole loss as a tf.function (as the notebook's training step calls it): still differentiable."""


@tf.function
def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    jacobian = tape.batch_jacobian(code, x)
    penalty = tf.reduce_sum(tf.square(jacobian), axis=[1, 2, 3, 4])
    error = tf.reduce_sum(tf.square(x - decoder(code)), axis=[1, 2, 3])
    return error + weight * penalty
