# expect: fail style_loss
"""A loop over every layer of the features (the content layer too) instead of the layers of layer_weights."""


def style_loss(features, style_grams, layer_weights):
    terms = []
    for layer, maps in features.items():
        difference = gram_matrix(maps) - tf.convert_to_tensor(style_grams[layer], dtype=tf.float32)
        terms.append(layer_weights.get(layer, 1.0) * tf.reduce_mean(tf.square(difference), axis=[1, 2]))
    return tf.add_n(terms)
