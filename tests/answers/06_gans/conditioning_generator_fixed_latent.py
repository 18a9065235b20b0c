# expect: fail conditioning
"""The generator's input size is LATENT_DIM whatever latent_dim it is given."""


def build_conditional_generator(latent_dim=LATENT_DIM):
    z = keras.Input((LATENT_DIM,))
    labels = keras.Input((), dtype="int32")
    h = layers.Concatenate()([z, layers.Embedding(10, 16)(labels)])
    h = layers.LeakyReLU(0.2)(layers.BatchNormalization()(layers.Dense(7 * 7 * 64)(h)))
    h = layers.Reshape((7, 7, 64))(h)
    h = layers.LeakyReLU(0.2)(layers.BatchNormalization()(layers.Conv2DTranspose(32, 4, strides=2, padding="same")(h)))
    images = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="sigmoid")(h)
    return keras.Model([z, labels], images)
