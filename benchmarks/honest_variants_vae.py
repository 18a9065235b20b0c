"""Week 5's honest variants and mistakes for ``honest_variants.py``: the VAEs of latent 2 and 16, and
the denoising autoencoder (seeds, a wider convolutional autoencoder; clean-input training, a wide
copier and the identity as mistakes).

Honest: the notebook's ``train_vae`` with other seeds, with RMSprop instead of Adam, with one hidden
layer of 500 units each side (Kingma and Welling's size) and keras.io's convolutional VAE, and the
reference measured after every epoch. Mistakes: ``autoencoders_reference.py``'s squared-error,
KL-free and untrained VAEs. Latent 16 carries the negative-ELBO and the prior-sample bars, latent 2
the negative-ELBO bar only (``autograder.checks._autoencoders_artifacts``).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

Variants = dict[str, tuple[str, str, Callable[[], tuple[Any, list]]]]


def artifact_checks() -> Any:
    """The week's artifact-check module (its measures and bars)."""
    return importlib.import_module("autograder.checks._autoencoders_artifacts")


def keras_io_conv_vae(ns: dict, latent_dim: int) -> tuple[Any, Any]:
    """keras.io's convolutional VAE (two stride-2 convolutions, a 16-unit dense layer, transposed
    convolutions back), with logits out and the course's latent size."""
    keras, layers = ns["keras"], ns["layers"]
    image = keras.Input((28, 28, 1))
    h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(image)
    h = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Dense(16, activation="relu")(layers.Flatten()(h))
    encoder = keras.Model(image, [layers.Dense(latent_dim)(h), layers.Dense(latent_dim)(h)], name="encoder")
    z = keras.Input((latent_dim,))
    h = layers.Reshape((7, 7, 64))(layers.Dense(7 * 7 * 64, activation="relu")(z))
    h = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(h)
    return encoder, keras.Model(z, layers.Conv2DTranspose(1, 3, padding="same")(h), name="decoder")


def train_vae(ns: dict, profile: str, seed: int, latent: int, epoch_measures: Callable[..., Any],
              optimizer: str = "adam", hidden: tuple[int, ...] | None = None, conv: bool = False,
              per_epoch: bool = False) -> tuple[Any, list]:
    """The notebook's ``train_vae(latent)`` with the seed, optimiser and architecture as arguments;
    (bundle, per-epoch negative ELBOs when ``per_epoch``)."""
    keras, checks = ns["keras"], artifact_checks()
    ns["runtime"].set_seed(seed)
    if conv:
        parts = keras_io_conv_vae(ns, latent)
    else:
        encoder_options, decoder_options = ({"hidden": hidden}, {"hidden": hidden[::-1]}) if hidden else ({}, {})
        parts = (ns["build_vae_encoder"](latent, **encoder_options), ns["build_vae_decoder"](latent, **decoder_options))
    vae = ns["VAE"](*parts)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3) if optimizer == "adam" else keras.optimizers.RMSprop(1e-3))
    callback = epoch_measures(lambda m: checks.negative_elbo(m.encoder, m.decoder, profile))
    vae.fit(ns["xb_train"], batch_size=ns["VAE_BATCH_SIZE"], epochs=ns["VAE_EPOCHS"], verbose=0,
            callbacks=[callback] if per_epoch else [])
    return ns["models"].bundle_vae(vae.encoder, vae.decoder, name=f"vae_latent{latent}"), callback.records


def vae_variants(ns: dict, profile: str, latent: int, epoch_measures: Callable[..., Any],
                 ae_reference: Any) -> Variants:
    """{name: (honest|mistake, description, train -> (bundle, per-epoch records))}, names ``vae<latent>_*``."""
    seed, tag = ns["SEED"], f"vae{latent}"

    def train(seed: int = seed, **options: Any) -> Callable[[], tuple[Any, list]]:
        return lambda: train_vae(ns, profile, seed, latent, epoch_measures, **options)

    return {
        f"{tag}_reference": ("honest", f"the notebook's train_vae({latent}), SEED {seed}, Adam(1e-3), measured after "
                             "every epoch", train(per_epoch=True)),
        f"{tag}_rmsprop": ("honest", "the notebook's VAE with RMSprop(1e-3)", train(optimizer="rmsprop")),
        f"{tag}_seed_1": ("honest", "the notebook's VAE, seed 1", train(seed=1)),
        f"{tag}_seed_2": ("honest", "the notebook's VAE, seed 2", train(seed=2)),
        f"{tag}_hidden_500": ("honest", "one hidden layer of 500 ReLUs each side (Kingma and Welling's size)",
                              train(hidden=(500,))),
        f"{tag}_keras_io_conv": ("honest", keras_io_conv_vae.__doc__.split(" (")[0], train(conv=True)),
        f"{tag}_squared_error": ("mistake", "autoencoders_reference._train_variant_vae: squared error instead of "
                                 "the Bernoulli log-likelihood", lambda: (ae_reference._train_variant_vae(ns, latent), [])),
        f"{tag}_no_kl": ("mistake", "autoencoders_reference._no_kl_vae: KL term dropped",
                         lambda: (ae_reference._no_kl_vae(ns, latent), [])),
        f"{tag}_untrained": ("mistake", "autoencoders_reference._untrained_vae",
                             lambda: (ae_reference._untrained_vae(ns, latent), [])),
    }


