# expect: pass
"""Its own gradient steps; the projection written with tf.minimum / tf.maximum."""


def iterative_fgsm(model, x, y, eps, alpha, steps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    x_adv = tf.identity(x)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x_adv)
            loss = keras.losses.sparse_categorical_crossentropy(y, model(x_adv, training=False), from_logits=True)
        x_adv = x_adv + alpha * tf.sign(tape.gradient(loss, x_adv))
        x_adv = tf.minimum(tf.maximum(x_adv, x - eps), x + eps)
        x_adv = tf.minimum(tf.maximum(x_adv, 0.0), 1.0)
    return x_adv
