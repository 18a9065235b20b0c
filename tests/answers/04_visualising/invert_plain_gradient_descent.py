# expect: pass
"""Plain gradient descent with a fixed step, from zeros (a step of 0.002 is too slow for the grader's 50 steps)."""


def invert_representation(model, layer, target_features, lam, mu, steps=200, step_size=0.01, beta=2.0, seed=0):
    x = tf.zeros((len(target_features), 28, 28, 1))
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(inversion_loss(model, layer, x, target_features, lam, mu, beta))
        x = x - step_size * tape.gradient(loss, x)
    return x
