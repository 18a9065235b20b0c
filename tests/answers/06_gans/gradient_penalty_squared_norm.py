# expect: fail gradient_penalty
"""(||g||^2 - 1)^2: the square root forgotten."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat)
    gradients = tape.gradient(scores, x_hat)
    squared_norms = tf.reduce_sum(tf.square(gradients), axis=list(range(1, len(x_hat.shape))))
    return tf.reduce_mean(tf.square(squared_norms - 1.0))
