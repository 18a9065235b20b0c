# expect: pass
"""The step written with keras.ops (sign, clip) on the tape's gradient."""


def fgsm(model, x, y, eps):
    x = tf.convert_to_tensor(x, dtype="float32")
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.ops.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    return keras.ops.clip(x + eps * keras.ops.sign(tape.gradient(loss, x)), 0.0, 1.0)
