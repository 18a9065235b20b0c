# expect: pass
"""The gradient of the summed scores (the same per-sample gradients), norm with tf.norm of each flattened sample."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = tf.Variable(epsilon * real + (1 - epsilon) * fake)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(critic(x_hat))
    gradients = tape.gradient(total, x_hat)
    norms = tf.norm(tf.reshape(gradients, [tf.shape(gradients)[0], -1]), axis=1)
    return tf.reduce_mean(tf.square(norms - 1))
