"""Feature networks for texture synthesis and style transfer (week 7), and the images they look at.

Why: Gatys et al. match statistics of a CNN's feature maps, so week 7 needs a
network with many layers whose names say where they sit. The real one is
``keras.applications.VGG19`` with its ImageNet weights, used when the weights
file is already in Keras' cache (``~/.keras/models/``): nothing is ever
downloaded here. Otherwise :func:`feature_network` says so in one line and
returns the course's **offline feature network**: the VGG19 layout (the same
layer names, ``block1_conv1`` ... ``block5_conv4``) with narrower layers, average
pooling and *fixed random weights* drawn from a seed with NumPy's PCG64, so
every machine builds the same network (random-weight networks synthesise
textures and transfer style: Ustyuzhaninov et al. 2017, He, Wang & Hopcroft
2016; ``benchmarks/style_transfer_reference.py`` compares it with the course's
trained MNIST CNN, and records why it was chosen).

Every network here takes images ``x: (N, H, W, 3)`` float32 with values in
``[0, 1]`` (channels last, RGB) and does its own preprocessing inside, so the
same notebook code runs on either. :func:`extractor` cuts a network at named
layers and returns a dict ``{layer name: (N, H_l, W_l, C_l)}``.

Weights dictionaries (hidden networks cross into the grader's sandbox as plain
arrays) use ``<layer>_kernel`` ``(3, 3, C_in, C_out)`` and ``<layer>_bias``
``(C_out,)`` for each convolution; :func:`network_from_weights` rebuilds the
network, as deep as the layers given.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np

__all__ = [
    "VGG19_WEIGHTS", "OFFLINE_SEED", "OFFLINE_WIDTHS", "VGG19_BLOCKS", "STYLE_LAYERS", "CONTENT_LAYER",
    "imagenet_weights_present", "feature_network", "random_vgg", "random_vgg_weights", "network_from_weights",
    "network_weights", "weights_digest", "extractor", "layer_dict", "mnist_features", "load_image",
]

VGG19_WEIGHTS = Path.home() / ".keras" / "models" / "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
OFFLINE_SEED = 2015  # Gatys, Ecker and Bethge's texture paper
OFFLINE_WIDTHS = (32, 64, 128, 256, 256)  # VGG19 has (64, 128, 256, 512, 512): a quarter of its work
VGG19_BLOCKS = (2, 2, 4, 4, 4)  # convolutions per block
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
CONTENT_LAYER = "block4_conv2"
_IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)


def imagenet_weights_present() -> bool:
    """True when VGG19's ImageNet weights (no top) are in Keras' cache: nothing is downloaded."""
    return VGG19_WEIGHTS.is_file()


def _layer_names(blocks: Iterable[int]) -> list[tuple[str, ...]]:
    """Per block, its convolution names then its pooling name: ``("block1_conv1", "block1_conv2", "block1_pool")``."""
    return [tuple(f"block{b}_conv{k}" for k in range(1, count + 1)) + (f"block{b}_pool",)
            for b, count in enumerate(blocks, start=1)]


def random_vgg_weights(widths: Iterable[int] = OFFLINE_WIDTHS, blocks: Iterable[int] = VGG19_BLOCKS,
                       seed: int = OFFLINE_SEED) -> dict[str, np.ndarray]:
    """Fixed random weights of a VGG-shaped network, the same on every machine.

    Each 3x3 kernel is uniform with He's variance (``limit = sqrt(6 / fan_in)``), biases
    are 0: ReLU activations then keep their scale from layer to layer. (Filters with their
    mean removed, blind to brightness and colour, matched the edges of a texture a little
    better but lost its colours: see benchmarks/results/style_transfer_features.json.)
    NumPy's PCG64 generator (``default_rng``) and ``random`` (uniform doubles) give the
    same numbers on every platform.
    """
    rng = np.random.default_rng(seed)
    weights, channels = {}, 3
    for names, width in zip(_layer_names(blocks), widths):
        for name in names[:-1]:
            limit = np.sqrt(6.0 / (9 * channels))
            kernel = limit * (2.0 * rng.random((3, 3, channels, width)) - 1.0)
            weights[f"{name}_kernel"] = kernel.astype(np.float32)
            weights[f"{name}_bias"] = np.zeros(width, dtype=np.float32)
            channels = width
    return weights


def network_from_weights(weights: Mapping[str, Any], name: str = "offline_vgg") -> Any:
    """A VGG-shaped network (3x3 ReLU convolutions, 2x2 average pooling) rebuilt from named arrays.

    weights: ``blockB_convK_kernel`` ``(3, 3, C_in, C_out)`` and ``blockB_convK_bias`` for
    consecutive blocks from ``block1_conv1``; the network stops after the last block given
    (its pooling included). Input ``(N, H, W, 3)`` in [0, 1], scaled to [-1, 1] inside.
    """
    import keras
    from keras import layers

    arrays = {key: np.asarray(value, dtype=np.float32) for key, value in weights.items()}
    image = keras.Input(shape=(None, None, 3), name="image")
    x = layers.Rescaling(2.0, offset=-1.0, name="preprocess")(image)
    convs = []
    block = 1
    while f"block{block}_conv1_kernel" in arrays:
        count = 1
        while f"block{block}_conv{count + 1}_kernel" in arrays:
            count += 1
        for k in range(1, count + 1):
            layer_name = f"block{block}_conv{k}"
            kernel = arrays[f"{layer_name}_kernel"]
            conv = layers.Conv2D(kernel.shape[-1], 3, padding="same", activation="relu", name=layer_name)
            x = conv(x)
            convs.append((conv, kernel, arrays[f"{layer_name}_bias"]))
        x = layers.AveragePooling2D(2, name=f"block{block}_pool")(x)
        block += 1
    if not convs:
        raise ValueError(f"no block1_conv1_kernel among the weights {sorted(arrays)[:6]}...")
    used = {f"{conv.name}_{part}" for conv, _, _ in convs for part in ("kernel", "bias")}
    if used != set(arrays):
        raise ValueError(f"weights that do not fit a VGG layout from block1_conv1: {sorted(set(arrays) - used)}")
    model = keras.Model(image, x, name=name)
    for conv, kernel, bias in convs:
        conv.set_weights([kernel, bias])
    model.trainable = False
    return model


def random_vgg(widths: Iterable[int] = OFFLINE_WIDTHS, blocks: Iterable[int] = VGG19_BLOCKS,
               seed: int = OFFLINE_SEED) -> Any:
    """The offline feature network: VGG19's layout and layer names, ``widths`` channels per block, fixed random weights."""
    return network_from_weights(random_vgg_weights(widths, blocks, seed))


