# expect: fail conditioning
# says: do not depend on the label
"""The label is an input of the generator, but what it is embedded to never reaches the images."""


def build_conditional_generator(latent_dim=LATENT_DIM):
    z = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    h = layers.Add()([z, layers.Embedding(10, latent_dim, embeddings_initializer="zeros", trainable=False)(labels)])
    h = layers.Reshape((7, 7, 16))(layers.Dense(7 * 7 * 16, activation="relu")(h))
    images = layers.Conv2DTranspose(1, 4, strides=4, padding="same", activation="sigmoid")(h)
    return keras.Model([z, labels], images)
