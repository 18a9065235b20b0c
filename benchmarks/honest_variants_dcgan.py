"""Week 6's DCGAN generator for ``honest_variants.py``: honest variants and mistakes for its bars
(classifier FID, classifier score, novelty: ``autograder.checks.06_gans.DCGAN_BARS``).

Honest: the notebook's ``GAN`` trained as its ``train_dcgan`` does (``real_batches``, ``GAN_EPOCHS`` x
``STEPS_PER_EPOCH``, ``Adam(LEARNING_RATE, beta_1=0.5)``) with other seeds, with RMSprop instead of
Adam, with keras.io's MNIST DCGAN ("GAN overriding Model.train_step") at the notebook's widths, and
the reference measured after every epoch (a right model stopped at an unlucky epoch). Mistakes: the
degenerate generators of ``gans_bars.py`` (untrained, noise, collapsed onto one digit, the two
memorisers), each failing at least one of the bars; every mistake's failed bars are recorded.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

Variants = dict[str, tuple[str, str, Callable[[], tuple[Any, list]]]]


def keras_io_dcgan(ns: dict) -> tuple[Any, Any]:
    """keras.io's MNIST DCGAN (no BatchNorm, LeakyReLU(0.2) after a dense 7x7 map and two stride-2
    transposed convolutions, a 7x7 output convolution; a discriminator of two stride-2 3x3 convolutions
    and global max pooling), at about the notebook's size (keras.io's 128-filter layers, ~40x its compute):
    generator 64 -> 32 -> 16 maps, discriminator 32 -> 64 filters, logits out as the notebook's contract asks."""
    keras, layers = ns["keras"], ns["layers"]
    generator = keras.Sequential([
        keras.Input((ns["LATENT_DIM"],)),
        layers.Dense(7 * 7 * 64), layers.LeakyReLU(0.2), layers.Reshape((7, 7, 64)),
        layers.Conv2DTranspose(32, 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(16, 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2D(1, 7, padding="same", activation="sigmoid"),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2D(64, 3, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.GlobalMaxPooling2D(), layers.Dense(1),
    ], name="discriminator")
    return generator, discriminator


def train_dcgan(ns: dict, seed: int, epoch_measures: Callable[..., Any], measure: Callable[[Any], dict],
                optimizer: str = "adam", build: Callable[[dict], tuple[Any, Any]] | None = None,
                per_epoch: bool = False) -> tuple[Any, list]:
    """The notebook's ``train_dcgan`` with the seed, optimiser and nets as arguments; (generator, per-epoch
    measures of the generator when ``per_epoch``)."""
    keras, rate = ns["keras"], ns["LEARNING_RATE"]
    ns["SEED"] = seed  # real_batches shuffles with the global SEED
    ns["runtime"].set_seed(seed)
    nets = build(ns) if build else (ns["build_generator"](), ns["build_discriminator"]())
    gan = ns["GAN"](*nets, seed=seed)
    make = (lambda: keras.optimizers.Adam(rate, beta_1=0.5)) if optimizer == "adam" else \
        (lambda: keras.optimizers.RMSprop(rate))
    gan.compile(d_optimizer=make(), g_optimizer=make())
    callback = epoch_measures(lambda m: measure(m.generator))
    gan.fit(ns["real_batches"](ns["x_train"]), epochs=ns["GAN_EPOCHS"], steps_per_epoch=ns["STEPS_PER_EPOCH"],
            shuffle=False, verbose=0, callbacks=[callback] if per_epoch else [])
    return gan.generator, callback.records


def dcgan_variants(ns: dict, gans_bars: Any, epoch_measures: Callable[..., Any],
                   measure: Callable[[Any], dict]) -> Variants:
    """{name: (honest|mistake, description, train -> (generator, per-epoch records))}, names ``dcgan_*``."""
    seed = ns["SEED"]

    def train(seed: int = seed, **options: Any) -> Callable[[], tuple[Any, list]]:
        return lambda: train_dcgan(ns, seed, epoch_measures, measure, **options)

    def mnist(split: str, labels_equal: int | None = None, start: int = 0, count: int | None = None) -> Any:
        images, labels = gans_bars._mnist(split, "all")
        images, labels = images[start:], labels[start:]
        picked = images if labels_equal is None else images[labels == labels_equal]
        return picked[:count]

    return {
        "dcgan_reference": ("honest", f"the notebook's DCGAN, SEED {seed}, Adam(LEARNING_RATE, beta_1=0.5), measured "
                            "after every epoch", train(per_epoch=True)),
        "dcgan_seed_1": ("honest", "the notebook's DCGAN, seed 1", train(seed=1)),
        "dcgan_seed_2": ("honest", "the notebook's DCGAN, seed 2", train(seed=2)),
        "dcgan_rmsprop": ("honest", "the notebook's DCGAN with RMSprop(LEARNING_RATE)", train(optimizer="rmsprop")),
        "dcgan_keras_io": ("honest", keras_io_dcgan.__doc__.split(" (")[0] + " at the notebook's widths, the "
                           "notebook's training loop, measured after every epoch",
                           train(build=keras_io_dcgan, per_epoch=True)),
        "dcgan_untrained": ("mistake", "gans_bars.untrained_generator: the notebook's generator, random weights",
                            lambda: (gans_bars.untrained_generator(), [])),
        "dcgan_noise": ("mistake", "gans_bars.noise_generator: sigmoid of a random dense layer",
                        lambda: (gans_bars.noise_generator(), [])),
        "dcgan_collapsed_held_out_ones": ("mistake", "gans_bars.replaying_generator of held-out test 1s (one digit)",
                                          lambda: (gans_bars.replaying_generator(mnist("test", 1, start=5000)), [])),
        "dcgan_memoriser_2000_training_images": (
            "mistake", "gans_bars.replaying_generator of 2,000 training images",
            lambda: (gans_bars.replaying_generator(mnist("train", count=2000)), [])),
        "dcgan_memoriser_training_ones": ("mistake", "gans_bars.replaying_generator of 2,000 training 1s",
                                          lambda: (gans_bars.replaying_generator(mnist("train", 1, count=2000)), [])),
    }


def bars(profile: str) -> dict:
    """The bars ``judge_dcgan`` applies now."""
    found = importlib.import_module("autograder.checks.06_gans").DCGAN_BARS[profile]
    return {"fid": ["<=", found.max_fid], "score": [">=", found.min_score], "novelty": [">=", found.min_novelty]}
