# expect: fail gradient_penalty
"""The norm taken over the last (channel) axis only: one norm per pixel, not one per sample."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat, training=True)
    gradients = tape.gradient(scores, x_hat)
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=-1) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))
