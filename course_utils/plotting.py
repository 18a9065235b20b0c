"""Figures the notebooks show: image grids, training histories, convolution filters,
feature maps and saliency maps.

Every function returns a ``matplotlib.figure.Figure`` that pyplot has already
let go of: a notebook shows it exactly once when it is the cell's last
expression (or through ``display(fig)``), loops that make many figures do not
leak them, and tests and the grader render it with Agg through ``fig.savefig``.

Layout is channels last, as in Keras: images ``(N, H, W)``, ``(N, H, W, 1)``
or ``(N, H, W, 3)``; convolution kernels ``(KH, KW, C_in, C_out)``.
Wrong shapes raise ``ValueError`` saying which shape was expected.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = ["show_images", "plot_history", "show_filters", "show_feature_maps", "show_saliency",
           "plot_latent_space", "show_latent_grid"]

TILE_INCHES = 1.3


def _new_figure(**kwargs: Any) -> Figure:
    """A figure that shows once in a notebook: when it is returned, not again at the cell's end.

    Made through pyplot so that the notebook's inline backend is loaded (it is
    what teaches IPython to draw a returned Figure), then closed so that pyplot
    forgets it and does not draw it a second time, nor keep it in memory.
    """
    fig = plt.figure(**kwargs)
    plt.close(fig)
    return fig


def _grid_figure(n_tiles: int, ncols: int, *, tile_inches: float = TILE_INCHES,
                 min_width: float = 0.0) -> tuple[Figure, np.ndarray]:
    """A figure with ``n_tiles`` image axes in rows of ``ncols``; spare axes hidden, ticks off."""
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}.")
    ncols = min(int(ncols), n_tiles)
    nrows = math.ceil(n_tiles / ncols)
    fig = _new_figure(figsize=(max(ncols * tile_inches, min_width), nrows * (tile_inches + 0.25)), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes:
        ax.set_axis_off()
    return fig, axes[:n_tiles]


def _scale(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map ``[low, high]`` to ``[0, 1]``, clipping; a constant image becomes mid-grey."""
    if high <= low:
        return np.full(values.shape, 0.5)
    return np.clip((values - low) / (high - low), 0.0, 1.0)


def _display_ready(images: Any, value_range: tuple[float, float] | None) -> np.ndarray:
    """Validate images and bring them to floats in [0, 1]: (N, H, W) grey or (N, H, W, 3) colour.

    The value range is ``value_range`` if given; else 0–255 for integers, 0–1
    for floats already inside it, and each image's own min–max otherwise.
    """
    array = np.asarray(images)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"images must be numbers, got dtype {array.dtype}.")
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if not (array.ndim == 3 or (array.ndim == 4 and array.shape[-1] == 3)):
        raise ValueError(
            f"images must have shape (N, H, W), (N, H, W, 1) or (N, H, W, 3), got {array.shape}; "
            "for a single image pass image[None] (channels last, as in Keras)."
        )
    if array.shape[0] == 0:
        raise ValueError("images is empty: there is nothing to show.")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError("images contain NaN or inf values; check the model or the preprocessing that made them.")
    if value_range is not None:
        low, high = value_range
        return _scale(array, low, high)
    if np.asarray(images).dtype.kind in "biu":
        return _scale(array, 0.0, 255.0)
    if array.min() >= 0.0 and array.max() <= 1.0:
        return array
    axes = tuple(range(1, array.ndim))
    low = array.min(axis=axes, keepdims=True)
    high = array.max(axis=axes, keepdims=True)
    spread = np.where(high > low, high - low, 1.0)
    return np.where(high > low, (array - low) / spread, 0.5)


