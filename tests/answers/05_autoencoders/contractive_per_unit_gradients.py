# expect: pass
"""One gradient per code unit (examples are independent, so each row is per example)."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        code = encoder(x)
        units = [code[:, j] for j in range(code.shape[1])]
    penalty = sum(tf.reduce_sum(tf.square(tape.gradient(u, x)), axis=[1, 2, 3]) for u in units)
    error = tf.reduce_sum(tf.square(x - decoder(code)), axis=[1, 2, 3])
    return error + weight * penalty
