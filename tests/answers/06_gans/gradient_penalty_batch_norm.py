# expect: fail gradient_penalty
"""One norm over the whole batch's gradient instead of one per sample."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat)
    return tf.square(tf.norm(tape.gradient(scores, x_hat)) - 1.0)
