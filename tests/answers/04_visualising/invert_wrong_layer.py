# expect: fail invert_representation
"""Off by one in model.layers: the features of the layer after the named one are matched."""


def invert_representation(model, layer, target_features, lam, mu, steps=200, step_size=0.05, beta=2.0, seed=0):
    names = [item.name for item in model.layers]
    deeper = names[names.index(layer) + 1]
    x = tf.Variable(0.01 * np.random.default_rng(seed).normal(size=(len(target_features), 28, 28, 1)).astype("float32"))
    optimizer = keras.optimizers.Adam(step_size)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(inversion_loss(model, deeper, x, target_features, lam, mu, beta))
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
    return x.numpy()
