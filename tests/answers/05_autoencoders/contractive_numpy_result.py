# expect: fail contractive_loss
"""Right values, but computed and returned in NumPy: training cannot differentiate the loss."""


def contractive_loss(encoder, decoder, x, weight):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        code = encoder(x)
    jacobian = np.asarray(tape.batch_jacobian(code, x))
    rebuilt = np.asarray(decoder(code))
    n = jacobian.shape[0]
    errors = np.sum((np.asarray(x) - rebuilt).reshape(n, -1) ** 2, axis=1)
    return (errors + weight * np.sum(jacobian.reshape(n, -1) ** 2, axis=1)).astype("float32")
