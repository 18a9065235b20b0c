# expect: fail fgsm
# says: ascend the loss
"""x - eps * sign(gradient): descends the true label's loss, the model grows more confident."""


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    return tf.clip_by_value(x - eps * tf.sign(tape.gradient(loss, x)), 0.0, 1.0)
