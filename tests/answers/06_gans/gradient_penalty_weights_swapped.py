# expect: fail gradient_penalty
"""x_hat = epsilon * fake + (1 - epsilon) * real: the interpolation weights the other way round."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = epsilon * fake + (1.0 - epsilon) * real
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat)
    gradients = tape.gradient(scores, x_hat)
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=list(range(1, len(x_hat.shape)))))
    return tf.reduce_mean(tf.square(norms - 1.0))
