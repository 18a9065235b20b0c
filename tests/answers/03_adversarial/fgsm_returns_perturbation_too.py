# expect: fail fgsm
"""Returns ``(x_adv, perturbation)`` to plot both: not an array of adversarial images."""


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    x_adv = tf.clip_by_value(x + eps * tf.sign(tape.gradient(loss, x)), 0.0, 1.0)
    return x_adv, x_adv - x