def network_weights(network: Any) -> dict[str, np.ndarray]:
    """A VGG-shaped network's convolution weights as named float32 arrays (see module doc)."""
    weights = {}
    for layer in network.layers:
        if "_conv" in layer.name and layer.get_weights():
            kernel, bias = layer.get_weights()
            weights[f"{layer.name}_kernel"] = np.asarray(kernel, dtype=np.float32)
            weights[f"{layer.name}_bias"] = np.asarray(bias, dtype=np.float32)
    return weights


def weights_digest(weights: Mapping[str, Any]) -> str:
    """SHA-256 of the weights (names and float32 bytes, in name order): the same digest, the same network."""
    digest = hashlib.sha256()
    for key in sorted(weights):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(weights[key], dtype=np.float32).tobytes())
    return digest.hexdigest()


def _imagenet_vgg19() -> Any:
    """VGG19's ImageNet convolutions behind Keras' own preprocessing (RGB [0, 1] -> BGR, 0-255, mean removed)."""
    import keras
    from keras import layers

    vgg = keras.applications.VGG19(weights=str(VGG19_WEIGHTS), include_top=False, input_shape=(None, None, 3))
    image = keras.Input(shape=(None, None, 3), name="image")
    preprocess = layers.Conv2D(3, 1, name="preprocess")  # a fixed 1x1 map: 255 * x[..., ::-1] - mean
    x = preprocess(image)
    for layer in vgg.layers[1:]:
        x = layer(x)
    model = keras.Model(image, x, name="vgg19_imagenet")
    flip = np.zeros((1, 1, 3, 3), dtype=np.float32)
    for channel in range(3):
        flip[0, 0, 2 - channel, channel] = 255.0
    preprocess.set_weights([flip, -np.asarray(_IMAGENET_BGR_MEAN, dtype=np.float32)])
    model.trainable = False
    return model


