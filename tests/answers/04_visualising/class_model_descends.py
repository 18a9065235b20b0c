# expect: fail class_model
# says: ascend f(x)_c
"""Gradient *descent* on the objective: the class score is pushed down."""


def class_model(model, classes, lam, steps=100, step_size=0.5, seed=0):
    x = tf.convert_to_tensor(0.01 * np.random.default_rng(seed).normal(size=(len(classes), 28, 28, 1)), tf.float32)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            objective = tf.reduce_sum(class_model_objective(model, x, classes, lam))
        x = x - step_size * tape.gradient(objective, x)
    return x
