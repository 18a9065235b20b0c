# expect: pass
"""keras.io's Sampling layer with a SeedGenerator."""


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
