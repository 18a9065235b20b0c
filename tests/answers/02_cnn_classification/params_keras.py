# expect: pass
"""Counting by building the Keras layers and asking them."""


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    layer = layers.Conv2D(filters, kernel_size, use_bias=use_bias)
    layer.build((None, kernel_size, kernel_size, in_channels))
    return layer.count_params()


def dense_params(in_features, units, use_bias=True):
    layer = layers.Dense(units, use_bias=use_bias)
    layer.build((None, in_features))
    return layer.count_params()
