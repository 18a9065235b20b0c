"""Small reference models, and rebuilding them from plain arrays of weights.

Why: a model cannot cross from the grader into a student's sandbox as a Python
object, only as arrays. The grader sends a model's weights by name; a hidden
test cell rebuilds the model with :func:`classifier_from_weights` and hands it
to the student's attack. The same builders give the adversarial-examples
notebook its reference CNN. These are tools, not answers: no exercise asks for
them. For the autoencoder week: a dense autoencoder rebuilt from weights, the
gradients of a sampler, a linear-Gaussian toy model whose log p(x) is known in
closed form, and a VAE's encoder and decoder bundled into one loadable file. For the
GAN week: a network's trainable weights made random, to judge its wiring.

Every model here takes images ``x: (N, 28, 28, 1)`` float32 with pixel values
in ``[0, 1]`` (channels last) and returns ``(N, num_classes)`` **logits**
(no softmax), so attacks use ``from_logits=True`` losses.

Weights dictionaries use these names:

- linear softmax model: ``kernel`` ``(784, K)`` and ``bias`` ``(K,)``;
- small CNN: ``conv1_kernel`` ``(3, 3, 1, F1)``, ``conv1_bias`` ``(F1,)``,
  ``conv2_kernel`` ``(3, 3, F1, F2)``, ``conv2_bias`` ``(F2,)``,
  ``logits_kernel`` ``(5 * 5 * F2, K)``, ``logits_bias`` ``(K,)``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

__all__ = [
    "IMAGE_SHAPE",
    "build_linear_classifier",
    "build_small_cnn",
    "small_cnn_weights",
    "classifier_from_weights",
    "with_classifier",
    "run_train_steps",
    "feature_extractor",
    "value_and_input_gradient",
    "random_small_cnn",
    "dense_autoencoder_from_weights",
    "value_and_gradients",
    "linear_gaussian_log_likelihood",
    "bundle_vae",
    "vae_parts",
    "linear_gaussian_toy",
    "randomise_trainable_weights",
]

IMAGE_SHAPE = (28, 28, 1)
_LINEAR_KEYS = {"kernel", "bias"}
_CNN_LAYERS = ("conv1", "conv2", "logits")


def build_linear_classifier(kernel: Any, bias: Any) -> Any:
    """A linear softmax classifier ``logits = flatten(x) @ kernel + bias`` with the given weights.

    kernel: ``(784, K)``; bias: ``(K,)``. Returns a ``keras.Model`` mapping
    ``(N, 28, 28, 1)`` images to ``(N, K)`` logits. Its input gradient is known
    in closed form: ``dL/dx = (softmax(logits) - onehot(y)) @ kernel.T``.
    """
    import keras
    from keras import layers

    kernel = np.asarray(kernel, dtype=np.float32)
    bias = np.asarray(bias, dtype=np.float32)
    pixels = int(np.prod(IMAGE_SHAPE))
    if kernel.ndim != 2 or kernel.shape[0] != pixels or bias.shape != (kernel.shape[1],):
        raise ValueError(f"a linear classifier needs kernel ({pixels}, K) and bias (K,), "
                         f"got {kernel.shape} and {bias.shape}.")
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    flat = layers.Flatten(name="flatten")(inputs)
    logits = layers.Dense(kernel.shape[1], name="logits")(flat)
    model = keras.Model(inputs, logits, name="linear_classifier")
    model.get_layer("logits").set_weights([kernel, bias])
    return model


def build_small_cnn(filters: tuple[int, int] = (32, 64), num_classes: int = 10, *,
                    seed: int | None = None) -> Any:
    """The course's small reference CNN for 28×28 images in [0, 1], returning logits.

    ``Conv2D(F1, 3, relu) → MaxPool(2) → Conv2D(F2, 3, relu) → MaxPool(2) →
    Flatten → Dense(num_classes)``; spatial sizes 28 → 26 → 13 → 11 → 5, so the
    last layer sees ``5 * 5 * F2`` features. With the default ``(32, 64)``:
    34,826 parameters, about 99 % test accuracy on MNIST after a few epochs.
    ``seed`` fixes the initial weights (Glorot uniform) for reproducible training.
    """
    import keras
    from keras import layers

    def init(offset: int) -> Any:
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)

    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Conv2D(filters[0], 3, activation="relu", kernel_initializer=init(0), name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(filters[1], 3, activation="relu", kernel_initializer=init(1), name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    logits = layers.Dense(num_classes, kernel_initializer=init(2), name="logits")(x)
    return keras.Model(inputs, logits, name="small_cnn")


def small_cnn_weights(model: Any) -> dict[str, np.ndarray]:
    """The weights of a :func:`build_small_cnn` model as named float32 arrays (see module doc)."""
    weights = {}
    for name in _CNN_LAYERS:
        kernel, bias = model.get_layer(name).get_weights()
        weights[f"{name}_kernel"] = np.asarray(kernel, dtype=np.float32)
        weights[f"{name}_bias"] = np.asarray(bias, dtype=np.float32)
    return weights


def classifier_from_weights(weights: Mapping[str, Any]) -> Any:
    """Rebuild a linear classifier or a small CNN from its named weight arrays (see module doc).

    Which model is built depends on the names: ``kernel``/``bias`` give
    :func:`build_linear_classifier`, ``conv1_kernel``… give :func:`build_small_cnn`
    with the filter counts read from the kernels' shapes.
    """
    names = set(weights)
    if names == _LINEAR_KEYS:
        return build_linear_classifier(weights["kernel"], weights["bias"])
    expected = {f"{layer}_{part}" for layer in _CNN_LAYERS for part in ("kernel", "bias")}
    if names != expected:
        raise ValueError(f"unknown weight names {sorted(names)}; expected {sorted(_LINEAR_KEYS)} "
                         f"or {sorted(expected)}.")
    conv1, conv2 = np.asarray(weights["conv1_kernel"]), np.asarray(weights["conv2_kernel"])
    num_classes = int(np.asarray(weights["logits_bias"]).shape[0])
    model = build_small_cnn((conv1.shape[-1], conv2.shape[-1]), num_classes)
    for layer in _CNN_LAYERS:
        model.get_layer(layer).set_weights([np.asarray(weights[f"{layer}_kernel"], dtype=np.float32),
                                            np.asarray(weights[f"{layer}_bias"], dtype=np.float32)])
    return model


def with_classifier(function: Callable[..., Any], *args: Any, **named: Any) -> Any:
    """``function(model, *args, **options)``: the model rebuilt from the weight arrays among ``named``.

    Why: a hidden case carries a model's weights (see the module doc) and, only when it gives
    them, optional arguments (``steps=0``, ``start=...``); a grade cell hands
    ``lambda x, **given: models.with_classifier(f, x, **given)`` over, so that an optional argument
    reaches the student's function only when the case has it and the defaults are judged too.
    Names ending in ``kernel`` or ``bias`` are weights; every other name is passed on.
    """
    weights = {name: value for name, value in named.items() if name.endswith(("kernel", "bias"))}
    options = {name: value for name, value in named.items() if name not in weights}
    return function(classifier_from_weights(weights), *args, **options)


def run_train_steps(train_step: Callable[..., Any], weights: Mapping[str, Any], x: Any, y: Any, eps: float, *,
                    learning_rate: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Call ``train_step(model, optimizer, x, y, eps)`` ``steps`` times on one batch.

    Why: a hidden check of a training step cannot send a model or an optimizer into
    the sandbox, only arrays. The model is rebuilt from ``weights`` (see
    :func:`classifier_from_weights`) and trained with plain SGD, whose update the
    grader can recompute exactly. x: ``(N, 28, 28, 1)`` float32 in [0, 1]; y: ``(N,)``
    integer labels, both handed over as tensors, as a ``tf.data`` loop would.

    Returns ``losses (steps, ...)``, the value each call returned (``(steps,)`` for a
    step that returns a scalar; ``None`` becomes NaN), and the weights after the last
    call as one float vector (``model.get_weights()`` flattened in order). What the
    values should be is the grader's to judge, so nothing is refused here.
    """
    import keras
    import tensorflow as tf

    model = classifier_from_weights(weights)
    optimizer = keras.optimizers.SGD(learning_rate)
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    y = tf.convert_to_tensor(np.asarray(y, dtype=np.int64))
    losses = [np.asarray(train_step(model, optimizer, x, y, eps), dtype=np.float64) for _ in range(int(steps))]
    return np.stack(losses), np.concatenate([np.ravel(w) for w in model.get_weights()])


