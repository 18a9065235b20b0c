# expect: fail gradient_penalty
"""The norm written as ||g||^2 / ||g||: right wherever the critic has a slope, 0 / 0 = NaN where it is flat."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat, training=True)
    gradients = tape.gradient(scores, x_hat)
    squared = tf.reduce_sum(tf.square(gradients), axis=list(range(1, len(x_hat.shape))))
    norms = squared / tf.sqrt(squared)
    return tf.reduce_mean(tf.square(norms - 1.0))
