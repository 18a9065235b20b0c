"""Hidden cases of 01_convolution: fixed edge cases, the grade cells' visible cases, random ones.

Every function check gets, whatever ``COURSE_JUDGE_SECRET`` is, the edge cases
that catch the classic mistakes (below, one line each with the mistake it
catches) and the inputs of its grade cell's visible asserts (same shapes,
strides and paddings, new values), so skipping a visible assert by calling
``judge.submit`` by hand gains nothing. The secret's generator only draws the
values and adds random cases on top. A case that leaves optional arguments out
(``stride`` and ``pad``, ``pool_size`` and ``stride``) holds the functions to
their default values. Shapes: ``x: (N, H, W, C)``,
``w: (KH, KW, C, F)``, ``b: (F,)``, ``dout: (N, H_out, W_out, F)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograder.checks._convolution_reference import output_size

Case = dict[str, Any]
Cases = list[Case]


class ConvSpec(NamedTuple):
    """The shape of one convolution case; ``zeros``: the top rows of x (and b) are exactly 0."""

    x_shape: tuple[int, int, int, int]
    w_shape: tuple[int, int, int, int]
    stride: int
    pad: str | int
    zeros: bool = False


CONV_EDGE_CASES: dict[str, ConvSpec] = {
    # SAME, total padding 1 on both axes with stride 2: "stride-1 SAME, then subsample" and the
    # odd zero on the top/left instead of the bottom/right both shift the output by a pixel.
    "odd SAME total, stride 2": ConvSpec((2, 8, 6, 3), (3, 3, 3, 4), 2, "same"),
    # 8x8, 1x1 kernel, stride 3: (3 - 1) * 3 + 1 - 8 = -1, which TensorFlow clamps to 0; an
    # unclamped total becomes a negative np.pad width (a crash) or a cropped input.
    "negative SAME total": ConvSpec((2, 8, 8, 2), (1, 1, 2, 3), 3, "same"),
    # Total -1 at stride 2 (8 and 6 pixels, 1x1 kernel): a total clamped at 1 instead of 0 pads one zero
    # after, and the output grows to 5 x 4 rows and columns instead of 4 x 3.
    "SAME total -1, stride 2": ConvSpec((1, 8, 6, 2), (1, 1, 2, 3), 2, "same"),
    # Kernel 2x1 with stride 3: rows and columns no window reaches (dx exactly 0 there).
    "kernel smaller than stride": ConvSpec((1, 9, 10, 2), (2, 1, 2, 3), 3, "valid"),
    # Even, non-square kernel under SAME: totals 3 and 1, the odd zero after on both axes.
    "even non-square kernel, SAME": ConvSpec((3, 7, 5, 2), (4, 2, 2, 5), 1, "same"),
    # Int padding with a stride, H != W, C_in != C_out, a batch: loop bounds and axis mix-ups.
    "int padding with stride": ConvSpec((2, 7, 9, 3), (3, 3, 3, 2), 2, 1),
    "int padding 2, 5x5 kernel": ConvSpec((2, 6, 7, 1), (5, 5, 1, 4), 1, 2),
    # More channels (8) than columns (5), a stride leaving a row and a column no window reaches:
    # dx's missing columns counted on the channel axis (shape[3] for shape[2]) pad by 5 - 8 < 0.
    "more channels than columns": ConvSpec((1, 7, 5, 8), (2, 2, 8, 3), 2, "valid"),
    # x is 0 in its top rows and b = 0: exact zeros in the true output (a scaled tolerance must
    # accept an FFT's 1e-17 there, as it does everywhere else).
    "exact zeros in the output": ConvSpec((2, 10, 9, 2), (3, 3, 2, 3), 1, 1, zeros=True),
}

# The grade cells' visible asserts (solutions/01_convolution, cells test_conv_*).
VISIBLE_FORWARD_NAIVE = [ConvSpec((1, 6, 5, 2), (2, 3, 2, 3), s, p) for s, p in [(1, "valid"), (2, "same"), (3, 2)]]
VISIBLE_FORWARD = [ConvSpec((2, 8, 6, 3), (3, 2, 3, 4), s, p) for s, p in [(1, "valid"), (2, "same"), (1, 1)]]
VISIBLE_BACKWARD = [ConvSpec((1, 6, 5, 2), (3, 3, 2, 3), 2, "same")]

_PADS = ("valid", "same", 0, 1, 2)


def conv_case(rng: np.random.Generator, spec: ConvSpec) -> Case:
    """Values for ``spec`` drawn from ``rng`` (unit normals)."""
    x = rng.normal(size=spec.x_shape)
    b = rng.normal(size=spec.w_shape[3])
    if spec.zeros:
        x[:, : spec.x_shape[1] // 2] = 0.0
        b[:] = 0.0
    return {"x": x, "w": rng.normal(size=spec.w_shape), "b": b, "stride": spec.stride, "pad": spec.pad}


CONV_DEFAULTS = {"stride": 1, "pad": "valid"}  # conv_forward_naive's and conv_forward's default arguments
# The defaults case: a batch, C != F, a 3x2 kernel on 7x6 images: default stride 2 or pad "same" changes the
# output's shape; a default pad that is not "valid", "same" or an int (a typo, "VALID") raises ValueError.
DEFAULTS_SPEC = ConvSpec((2, 7, 6, 3), (3, 2, 3, 4), CONV_DEFAULTS["stride"], CONV_DEFAULTS["pad"])


def with_conv_defaults(case: Case) -> Case:
    """``case`` with the stride and pad a case that leaves them out is judged by (the defaults)."""
    return {**CONV_DEFAULTS, **case}


def defaults_case(rng: np.random.Generator) -> Case:
    """DEFAULTS_SPEC's values from ``rng``, handed over without ``stride`` and ``pad`` (the defaults are judged)."""
    case = conv_case(rng, DEFAULTS_SPEC)
    return {key: value for key, value in case.items() if key not in CONV_DEFAULTS}


