# expect: pass
"""keras.io's conditional-GAN style: z multiplied by the label embedding; the discriminator adds a dense label map."""


def build_conditional_generator(latent_dim=LATENT_DIM):
    z = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    h = layers.Multiply()([z, layers.Embedding(10, latent_dim)(labels)])
    h = layers.Reshape((7, 7, 16))(layers.Dense(7 * 7 * 16, activation="relu")(h))
    images = layers.Conv2DTranspose(1, 4, strides=4, padding="same", activation="sigmoid")(h)
    return keras.Model([z, labels], images)


def build_conditional_discriminator():
    images = keras.Input((28, 28, 1))
    labels = keras.Input((), dtype="int32")
    label_map = layers.Reshape((28, 28, 1))(layers.Dense(784)(layers.CategoryEncoding(10, output_mode="one_hot")(labels)))
    h = layers.Conv2D(16, 4, strides=2, padding="same", activation="relu")(layers.Concatenate()([images, label_map]))
    return keras.Model([images, labels], layers.Dense(1)(layers.Flatten()(h)))
