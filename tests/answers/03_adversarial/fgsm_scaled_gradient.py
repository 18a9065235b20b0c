# expect: fail fgsm
# says: use the sign
"""The gradient scaled so that its average entry moves by eps: larger entries go beyond eps."""


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    gradient = tape.gradient(loss, x)
    gradient = gradient / tf.reduce_mean(tf.abs(gradient), axis=(1, 2, 3), keepdims=True)
    return tf.clip_by_value(x + eps * gradient, 0.0, 1.0)
