# expect: pass
"""Simonyan et al.'s zero start when no start is given, with Adam on a tf.Variable."""


def class_model(model, classes, lam, steps=100, step_size=0.1, seed=0, start=None):
    x = tf.Variable(tf.zeros((len(classes), 28, 28, 1)) if start is None else tf.cast(start, tf.float32))
    optimizer = keras.optimizers.Adam(step_size)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = -tf.reduce_sum(class_model_objective(model, x, classes, lam))
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
    return x.numpy()
