# expect: pass
"""The norm of each flattened gradient with keras.ops, inside the notebook's GradientTape."""


def gradient_penalty(critic, real, fake, epsilon):
    x_hat = fake + epsilon * (real - fake)
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat)
    gradients = tape.gradient(scores, x_hat)
    norms = ops.norm(ops.reshape(gradients, (ops.shape(gradients)[0], -1)), axis=1)
    return ops.mean((norms - 1.0) ** 2)
