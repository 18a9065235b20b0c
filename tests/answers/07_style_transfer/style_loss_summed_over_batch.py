# expect: fail style_loss
"""One number for the whole batch (the mean over images and entries) instead of one value per image."""


def style_loss(features, style_grams, layer_weights):
    total = 0.0
    for layer, weight in layer_weights.items():
        difference = gram_matrix(features[layer]) - tf.convert_to_tensor(style_grams[layer], dtype=tf.float32)
        total += weight * tf.reduce_mean(tf.square(difference))
    return total
