# expect: fail style_loss
"""The layer weights divided by their sum (a weighted average), which changes the loss unless they sum to 1."""


def style_loss(features, style_grams, layer_weights):
    total = sum(layer_weights.values())
    terms = []
    for layer, weight in layer_weights.items():
        difference = gram_matrix(features[layer]) - tf.convert_to_tensor(style_grams[layer], dtype=tf.float32)
        terms.append(weight / total * tf.reduce_mean(tf.square(difference), axis=[1, 2]))
    return tf.add_n(terms)
