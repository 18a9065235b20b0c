# expect: pass
"""A helper per layer with tf.math.squared_difference, summed with tf.add_n; targets of (1, C, C) broadcast."""


def _layer_style_term(maps, target):
    gram = gram_matrix(maps)
    return tf.reduce_mean(tf.math.squared_difference(gram, tf.cast(target, gram.dtype)), axis=[-2, -1])


def style_loss(features, style_grams, layer_weights):
    return tf.add_n([float(weight) * _layer_style_term(features[layer], style_grams[layer])
                     for layer, weight in layer_weights.items()])