def feature_network(kind: str = "auto", *, verbose: bool = True) -> Any:
    """The feature network of week 7: images ``(N, H, W, 3)`` in [0, 1] -> block5_pool.

    kind: ``"auto"`` (VGG19 ImageNet when its weights file is present, else the
    offline network, said in one line), ``"imagenet"`` (raises ``FileNotFoundError``
    without the file) or ``"offline"`` (:func:`random_vgg`, always the same weights).
    """
    if kind not in ("auto", "imagenet", "offline"):
        raise ValueError(f"kind must be 'auto', 'imagenet' or 'offline', not {kind!r}.")
    if kind == "imagenet" or (kind == "auto" and imagenet_weights_present()):
        if not imagenet_weights_present():
            raise FileNotFoundError(f"no VGG19 ImageNet weights at {VGG19_WEIGHTS} (nothing is downloaded here).")
        if verbose:
            print(f"Feature network: VGG19 with ImageNet weights ({VGG19_WEIGHTS}).")
        return _imagenet_vgg19()
    if verbose:
        reason = "as asked" if kind == "offline" else f"no VGG19 ImageNet weights at {VGG19_WEIGHTS}"
        print(f"Feature network: the course's OFFLINE network ({reason}): VGG19's layers and names, "
              f"widths {OFFLINE_WIDTHS}, fixed random weights (seed {OFFLINE_SEED}), no download.")
    return random_vgg()


def extractor(network: Any, layers: Iterable[str]) -> Any:
    """A ``keras.Model`` from ``network``'s input to a dict ``{name: output of that layer}``.

    Only the part of the network up to the deepest named layer is computed. Raises
    ``ValueError`` naming the layers there are when a name is not one of them.
    """
    import keras

    layers = list(dict.fromkeys(str(name) for name in layers))
    names = [item.name for item in network.layers]
    missing = [name for name in layers if name not in names]
    if missing:
        raise ValueError(f"the network has no layer named {missing}; its layers are {names}.")
    return keras.Model(network.input, {name: network.get_layer(name).output for name in layers},
                       name=f"{network.name}_features")


