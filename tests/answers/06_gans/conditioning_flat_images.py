# expect: fail conditioning
"""The generator returns flat (N, 784) vectors instead of (N, 28, 28, 1) images."""


def build_conditional_generator(latent_dim=LATENT_DIM):
    z = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    h = layers.Concatenate()([z, layers.Embedding(10, 16)(labels)])
    return keras.Model([z, labels], layers.Dense(784, activation="sigmoid")(h))
