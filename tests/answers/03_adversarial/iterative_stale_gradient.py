# expect: fail iterative_fgsm
"""Never recomputes the gradient: the sign of the first one, `steps` times."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    direction = tf.sign(tape.gradient(loss, x))
    x_adv = x
    for _ in range(steps):
        x_adv = tf.clip_by_value(tf.clip_by_value(x_adv + alpha * direction, x - eps, x + eps), 0.0, 1.0)
    return x_adv