def show_images(
    images: Any,
    labels: Sequence[Any] | None = None,
    *,
    ncols: int = 8,
    titles: Sequence[str] | None = None,
    cmap: str = "gray",
    class_names: Sequence[str] | None = None,
    value_range: tuple[float, float] | None = None,
    max_images: int = 256,
) -> Figure:
    """A grid of images with optional labels.

    images: ``(N, H, W)``, ``(N, H, W, 1)`` or ``(N, H, W, 3)``; uint8 (0–255)
        or float (0–1; other float ranges are stretched per image unless
        ``value_range``, e.g. ``(-1, 1)`` for a tanh generator, is given).
    labels: N class ids (or strings) shown above each image; ``class_names``
        turns ids into names.
    titles: N free-form titles; they replace the labels.
    """
    display = _display_ready(images, value_range)
    n_images = display.shape[0]
    if n_images > max_images:
        raise ValueError(f"{n_images} images is too many for one figure (max_images={max_images}); "
                         f"show a slice such as images[:32].")
    captions: list[str] | None = None
    if titles is not None:
        captions = [str(t) for t in titles]
        given = "titles"
    elif labels is not None:
        ids = list(np.asarray(labels).reshape(-1)) if not isinstance(labels, (list, tuple)) else list(labels)
        if class_names is not None:
            try:
                captions = [str(class_names[int(i)]) for i in ids]
            except (IndexError, TypeError, ValueError):
                raise ValueError(f"labels must be integer ids below len(class_names)={len(class_names)}.") from None
        else:
            captions = [str(i.item() if isinstance(i, np.generic) else i) for i in ids]
        given = "labels"
    if captions is not None and len(captions) != n_images:
        raise ValueError(f"got {len(captions)} {given} for {n_images} images; give one per image.")
    fig, axes = _grid_figure(n_images, ncols)
    for i, ax in enumerate(axes):
        if display.ndim == 4:
            ax.imshow(display[i], interpolation="nearest")
        else:
            ax.imshow(display[i], cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
        if captions is not None:
            ax.set_title(captions[i], fontsize=9)
    return fig


def _history_dict(history: Any) -> dict[str, np.ndarray]:
    """``{"loss": [...], "val_loss": [...], ...}`` from a Keras History or a mapping."""
    record = getattr(history, "history", history)
    if not isinstance(record, Mapping):
        raise ValueError(f"plot_history needs what model.fit returned (a History) or a dict of lists, "
                         f"got {type(history).__name__}.")
    if not record:
        raise ValueError("the history is empty: was the model trained (model.fit) for at least one epoch?")
    curves = {}
    for key, values in record.items():
        try:
            curve = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            curve = np.asarray([])
        if curve.ndim != 1 or curve.size == 0:
            raise ValueError(f"history[{key!r}] must be a non-empty list of numbers, one per epoch, got {values!r}.")
        curves[str(key)] = curve
    return curves


def plot_history(history: Any, *, metrics: Sequence[str] | None = None) -> Figure:
    """Training curves, one panel per metric, training and validation together.

    history: what ``model.fit`` returned, or its ``.history`` dict (also the
        ``"history"`` stored in an artifact's sidecar JSON).
    metrics: names to plot (``["loss", "accuracy"]``); default: all, loss first.
    """
    curves = _history_dict(history)
    names = [k for k in curves if not k.startswith("val_")]
    names += [k[len("val_"):] for k in curves if k.startswith("val_") and k[len("val_"):] not in curves]
    names.sort(key=lambda k: k != "loss")
    if metrics is not None:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(f"no curve named {unknown} in the history; it has {names}.")
        names = list(metrics)
    fig = _new_figure(figsize=(4.2 * len(names), 3.2), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False).ravel()
    for ax, name in zip(axes, names):
        for key, label, style in ((name, "train", "-o"), (f"val_{name}", "validation", "--s")):
            if key in curves:
                epochs = np.arange(1, curves[key].size + 1)
                ax.plot(epochs, curves[key], style, markersize=3, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def _kernel(weights: Any) -> np.ndarray:
    """A conv kernel ``(KH, KW, C_in, C_out)`` from an array, a Keras variable or a Conv2D layer."""
    if hasattr(weights, "get_weights") and not isinstance(weights, np.ndarray):
        layer_weights = weights.get_weights()
        if not layer_weights:
            raise ValueError(f"layer {getattr(weights, 'name', weights)!r} has no weights: is it built?")
        weights = layer_weights[0]
    kernel = np.asarray(weights)
    if kernel.dtype.kind not in "biuf":
        raise ValueError(f"filter weights must be numbers, got dtype {kernel.dtype}.")
    if kernel.ndim == 2:
        kernel = kernel[:, :, None, None]
    if kernel.ndim != 4:
        raise ValueError(
            f"filters must have shape (KH, KW, C_in, C_out) as in a Keras Conv2D kernel (or one "
            f"(KH, KW) filter), got {kernel.shape}."
        )
    kernel = kernel.astype(np.float64)
    if not np.isfinite(kernel).all():
        raise ValueError("the filter weights contain NaN or inf: training diverged; lower the learning rate.")
    return kernel


def show_filters(
    weights: Any,
    *,
    ncols: int = 8,
    in_channel: int | None = None,
    max_tiles: int = 512,
) -> Figure:
    """Show convolution filters, each normalised to [0, 1] over its own (KH, KW, C_in) block.

    weights: kernel ``(KH, KW, C_in, C_out)`` (a ``Conv2D`` layer works too,
        and a single ``(KH, KW)`` filter).
    One tile per filter when ``C_in`` is 1 (grey) or 3 (colour, RGB); for
    other ``C_in`` each filter is a row with one grey tile per input channel,
    unless ``in_channel`` picks one channel to show.
    """
    kernel = _kernel(weights)
    kh, kw, c_in, c_out = kernel.shape
    if in_channel is not None and not (isinstance(in_channel, (int, np.integer)) and 0 <= in_channel < c_in):
        raise ValueError(f"in_channel must be an integer in [0, {c_in}), got {in_channel!r}.")
    low = kernel.min(axis=(0, 1, 2), keepdims=True)
    high = kernel.max(axis=(0, 1, 2), keepdims=True)
    spread = np.where(high > low, high - low, 1.0)
    normalised = np.where(high > low, (kernel - low) / spread, 0.5)  # (KH, KW, C_in, C_out)
    per_channel = in_channel is None and c_in not in (1, 3)
    n_tiles = c_out * c_in if per_channel else c_out
    if n_tiles > max_tiles:
        raise ValueError(f"{n_tiles} filter tiles is too many for one figure (max_tiles={max_tiles}); "
                         "pick in_channel=..., or slice the kernel, e.g. weights[..., :16].")
    if per_channel:
        fig, axes = _grid_figure(n_tiles, c_in, tile_inches=0.9, min_width=4.0)
        for index, ax in enumerate(axes):
            out, channel = divmod(index, c_in)
            ax.imshow(normalised[:, :, channel, out], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            if out == 0:
                ax.set_title(f"in {channel}", fontsize=8)
            if channel == 0:
                ax.text(-0.08, 0.5, f"#{out}", transform=ax.transAxes, ha="right", va="center", fontsize=8)
        fig.suptitle(f"{c_out} filters {kh}×{kw}, a column per input channel", fontsize=10)
        return fig
    fig, axes = _grid_figure(n_tiles, ncols, tile_inches=0.9, min_width=4.0)
    for out, ax in enumerate(axes):
        if in_channel is None and c_in == 3:
            ax.imshow(normalised[:, :, :, out], interpolation="nearest")
        else:
            ax.imshow(normalised[:, :, in_channel or 0, out], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"#{out}", fontsize=8)
    channel = f", input channel {in_channel}" if in_channel is not None else ""
    fig.suptitle(f"{c_out} filters {kh}×{kw}{channel}", fontsize=10)
    return fig


def show_feature_maps(maps: Any, *, ncols: int = 8, max_maps: int = 64, title: str | None = None) -> Figure:
    """The feature maps of one image at one layer, one tile per channel, each stretched to its own range.

    maps: ``(H, W, C)`` (or ``(1, H, W, C)``, a batch of one), e.g.
        ``models.feature_extractor(model, "conv1")(image[None])[0]``.
    Each tile is titled with its channel and its largest value, so that a map that
    is all zero (a dead ReLU) reads as such instead of as a grey square.
    """
    array = np.asarray(maps)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 3 or array.dtype.kind not in "biuf":
        raise ValueError(f"feature maps must be numbers of shape (H, W, C) for one image (channels last), "
                         f"got {array.shape}; for a batch pass maps[0].")
    channels = array.shape[-1]
    if channels > max_maps:
        raise ValueError(f"{channels} feature maps is too many for one figure (max_maps={max_maps}); "
                         f"show a slice such as maps[..., :32].")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError("the feature maps contain NaN or inf values.")
    fig, axes = _grid_figure(channels, ncols, tile_inches=1.1)
    for channel, ax in enumerate(axes):
        tile = array[..., channel]
        ax.imshow(_scale(tile, tile.min(), tile.max()), cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"#{channel} max {tile.max():.2g}", fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def show_saliency(images: Any, maps: Any, *, titles: Sequence[str] | None = None, ncols: int = 8,
                  cmap: str = "hot") -> Figure:
    """Images (grey, top) above their saliency maps (``cmap``, below), in pairs of rows.

    images: ``(N, H, W)`` or ``(N, H, W, 1)`` floats in [0, 1]; maps: ``(N, H, W)``
        non-negative (e.g. ``|d logit_c / dx|`` maximised over channels), each
        stretched from 0 to its own maximum, so that the picture shows *where* the
        gradient is large, not how large it is.
    titles: N captions above the images (e.g. ``"7 (p = 0.98)"``).
    """
    display = _display_ready(images, (0.0, 1.0))
    heat = np.asarray(maps, dtype=np.float64)
    if heat.ndim == 4 and heat.shape[-1] == 1:
        heat = heat[..., 0]
    if display.ndim != 3 or heat.shape != display.shape:
        raise ValueError(f"show_saliency needs grey images (N, H, W) and maps of the same shape, got images "
                         f"{np.shape(images)} and maps {np.shape(maps)}.")
    if not np.isfinite(heat).all():
        raise ValueError("the saliency maps contain NaN or inf values.")
    count = display.shape[0]
    if titles is not None and len(titles) != count:
        raise ValueError(f"got {len(titles)} titles for {count} images; give one per image.")
    ncols = min(ncols, count)
    rows = math.ceil(count / ncols)
    fig = _new_figure(figsize=(ncols * TILE_INCHES, 2 * rows * (TILE_INCHES + 0.2)), layout="constrained")
    axes = fig.subplots(2 * rows, ncols, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for index in range(count):
        row, col = divmod(index, ncols)
        top, bottom = axes[2 * row, col], axes[2 * row + 1, col]
        top.imshow(display[index], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        peak = heat[index].max()
        bottom.imshow(heat[index] / peak if peak > 0 else heat[index], cmap=cmap, vmin=0, vmax=1,
                      interpolation="nearest")
        if titles is not None:
            top.set_title(str(titles[index]), fontsize=9)
    return fig


def plot_latent_space(codes: Any, labels: Any, *, class_names: Sequence[str] | None = None,
                      title: str | None = None, max_points: int = 5_000) -> Figure:
    """A 2-D latent space as a scatter plot, one colour per class.

    codes: ``(N, 2)``, e.g. the encoder's means mu for test images; labels: ``(N,)``
    integer class ids (the legend names them with ``class_names``). At most
    ``max_points`` points are drawn (the first ones), so that the figure stays light.
    """
    codes = np.asarray(codes, dtype=np.float64)
    labels = np.asarray(labels).reshape(-1)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"codes must have shape (N, 2) (a 2-D latent space), got {codes.shape}.")
    if len(labels) != len(codes):
        raise ValueError(f"got {len(labels)} labels for {len(codes)} codes; give one per code.")
    codes, labels = codes[:max_points], labels[:max_points]
    fig = _new_figure(figsize=(5.5, 5), layout="constrained")
    ax = fig.subplots()
    colours = plt.get_cmap("tab10")
    for index, label in enumerate(np.unique(labels)):
        name = class_names[int(label)] if class_names is not None else str(label)
        chosen = labels == label
        ax.scatter(codes[chosen, 0], codes[chosen, 1], s=4, alpha=0.6, color=colours(index % 10), label=name)
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=title or "latent space")
    ax.legend(markerscale=3, fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    return fig


def show_latent_grid(decode: Any, *, n: int = 15, limit: float = 2.0, title: str | None = None) -> Figure:
    """Images decoded from an ``n`` x ``n`` grid of points of a 2-D latent space, as one picture.

    decode: a function from codes ``(n * n, 2)`` float32 to images ``(n * n, H, W)`` or
    ``(n * n, H, W, 1)`` in [0, 1] (e.g. the sigmoid of a VAE decoder's logits). The grid
    spans ``[-limit, limit]`` in both directions, z_2 growing upwards; under a standard
    normal prior, ``limit = 2`` covers about 95 % of the mass in each direction.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}.")
    values = np.linspace(-limit, limit, n)
    grid = np.array([[x, y] for y in values[::-1] for x in values], dtype=np.float32)
    images = np.asarray(decode(grid), dtype=np.float64)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) != n * n:
        raise ValueError(f"decode must return {n * n} grey images (N, H, W[, 1]), got shape {images.shape}.")
    height, width = images.shape[1:]
    canvas = images.reshape(n, n, height, width).transpose(0, 2, 1, 3).reshape(n * height, n * width)
    fig = _new_figure(figsize=(6, 6), layout="constrained")
    ax = fig.subplots()
    ax.imshow(canvas, cmap="gray", vmin=0.0, vmax=1.0, extent=(-limit, limit, -limit, limit),
              interpolation="nearest")
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=title or "decoded latent grid")
    return fig
