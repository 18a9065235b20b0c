# expect: pass
"""A CategoricalCrossentropy loss object on one-hot labels (mean over the batch: it scales the
gradient by 1/N, its sign is the same), x as a tf.Variable, the clip as tf.minimum / tf.maximum."""


def fgsm(model, x, y, eps):
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
    x = tf.Variable(tf.cast(x, tf.float32))
    with tf.GradientTape() as tape:
        loss = loss_fn(tf.one_hot(y, 10), model(x, training=False))
    return tf.minimum(tf.maximum(x + eps * tf.sign(tape.gradient(loss, x)), 0.0), 1.0)