def random_conv_spec(rng: np.random.Generator, max_size: int) -> ConvSpec:
    """A random shape, stride and padding whose output is at least 1x1."""
    while True:
        n = int(rng.integers(1, 4))
        height, width = (int(v) for v in rng.integers(4, max_size + 1, size=2))
        channels, filters = (int(v) for v in rng.integers(1, 5, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
        stride = int(rng.integers(1, 4))
        pad = _PADS[int(rng.integers(len(_PADS)))]
        if output_size(height, kh, stride, pad) >= 1 and output_size(width, kw, stride, pad) >= 1:
            return ConvSpec((n, height, width, channels), (kh, kw, channels, filters), stride, pad)


def conv_cases(rng: np.random.Generator, visible: list[ConvSpec], max_size: int, n_random: int) -> Cases:
    """Edge cases, then the visible ones, then ``n_random`` random cases."""
    specs = [*CONV_EDGE_CASES.values(), *visible]
    specs += [random_conv_spec(rng, max_size) for _ in range(n_random)]
    return [conv_case(rng, spec) for spec in specs]


# padding_amounts: "Raises ValueError for anything else" than "valid", "same" or an int p >= 0.
BAD_PADS: tuple[str | int, ...] = ("full",)  # NumPy's third mode; a silent answer pads it as "valid"
VALID_PAD_WORDS = ("valid", "same")


def is_bad_pad(pad: Any) -> bool:
    """Whether ``pad`` is none of "valid", "same", an int >= 0 (the convolution must raise ValueError)."""
    if isinstance(pad, str):
        return pad not in VALID_PAD_WORDS
    return isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0


def bad_pad_cases(rng: np.random.Generator) -> Cases:
    """One small case per pad in BAD_PADS (values from ``rng``): the function must raise ValueError."""
    return [{"x": rng.normal(size=(1, 6, 5, 2)), "w": rng.normal(size=(3, 3, 2, 2)), "b": rng.normal(size=2),
             "stride": 1, "pad": pad} for pad in BAD_PADS]


def with_upstream(rng: np.random.Generator, case: Case) -> Case:
    """Add ``dout: (N, H_out, W_out, F)``; where x's top rows are 0, dout's are too (dx exactly 0)."""
    n, height, width, _ = case["x"].shape
    kh, kw, _, filters = case["w"].shape
    h_out, w_out = (output_size(size, k, case["stride"], case["pad"]) for size, k in ((height, kh), (width, kw)))
    dout = rng.normal(size=(n, h_out, w_out, filters))
    if not case["x"][:, 0].any():
        dout[:, : h_out // 2] = 0.0
    return {**case, "dout": dout}


class PoolSpec(NamedTuple):
    """One pooling case: shape, window, stride and how the values are drawn."""

    x_shape: tuple[int, int, int, int]
    pool_size: int
    stride: int
    values: str  # "distinct", "few integers" (ties), "constant blocks" (all tied), "zero rows"
    ones_upstream: bool = False


POOL_EDGE_CASES: dict[str, PoolSpec] = {
    # Values in {0, 1, 2} with overlapping 3x3/2 windows: most windows hold tied maxima; the
    # gradient goes to the first one in reading order, never to all of them, never split.
    "ties, overlapping windows": PoolSpec((2, 7, 8, 3), 3, 2, "few integers"),
    # Every 2x2 window constant: all four inputs tie.
    "constant windows": PoolSpec((1, 6, 8, 2), 2, 2, "constant blocks"),
    # Stride 3 > window 2: inputs no window reaches (dx exactly 0 there), H != W.
    "window smaller than stride": PoolSpec((2, 8, 10, 2), 2, 3, "distinct"),
    # The top rows are 0: exact zeros in the true output and tied maxima at 0.
    "exact zeros in the output": PoolSpec((2, 8, 7, 3), 2, 1, "zero rows"),
}
VISIBLE_MAX_POOL = [PoolSpec((1, 6, 6, 2), 3, 2, "distinct", ones_upstream=True)]
VISIBLE_AVG_POOL = [PoolSpec((2, 7, 6, 3), 3, 2, "distinct")]
RANDOM_POOL_WINDOWS = ((2, 2), (3, 2), (2, 1), (3, 3), (2, 3))  # non-overlapping, AlexNet's 3/2, ragged


def pool_case(rng: np.random.Generator, spec: PoolSpec) -> Case:
    """Values for ``spec`` and an upstream gradient ``dout: (N, H_out, W_out, C)``."""
    n, height, width, channels = spec.x_shape
    if spec.values == "few integers":
        x = rng.integers(0, 3, size=spec.x_shape).astype(float)
    elif spec.values == "constant blocks":
        blocks = rng.integers(0, 5, size=(n, height // 2, width // 2, channels)).astype(float)
        x = blocks.repeat(2, axis=1).repeat(2, axis=2)
    else:  # distinct values, at least 1 / (7 * 10) apart: no ties
        x = rng.permutation(n * height * width * channels).reshape(spec.x_shape) / 7.0
        x = x + rng.uniform(0, 0.1, size=x.shape) - x.mean()
        if spec.values == "zero rows":
            x[:, : height // 2] = 0.0
    h_out, w_out = 1 + (height - spec.pool_size) // spec.stride, 1 + (width - spec.pool_size) // spec.stride
    shape = (n, h_out, w_out, channels)
    dout = np.ones(shape) if spec.ones_upstream else rng.normal(size=shape)
    return {"x": x, "pool_size": spec.pool_size, "stride": spec.stride, "dout": dout}


POOL_DEFAULTS = {"pool_size": 2, "stride": 2}  # the pooling functions' default arguments


def pool_cases(rng: np.random.Generator, visible: list[PoolSpec]) -> Cases:
    """Edge cases, the visible ones, one random no-tie case per window in RANDOM_POOL_WINDOWS, then
    one with neither ``pool_size`` nor ``stride`` (the defaults are judged too)."""
    specs = [*POOL_EDGE_CASES.values(), *visible]
    for pool_size, stride in RANDOM_POOL_WINDOWS:
        n, channels = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        height, width = (int(v) for v in rng.integers(pool_size + 1, 12, size=2))
        specs.append(PoolSpec((n, height, width, channels), pool_size, stride, "distinct"))
    cases = [pool_case(rng, spec) for spec in specs]
    # The defaults (pool_size = stride = 2): a case that names neither, handed over without them.
    defaults = pool_case(rng, PoolSpec((2, 7, 6, 3), POOL_DEFAULTS["pool_size"], POOL_DEFAULTS["stride"], "distinct"))
    return cases + [{key: value for key, value in defaults.items() if key not in POOL_DEFAULTS}]


RECEPTIVE_FIELD_EDGE_CASES: dict[str, list[tuple[int, int]]] = {
    # The grade cell's visible asserts.
    "LeNet-5": [(5, 1), (2, 2), (5, 1), (2, 2)],
    "VGG-16 blocks 1-2": [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)],
    "one 1x1 conv": [(1, 1)],
    # Strides before the kernels: the jump *before* a layer scales its kernel.
    "AlexNet": [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1), (3, 1), (3, 1), (3, 2)],
    "strided stack": [(3, 2), (3, 2), (3, 2)],
    # Kernel smaller than stride (1x1/2 subsampling), where size and jump part ways.
    "kernel smaller than stride": [(1, 2), (3, 1), (1, 3), (3, 1)],
}


def random_architecture(rng: np.random.Generator) -> np.ndarray:
    """A random stack of conv/pool layers as an (L, 2) int array of (kernel_size, stride)."""
    layers = []
    for _ in range(int(rng.integers(1, 9))):
        if rng.random() < 0.35:
            size = int(rng.integers(2, 4))
            layers.append((size, size if rng.random() < 0.7 else 2))
        else:
            layers.append((int(rng.choice([1, 3, 5, 7, 11])), int(rng.choice([1, 1, 1, 2, 4]))))
    return np.asarray(layers, dtype=np.int64)


def receptive_field_cases(rng: np.random.Generator) -> Cases:
    """The fixed architectures above, then 12 random stacks."""
    fixed = [np.asarray(layers, dtype=np.int64) for layers in RECEPTIVE_FIELD_EDGE_CASES.values()]
    return [{"layers": a} for a in fixed + [random_architecture(rng) for _ in range(12)]]

