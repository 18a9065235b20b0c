# expect: fail sample_latent
"""keras.io's Sampling layer, but a new one (with a new SeedGenerator(1337)) at every call: every call draws
the same eps, where the exercise asks for fresh noise at every call (keras.io makes the layer once)."""


class Sampling(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        mu, log_var = inputs
        eps = keras.random.normal(keras.ops.shape(mu), seed=self.seed_generator)
        return mu + keras.ops.exp(0.5 * log_var) * eps


def sample_latent(mu, log_var):
    return Sampling()([mu, log_var])
