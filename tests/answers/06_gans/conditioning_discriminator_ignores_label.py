# expect: fail conditioning
"""The discriminator takes the label but multiplies it by zero."""


def build_conditional_discriminator():
    images = keras.Input((28, 28, 1))
    labels = keras.Input((), dtype="int32")
    unused = layers.Flatten()(layers.Embedding(10, 1, embeddings_initializer="zeros", trainable=False)(labels))
    h = layers.Conv2D(16, 4, strides=2, padding="same", activation="relu")(images)
    return keras.Model([images, labels], layers.Add()([layers.Dense(1)(layers.Flatten()(h)), unused]))
