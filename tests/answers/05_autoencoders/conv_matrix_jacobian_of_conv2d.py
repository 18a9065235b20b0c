# expect: pass
"""A as the Jacobian of tf.nn.conv2d with respect to its input (the convolution is linear), via GradientTape.jacobian."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel, dtype="float64")
    h, w = input_shape
    x = tf.zeros((1, h, w, 1), dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.conv2d(x, tf.constant(kernel[:, :, None, None]), stride, "VALID")
        flat_y = tf.reshape(y, (-1,))
    jacobian = tape.jacobian(flat_y, x)                      # (H_out * W_out, 1, H, W, 1)
    return tf.reshape(jacobian, (-1, h * w)).numpy()
