# expect: fail conditioning
"""The discriminator's logits squeezed to (N,) instead of (N, 1)."""


def build_conditional_discriminator():
    images = keras.Input((28, 28, 1))
    labels = keras.Input((), dtype="int32")
    label_plane = layers.Reshape((28, 28, 1))(layers.Embedding(10, 784)(labels))
    h = layers.Conv2D(16, 4, strides=2, padding="same", activation="relu")(layers.Concatenate()([images, label_plane]))
    return keras.Model([images, labels], layers.Reshape(())(layers.Dense(1)(layers.Flatten()(h))))
