# expect: pass
"""keras.io's Sampling layer, made at each call with an unseeded SeedGenerator: a fresh seed, so fresh noise."""


class Sampling(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator()

    def call(self, inputs):
        mu, log_var = inputs
        eps = keras.random.normal(keras.ops.shape(mu), seed=self.seed_generator)
        return mu + keras.ops.exp(0.5 * log_var) * eps


def sample_latent(mu, log_var):
    return Sampling()([mu, log_var])
