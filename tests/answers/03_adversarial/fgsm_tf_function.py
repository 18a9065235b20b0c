# expect: pass
"""The gradient computed in a tf.function (traced once per model), the step outside it."""


@tf.function
def input_gradient(model, x, y):
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x, training=False), from_logits=True)
    return tape.gradient(loss, x)


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    return tf.clip_by_value(x + eps * tf.sign(input_gradient(model, x, tf.convert_to_tensor(y))), 0.0, 1.0)