def measure(model: Any, profile: str, latent: int) -> dict:
    """The artifact checks' measures of one saved bundle (prior-sample quality for the prior's latent size)."""
    from course_utils import models

    encoder, decoder = models.vae_parts(model)
    checks = artifact_checks()
    measured = checks.negative_elbo(encoder, decoder, profile)
    if latent == checks.PRIOR_LATENT_DIM:
        measured.update(checks.prior_sample_quality(decoder, latent, profile))
    return measured


def bars(profile: str, latent: int) -> dict:
    """The bars the checks apply now to a VAE of this latent size."""
    checks = artifact_checks()
    found = {"negative_elbo": ["<=", checks.VAE_MAX_NEG_ELBO[latent][profile]]}
    if latent == checks.PRIOR_LATENT_DIM:
        prior = checks.PRIOR_BARS[profile]
        found.update(mean_confidence=[">=", prior.min_confidence], classifier_score=[">=", prior.min_score])
    return found


# --------------------------------------------------------------------------- the denoising autoencoder
def wider_conv_autoencoder(ns: dict) -> Callable[..., tuple[Any, Any, Any]]:
    """A ``build_conv_autoencoder`` a student may write instead: 32 and 64 filters (the notebook's 16 and
    32), the same 3x3 kernels, code layer and contract (encoder, decoder, autoencoder). (With 5x5 kernels
    it collapsed in smoke at the notebook's learning rate 3e-3: a flat training loss of 0.112, the MSE of
    copying the noisy input, which the notebook's own self-check reports.)"""
    keras, layers = ns["keras"], ns["layers"]

    def build(code_size: int, **_: Any) -> tuple[Any, Any, Any]:
        image = keras.Input((28, 28, 1))
        h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(image)
        h = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(h)
        encoder = keras.Model(image, layers.Dense(code_size)(layers.Flatten()(h)))
        code = keras.Input((code_size,))
        h = layers.Reshape((7, 7, 64))(layers.Dense(7 * 7 * 64, activation="relu")(code))
        h = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(h)
        h = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(h)
        decoder = keras.Model(code, layers.Conv2D(1, 3, padding="same", activation="sigmoid")(h))
        return encoder, decoder, keras.Model(image, decoder(encoder(image)))
    return build


def train_denoiser(ns: dict, seed: int | None = None, build: Callable[..., Any] | None = None) -> tuple[Any, list]:
    """The notebook's ``train_denoising()`` (its noise, epochs and optimiser) with another seed or builder."""
    saved = ns["SEED"], ns["build_conv_autoencoder"]
    ns["SEED"], ns["build_conv_autoencoder"] = (saved[0] if seed is None else seed), build or saved[1]
    try:
        return ns["train_denoising"]()[0], []
    finally:
        ns["SEED"], ns["build_conv_autoencoder"] = saved


def denoising_variants(ns: dict, ae_reference: Any) -> Variants:
    """{name: (honest|mistake, description, train -> (model, []))}, names ``denoising_*``."""
    return {
        "denoising_reference": ("honest", f"the notebook's train_denoising(), SEED {ns['SEED']}", lambda: train_denoiser(ns)),
        "denoising_seed_1": ("honest", "the notebook's denoiser, seed 1", lambda: train_denoiser(ns, 1)),
        "denoising_seed_2": ("honest", "the notebook's denoiser, seed 2", lambda: train_denoiser(ns, 2)),
        "denoising_wider": ("honest", "a wider convolutional autoencoder: 32 and 64 filters",
                            lambda: train_denoiser(ns, build=wider_conv_autoencoder(ns))),
        "denoising_clean_inputs": ("mistake", "the same autoencoder trained on clean inputs (no noise)",
                                   lambda: (ns["train_autoencoder"](32, ns["x_train"], ns["x_train"])[0], [])),
        "denoising_wide_copier": ("mistake", "autoencoders_reference._wide_copier: a 1,024-unit code trained to copy",
                                  lambda: (ae_reference._wide_copier(ns), [])),
        "denoising_identity": ("mistake", "the identity (copies its noisy input)", lambda: (ae_reference._identity(ns), [])),
    }