def layer_dict(arrays: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """``{name: value}`` of the entries of ``arrays`` named ``prefix + name``, in order.

    Why: a hidden case reaches the student's function as flat named arrays
    (``x_block1_conv1``, ``w_block1_conv1``...); this rebuilds the dicts by layer.
    """
    return {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}


RECORD_COLUMNS = 6  # a recorded callback call: step, loss, then the image's shape (4 entries, -1 where absent)


def graded_call(fn: Callable[..., Any], *args: Any, **options: Any) -> Any:
    """``fn(*args, **options)`` as a grade cell hands an optimiser over; ``(result, calls)`` when
    the hidden case asks for a callback.

    Why: a hidden case carries only arrays and numbers, so its options (``learning_rate``,
    ``start``...) arrive as entries and are passed only when the case has them (the function's
    defaults are judged too), and a callback is asked for with the flag ``callback=1``. This
    passes a recorder instead of the flag and returns, with the result, ``calls``: a
    ``(number of calls, RECORD_COLUMNS)`` float array of each call's step, loss (NaN unless one
    number) and image shape, for the grader to judge.
    """
    if not options.pop("callback", 0):
        return fn(*args, **options)
    calls: list[list[float]] = []

    def record(step: Any, loss: Any, image: Any) -> None:
        """Keep what the optimiser reported, as plain numbers."""
        try:
            value = np.asarray(loss, dtype=np.float64)
            number = float(value.reshape(-1)[0]) if value.size == 1 else float("nan")
        except (TypeError, ValueError):
            number = float("nan")
        try:
            shape = [-1.0 if d is None else float(d) for d in tuple(np.shape(image))]
        except (TypeError, ValueError):
            shape = []
        try:
            index = float(np.asarray(step, dtype=np.float64).reshape(-1)[0])
        except (TypeError, ValueError, IndexError):
            index = float("nan")
        calls.append([index, number, *(shape + [-1.0] * 4)[:4]])

    result = fn(*args, callback=record, **options)
    return result, np.asarray(calls, dtype=np.float64).reshape(-1, RECORD_COLUMNS)


def mnist_features() -> Any:
    """The course's trained MNIST CNN (``course_utils/weights/mnist_classifier.keras``) as a feature network.

    Its two convolutions, with valid padding changed to same, run on each colour
    channel on its own (it was trained on grey digits): ``block1_conv1`` ``(N, H, W, 3 * 32)``,
    ``block1_pool``, ``block2_conv1`` ``(N, H/2, W/2, 3 * 64)``, ``block2_pool``. Only two
    layers deep: a candidate that ``benchmarks/style_transfer_reference.py`` compares.
    """
    import keras
    from keras import layers

    trained = keras.saving.load_model(Path(__file__).parent / "weights" / "mnist_classifier.keras", compile=False)
    kernel1, bias1 = trained.get_layer("conv1").get_weights()
    kernel2, bias2 = trained.get_layer("conv2").get_weights()
    image = keras.Input(shape=(None, None, 3), name="image")
    # One grey channel per colour: a block-diagonal kernel applies conv1 to R, G and B apart.
    conv1 = layers.Conv2D(3 * kernel1.shape[-1], 3, padding="same", activation="relu", name="block1_conv1")
    conv2 = layers.Conv2D(3 * kernel2.shape[-1], 3, padding="same", activation="relu", name="block2_conv1")
    x = layers.AveragePooling2D(2, name="block1_pool")(conv1(image))
    x = layers.AveragePooling2D(2, name="block2_pool")(conv2(x))
    model = keras.Model(image, x, name="mnist_features")
    big1 = np.zeros((3, 3, 3, 3 * kernel1.shape[-1]), dtype=np.float32)
    big2 = np.zeros((3, 3, 3 * kernel2.shape[2], 3 * kernel2.shape[-1]), dtype=np.float32)
    for c in range(3):
        big1[:, :, c, c * kernel1.shape[-1]:(c + 1) * kernel1.shape[-1]] = kernel1[:, :, 0, :]
        big2[:, :, c * kernel2.shape[2]:(c + 1) * kernel2.shape[2],
             c * kernel2.shape[-1]:(c + 1) * kernel2.shape[-1]] = kernel2
    conv1.set_weights([big1, np.tile(bias1, 3)])
    conv2.set_weights([big2, np.tile(bias2, 3)])
    model.trainable = False
    return model


def load_image(name: str, size: int | tuple[int, int] = 128, *, crop: float = 1.0) -> np.ndarray:
    """An image of ``skimage.data`` (or an image file's path) as ``(1, H, W, 3)`` float32 in [0, 1].

    Grey images are repeated on three channels; the largest centred square (or the
    aspect of ``size = (H, W)``) is cut, its central ``crop`` share kept, then resized.
    A path to your own picture works the same way (``load_image("my_photo.jpg", 256)``).
    """
    import skimage.data
    import skimage.io
    import skimage.transform

    path = Path(name)
    picture = skimage.io.imread(path) if path.suffix and path.is_file() else getattr(skimage.data, name)()
    picture = np.asarray(picture)
    if picture.ndim == 2:
        picture = np.stack([picture] * 3, axis=-1)
    picture = picture[..., :3].astype(np.float32)
    if picture.max() > 1.0:
        picture /= 255.0
    height, width = (size, size) if isinstance(size, int) else size
    rows, cols = picture.shape[:2]
    scale = min(rows / height, cols / width) * crop
    cut_rows, cut_cols = int(round(height * scale)), int(round(width * scale))
    top, left = (rows - cut_rows) // 2, (cols - cut_cols) // 2
    picture = picture[top:top + cut_rows, left:left + cut_cols]
    resized = skimage.transform.resize(picture, (height, width), anti_aliasing=True, preserve_range=True)
    return np.clip(resized, 0.0, 1.0).astype(np.float32)[None]
