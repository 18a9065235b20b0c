# expect: fail class_model
"""One step too many (a loop that updates before it tests the count): steps=0 still moves."""


def class_model(model, classes, lam, steps=100, step_size=0.5, seed=0, start=None):
    classes = np.asarray(classes)
    if start is None:
        start = 0.01 * np.random.default_rng(seed).normal(size=(len(classes), 28, 28, 1))
    x = tf.convert_to_tensor(start, dtype=tf.float32)
    for _ in range(steps + 1):
        with tf.GradientTape() as tape:
            tape.watch(x)
            objective = tf.reduce_sum(class_model_objective(model, x, classes, lam))
        x = x + step_size * tape.gradient(objective, x)
    return x
