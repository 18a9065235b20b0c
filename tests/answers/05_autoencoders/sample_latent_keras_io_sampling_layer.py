# expect: pass
"""keras.io's VAE (generative/vae.py) way: one Sampling layer, made once at the notebook's top level
and called inside sample_latent, its SeedGenerator unseeded here; the generator's state advances at
every draw, so each call gets fresh noise. It was refused as "could not load your function
(TypeError)": Keras pickles a layer as its archive and looks its class up by name (issue 27)."""


class Sampling(keras.layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator()

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = keras.ops.shape(z_mean)[0]
        dim = keras.ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon


sampler = Sampling()


def sample_latent(mu, log_var):
    return sampler([mu, log_var])
