# expect: fail gradient_penalty
"""The penalty at the real samples only (no interpolation)."""


def gradient_penalty(critic, real, fake, epsilon):
    with tf.GradientTape() as tape:
        tape.watch(real)
        scores = critic(real)
    gradients = tape.gradient(scores, real)
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=list(range(1, len(real.shape)))))
    return tf.reduce_mean(tf.square(norms - 1.0))
