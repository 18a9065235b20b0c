# expect: pass
"""keras.layers.BatchNormalization itself, set to the arguments and read back (allowed: any library is fine)."""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True):
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps, dtype="float64")
    layer.build(x.shape)
    layer.set_weights([gamma, beta, running_mean, running_var])
    out = keras.ops.convert_to_numpy(layer(x, training=training))
    return out, keras.ops.convert_to_numpy(layer.moving_mean), keras.ops.convert_to_numpy(layer.moving_variance)
