# expect: fail conditioning
"""The discriminator ends with a sigmoid: it returns probabilities where the losses expect logits."""


def build_conditional_discriminator():
    images = keras.Input((28, 28, 1))
    labels = keras.Input((), dtype="int32")
    label_plane = layers.Reshape((28, 28, 1))(layers.Embedding(10, 28 * 28)(labels))
    h = layers.Concatenate()([images, label_plane])
    h = layers.LeakyReLU(0.2)(layers.Conv2D(32, 4, strides=2, padding="same")(h))
    h = layers.LeakyReLU(0.2)(layers.Conv2D(64, 4, strides=2, padding="same")(h))
    return keras.Model([images, labels], layers.Dense(1, activation="sigmoid")(layers.Flatten()(h)))
