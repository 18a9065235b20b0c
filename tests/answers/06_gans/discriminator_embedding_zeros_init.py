# expect: pass
"""Both label embeddings start at zero (a common choice: the nets begin unconditional and learn the label's
effect): wired right, though as built neither output depends on the label yet."""


def build_conditional_generator(latent_dim=LATENT_DIM):
    z = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    h = layers.Concatenate()([z, layers.Embedding(10, 16, embeddings_initializer="zeros")(labels)])
    h = layers.LeakyReLU(0.2)(layers.BatchNormalization()(layers.Dense(7 * 7 * 64)(h)))
    h = layers.Reshape((7, 7, 64))(h)
    h = layers.LeakyReLU(0.2)(layers.BatchNormalization()(layers.Conv2DTranspose(32, 4, strides=2, padding="same")(h)))
    images = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="sigmoid")(h)
    return keras.Model([z, labels], images)


def build_conditional_discriminator():
    images = keras.Input((28, 28, 1))
    labels = keras.Input((), dtype="int32")
    label_plane = layers.Reshape((28, 28, 1))(layers.Embedding(10, 28 * 28, embeddings_initializer="zeros")(labels))
    h = layers.Concatenate()([images, label_plane])
    h = layers.LeakyReLU(0.2)(layers.Conv2D(32, 4, strides=2, padding="same")(h))
    h = layers.LeakyReLU(0.2)(layers.Conv2D(64, 4, strides=2, padding="same")(h))
    return keras.Model([images, labels], layers.Dense(1)(layers.Flatten()(h)))
