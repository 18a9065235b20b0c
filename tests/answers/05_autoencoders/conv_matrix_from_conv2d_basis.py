# expect: pass
"""Column j of A is the convolution of the j-th basis image: built with tf.nn.conv2d."""


def conv_matrix(kernel, input_shape, stride):
    height, width = input_shape
    basis = np.eye(height * width, dtype="float32").reshape(-1, height, width, 1)
    filters = np.asarray(kernel, "float32")[:, :, None, None]
    columns = tf.nn.conv2d(basis, filters, stride, "VALID").numpy().reshape(height * width, -1)
    return columns.T
