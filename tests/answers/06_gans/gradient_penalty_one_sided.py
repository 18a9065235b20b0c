# expect: fail gradient_penalty
"""The one-sided penalty max(0, ||g|| - 1)^2 (Gulrajani et al. mention it): norms below 1 go unpunished."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat, training=True)
    gradients = tape.gradient(scores, x_hat)
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=list(range(1, len(x_hat.shape)))) + 1e-12)
    return tf.reduce_mean(tf.square(tf.maximum(norms - 1.0, 0.0)))