def feature_extractor(model: Any, layer: str) -> Any:
    """A ``keras.Model`` from ``model``'s input to the output of its layer named ``layer``.

    Why: visualising what a network has learned (activation maximisation, inverting
    a representation) optimises an image against an *intermediate* layer, and the
    grader can only name that layer, not send a model cut at it. For the small CNN
    the names are ``conv1`` (N, 26, 26, F1), ``pool1`` (N, 13, 13, F1), ``conv2``
    (N, 11, 11, F2), ``pool2`` (N, 5, 5, F2), ``flatten`` and ``logits`` (N, K).
    Raises ``ValueError`` naming the layers there are when ``layer`` is not one of them.
    """
    import keras

    names = [item.name for item in model.layers]
    if layer not in names:
        raise ValueError(f"the model has no layer named {layer!r}; its layers are {names}.")
    return keras.Model(model.input, model.get_layer(layer).output, name=f"{model.name}_to_{layer}")


def value_and_input_gradient(function: Callable[[Any], Any], x: Any) -> tuple[np.ndarray, np.ndarray]:
    """``function(x)`` and the gradient of its sum with respect to ``x``, both as float arrays.

    Why: a hidden check of a loss function judges its value *and* its gradient
    (an objective computed outside TensorFlow, e.g. with ``.numpy()``, has none),
    and a gradient tape cannot cross into the sandbox. x: ``(N, H, W, C)``;
    ``function`` returns ``(N,)`` values (or a scalar). Returns ``(values, gradient)``
    with the gradient of the shape of ``x``; a gradient of None (the value does
    not depend on ``x`` through TensorFlow) raises ``ValueError``.
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        values = function(x)
        total = tf.reduce_sum(tf.cast(values, tf.float32))
    gradient = tape.gradient(total, x)
    if gradient is None:
        raise ValueError("the value does not depend on x through TensorFlow operations, so it has no "
                         "gradient: compute it with tf / keras.ops, without .numpy() or NumPy functions.")
    return np.asarray(values, dtype=np.float64), np.asarray(gradient, dtype=np.float64)


# --------------------------------------------------------------------------- autoencoders (05_autoencoders)
_DENSE_AE_LAYERS = ("hidden", "code", "output")


def dense_autoencoder_from_weights(weights: Mapping[str, Any]) -> tuple[Any, Any]:
    """A small dense autoencoder rebuilt from named arrays: ``(encoder, decoder)``.

    Why: a hidden check of a loss that needs an encoder and a decoder (the
    contractive penalty) can only send their weights into the sandbox.
    Encoder: ``(N, 28, 28, 1)`` -> flatten -> ``tanh`` Dense ``hidden`` -> ``sigmoid``
    Dense ``code`` ``(N, d)``; decoder: ``(N, d)`` -> ``sigmoid`` Dense ``output``
    ``(N, 784)`` -> ``(N, 28, 28, 1)``. Names: ``hidden_kernel (784, M)``,
    ``hidden_bias (M,)``, ``code_kernel (M, d)``, ``code_bias (d,)``,
    ``output_kernel (d, 784)``, ``output_bias (784,)``.
    """
    import keras
    from keras import layers

    expected = {f"{layer}_{part}" for layer in _DENSE_AE_LAYERS for part in ("kernel", "bias")}
    if set(weights) != expected:
        raise ValueError(f"unknown weight names {sorted(weights)}; expected {sorted(expected)}.")
    arrays = {name: np.asarray(value, dtype=np.float32) for name, value in weights.items()}
    hidden_units, code_size = arrays["code_kernel"].shape
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    hidden = layers.Dense(hidden_units, activation="tanh", name="hidden")(layers.Flatten()(image))
    encoder = keras.Model(image, layers.Dense(code_size, activation="sigmoid", name="code")(hidden), name="encoder")
    code = keras.Input(shape=(code_size,), name="code_input")
    pixels = layers.Dense(int(np.prod(IMAGE_SHAPE)), activation="sigmoid", name="output")(code)
    decoder = keras.Model(code, layers.Reshape(IMAGE_SHAPE)(pixels), name="decoder")
    for model, names in ((encoder, ("hidden", "code")), (decoder, ("output",))):
        for name in names:
            model.get_layer(name).set_weights([arrays[f"{name}_kernel"], arrays[f"{name}_bias"]])
    return encoder, decoder


def value_and_gradients(function: Callable[..., Any], inputs: tuple[Any, ...],
                        cotangent: Any) -> tuple[np.ndarray, ...]:
    """``function(*inputs)`` and the gradients of ``sum(function(*inputs) * cotangent)`` for each input.

    Why: a hidden check of the reparameterisation trick must see whether the gradient
    reaches mu and log sigma^2, and a gradient tape cannot cross into the sandbox.
    inputs: arrays, e.g. ``mu (N, d)`` and ``log_var (N, d)``; cotangent: the shape of
    the output. Returns ``(value, gradient_0, gradient_1, ...)``, each gradient of its
    input's shape; where no gradient reaches an input (NumPy, ``stop_gradient``,
    ``.numpy()``) it is all NaN, for the grader to judge.
    """
    import tensorflow as tf

    tensors = [tf.convert_to_tensor(np.asarray(value, dtype=np.float32)) for value in inputs]
    with tf.GradientTape() as tape:
        for tensor in tensors:
            tape.watch(tensor)
        value = function(*tensors)
        total = tf.reduce_sum(tf.cast(value, tf.float32) * tf.constant(np.asarray(cotangent, dtype=np.float32)))
    gradients = tape.gradient(total, tensors)
    return (np.asarray(value, dtype=np.float64),
            *(np.full(t.shape, np.nan) if g is None else np.asarray(g, dtype=np.float64)
              for t, g in zip(tensors, gradients)))


def linear_gaussian_log_likelihood(kernel: Any, bias: Any, sigma: Any) -> Callable[[Any, Any], Any]:
    """``log_likelihood(x, z)`` of the linear-Gaussian model ``p(x | z) = N(W z + b, sigma^2 I)``.

    Why: an importance-sampling estimator is checked on a model whose log p(x) is known
    in closed form, ``N(x; b, W W^T + sigma^2 I)``. kernel W: ``(D, d)``; bias b: ``(D,)``;
    sigma: a scalar. The returned function takes ``x (..., D)`` and ``z (..., d)`` with
    matching (or broadcastable) leading axes, e.g. ``(B, D)`` and ``(B, d)``, and returns
    ``(...,)`` log densities as a float32 tensor, differentiable in z.
    """
    import tensorflow as tf

    kernel = tf.constant(np.asarray(kernel, dtype=np.float32))
    bias = tf.constant(np.asarray(bias, dtype=np.float32))
    sigma = float(np.asarray(sigma))
    data_dim = int(kernel.shape[0])
    constant = -0.5 * data_dim * float(np.log(2 * np.pi * sigma ** 2))

    def log_likelihood(x: Any, z: Any) -> Any:
        mean = tf.einsum("...j,ij->...i", tf.cast(z, tf.float32), kernel) + bias
        return constant - 0.5 * tf.reduce_sum(tf.square((tf.cast(x, tf.float32) - mean) / sigma), axis=-1)

    return log_likelihood


def bundle_vae(encoder: Any, decoder: Any, name: str = "vae") -> Any:
    """One Functional model holding a VAE's ``encoder`` and ``decoder`` as named layers, for saving.

    Why: a subclassed ``keras.Model`` with its own ``train_step`` cannot be loaded
    without its Python class; a Functional model of built-in layers can, with
    ``safe_mode=True``, in the grader's clean process. encoder: ``(N, 28, 28, 1)`` ->
    ``[mu (N, d), log_var (N, d)]``; decoder: ``(N, d)`` -> logits ``(N, 28, 28, 1)``.
    The bundle maps an image to ``[mu, log_var, logits of decoder(mu)]``;
    :func:`vae_parts` takes it apart again.
    """
    import keras

    encoder.name, decoder.name = "encoder", "decoder"
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    mu, log_var = encoder(image)
    return keras.Model(image, [mu, log_var, decoder(mu)], name=name)


def vae_parts(bundle: Any) -> tuple[Any, Any]:
    """``(encoder, decoder)`` of a model made by :func:`bundle_vae`; ``ValueError`` if it has none."""
    names = [layer.name for layer in bundle.layers]
    if "encoder" not in names or "decoder" not in names:
        raise ValueError(f"the model has no layers named 'encoder' and 'decoder' (it has {names}); "
                         "save it with models.bundle_vae(encoder, decoder).")
    return bundle.get_layer("encoder"), bundle.get_layer("decoder")


def linear_gaussian_toy(rng: np.random.Generator, *, data_dim: int = 20, latent_dim: int = 2, sigma: float = 0.5,
                        count: int = 200) -> dict[str, Any]:
    """A linear-Gaussian toy model with data drawn from it and its closed-form log p(x) and posterior.

    Why: an estimator of log p(x) can only be checked where log p(x) is known. Model:
    ``p(z) = N(0, I_d)``, ``p(x | z) = N(W z + b, sigma^2 I_D)``, so ``p(x) = N(b, W W^T +
    sigma^2 I)``; W has orthogonal columns, which makes the exact posterior p(z | x) a
    diagonal Gaussian. Returns ``log_likelihood`` (see :func:`linear_gaussian_log_likelihood`),
    ``x (count, D)`` float32, ``log_px (count,)`` float64, and the posterior's
    ``mu`` and ``log_var`` ``(count, d)`` float32.
    """
    basis, _ = np.linalg.qr(rng.normal(size=(data_dim, latent_dim)))
    kernel = basis * rng.uniform(0.5, 2.0, size=latent_dim)
    bias = rng.normal(0.0, 0.5, size=data_dim)
    x = rng.normal(size=(count, latent_dim)) @ kernel.T + bias + sigma * rng.normal(size=(count, data_dim))
    covariance = kernel @ kernel.T + sigma ** 2 * np.eye(data_dim)
    centred = x - bias
    log_px = -0.5 * (data_dim * np.log(2 * np.pi) + np.linalg.slogdet(covariance)[1]
                     + np.einsum("ni,ni->n", centred, np.linalg.solve(covariance, centred.T).T))
    variance = 1.0 / (1.0 + np.sum(kernel ** 2, axis=0) / sigma ** 2)
    mu = variance * (centred @ kernel) / sigma ** 2
    return {"log_likelihood": linear_gaussian_log_likelihood(kernel, bias, sigma), "x": x.astype(np.float32),
            "log_px": log_px, "mu": mu.astype(np.float32),
            "log_var": np.broadcast_to(np.log(variance), mu.shape).astype(np.float32)}


def random_small_cnn(filters: tuple[int, int] = (4, 8), num_classes: int = 10, *, seed: int = 0) -> Any:
    """An untrained :func:`build_small_cnn` with random kernels (Glorot) *and* biases (N(0, 0.1)).

    Why: a notebook's self-checks of a visualisation method need a CNN that does
    not depend on the student's training, and a fresh ``build_small_cnn`` has zero
    biases: at the zero image every ReLU then sits exactly at its kink, every
    gradient is 0, and a correct method started from zeros would look broken.
    """
    model = build_small_cnn(filters, num_classes, seed=seed)
    rng = np.random.default_rng(seed)
    for name in _CNN_LAYERS:
        layer = model.get_layer(name)
        kernel, bias = layer.get_weights()
        layer.set_weights([kernel, rng.normal(0.0, 0.1, size=bias.shape).astype(np.float32)])
    return model


def randomise_trainable_weights(model: Any, seed: int, scale: float = 1.0) -> Any:
    """Overwrite every trainable weight of ``model`` with seeded normal values; returns ``model``.

    Why: whether an input is wired to a network's output must be judged on random weights,
    not on the weights as built. A label embedding initialised at zero is wired correctly
    but, as built, the output does not yet depend on the label; training moves it at the
    first step. Each variable gets variance ``scale / fan_in`` (``fan_in`` the product of
    all but its last axis; 1 for biases and other vectors); ``scale`` 1 keeps a network's
    outputs moderate, a larger one spreads a logit far outside ``[0, 1]``. Non-trainable
    weights (a frozen embedding of zeros, BatchNormalization's moving statistics) keep
    their values: training would not change them either. The same seed and architecture
    give the same weights.
    """
    rng = np.random.default_rng(seed)
    for variable in model.trainable_variables:
        shape = tuple(int(size) for size in variable.shape)
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        variable.assign(rng.normal(0.0, np.sqrt(scale / fan_in), size=shape).astype(np.dtype(variable.dtype)))
    return model
