# expect: pass
"""The gradient of the summed scores (the same per-sample gradients), norm with tf.norm over the feature axes."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = tf.Variable(epsilon * real + (1 - epsilon) * fake)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(critic(x_hat))
    gradients = tape.gradient(total, x_hat)
    norms = tf.norm(gradients, axis=list(range(1, len(gradients.shape)))) if len(gradients.shape) > 2 else tf.norm(gradients, axis=1)
    return tf.reduce_mean(tf.square(norms - 1))
