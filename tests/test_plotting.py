"""Tests for course_utils.plotting: the right pixels in the right tiles, friendly errors for bad shapes."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

matplotlib.use("Agg")  # rendering in tests never needs a display

from course_utils.plotting import plot_history, show_filters, show_images  # noqa: E402


def visible_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.images or ax.lines]


def renders(fig: Figure) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue().startswith(b"\x89PNG")


# --- show_images ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 6, 7), (5, 6, 7, 1), (5, 6, 7, 3)])
def test_show_images_accepts_grey_and_colour_layouts(shape):
    """Does each accepted layout give one tile per image and render to PNG?"""
    images = np.random.default_rng(0).random(shape)
    fig = show_images(images, ncols=4)
    assert isinstance(fig, Figure)
    tiles = visible_axes(fig)
    assert len(tiles) == 5
    expected_tile = (6, 7, 3) if shape[-1] == 3 else (6, 7)
    assert tiles[0].images[0].get_array().shape == expected_tile
    assert renders(fig)


def test_figures_are_not_kept_by_pyplot():
    """Is every figure released by pyplot, so a notebook shows it once and a loop does not leak?"""
    import matplotlib.pyplot as plt

    show_images(np.zeros((2, 3, 3)))
    plot_history({"loss": [1.0, 0.5]})
    show_filters(np.ones((3, 3, 1, 2)))
    assert plt.get_fignums() == []


def test_show_images_scales_uint8_to_unit_range():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    tile = visible_axes(show_images(images))[0].images[0]
    np.testing.assert_allclose(tile.get_array(), [[0.0, 1.0], [0.2, 0.4]])
    assert tile.get_clim() == (0.0, 1.0)


def test_show_images_keeps_unit_floats_and_stretches_others_per_image():
    """Are floats in [0, 1] left alone, and out-of-range floats stretched image by image?"""
    unit = np.full((1, 2, 2), 0.25)
    np.testing.assert_allclose(visible_axes(show_images(unit))[0].images[0].get_array(), unit[0])
    wide = np.stack([np.array([[-3.0, 1.0]]), np.array([[10.0, 30.0]])])
    tiles = visible_axes(show_images(wide))
    np.testing.assert_allclose(tiles[0].images[0].get_array(), [[0.0, 1.0]])
    np.testing.assert_allclose(tiles[1].images[0].get_array(), [[0.0, 1.0]])


def test_show_images_uses_a_given_value_range():
    """Does value_range=(-1, 1) map a tanh output to [0, 1] without per-image stretching?"""
    images = np.array([[[-1.0, 0.0]]])
    np.testing.assert_allclose(visible_axes(show_images(images, value_range=(-1, 1)))[0].images[0].get_array(),
                               [[0.0, 0.5]])


def test_show_images_puts_labels_class_names_and_titles_above_tiles():
    images = np.zeros((3, 4, 4), dtype=np.uint8)
    assert [ax.get_title() for ax in visible_axes(show_images(images, np.array([7, 1, 0])))] == ["7", "1", "0"]
    named = show_images(images, [2, 0, 1], class_names=["cat", "dog", "owl"])
    assert [ax.get_title() for ax in visible_axes(named)] == ["owl", "cat", "dog"]
    titled = show_images(images, [1, 2, 3], titles=["a", "b", "c"])
    assert [ax.get_title() for ax in visible_axes(titled)] == ["a", "b", "c"]


def test_show_images_lays_out_rows_of_ncols():
    fig = show_images(np.zeros((10, 3, 3)), ncols=4)
    assert len(fig.axes) == 12  # 3 rows of 4, the last two hidden
    assert len(visible_axes(fig)) == 10


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((4, 4)), r"\(N, H, W\).*got \(4, 4\).*image\[None\]"),
        (np.zeros((2, 4, 4, 2)), r"got \(2, 4, 4, 2\)"),
        (np.zeros((2, 3, 4, 4)), r"channels last"),
        (np.zeros((0, 4, 4)), "empty"),
        (np.array([[[np.nan]]]), "NaN"),
        (np.array([[["a"]]]), "must be numbers"),
    ],
)
def test_show_images_rejects_bad_images_with_a_clear_message(images, message):
    with pytest.raises(ValueError, match=message):
        show_images(images)


def test_show_images_rejects_mismatched_labels_and_too_many_images():
    with pytest.raises(ValueError, match="got 2 labels for 3 images"):
        show_images(np.zeros((3, 2, 2)), [0, 1])
    with pytest.raises(ValueError, match="len\\(class_names\\)=2"):
        show_images(np.zeros((1, 2, 2)), [5], class_names=["a", "b"])
    with pytest.raises(ValueError, match="too many.*images\\[:32\\]"):
        show_images(np.zeros((300, 2, 2)))
    with pytest.raises(ValueError, match="ncols"):
        show_images(np.zeros((3, 2, 2)), ncols=0)


# --- plot_history -----------------------------------------------------------------------------


def test_plot_history_puts_train_and_validation_on_one_panel_per_metric():
    history = {"accuracy": [0.5, 0.7, 0.8], "loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7],
               "val_accuracy": [0.4, 0.6, 0.7]}
    fig = plot_history(history)
    panels = visible_axes(fig)
    assert [ax.get_title() for ax in panels] == ["loss", "accuracy"], "loss comes first"
    loss_lines = panels[0].lines
    assert [line.get_label() for line in loss_lines] == ["train", "validation"]
    np.testing.assert_array_equal(loss_lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(loss_lines[1].get_ydata(), [1.1, 0.8, 0.7])
    assert renders(fig)


def test_plot_history_accepts_a_keras_history_like_object_and_a_metric_subset():
    class FakeHistory:  # keras.callbacks.History keeps its curves in .history
        history = {"loss": [1.0, 0.5], "mae": [0.3, 0.2]}

    fig = plot_history(FakeHistory(), metrics=["mae"])
    assert [ax.get_title() for ax in visible_axes(fig)] == ["mae"]


def test_plot_history_rejects_empty_or_malformed_histories():
    with pytest.raises(ValueError, match="empty"):
        plot_history({})
    with pytest.raises(ValueError, match="History\\) or a dict"):
        plot_history([1, 2, 3])
    with pytest.raises(ValueError, match=r"history\['loss'\] must be a non-empty list"):
        plot_history({"loss": "high"})
    with pytest.raises(ValueError, match="no curve named \\['acc'\\]"):
        plot_history({"loss": [1.0]}, metrics=["acc"])


# --- show_filters -----------------------------------------------------------------------------


def test_show_filters_normalises_each_filter_on_its_own():
    """Do a tiny filter and a huge one both span [0, 1] after normalisation?"""
    kernel = np.zeros((2, 2, 1, 2))
    kernel[..., 0] = [[[0.001], [0.002]], [[0.003], [0.004]]]
    kernel[..., 1] = [[[-500.0], [0.0]], [[0.0], [500.0]]]
    tiles = visible_axes(show_filters(kernel))
    assert len(tiles) == 2
    np.testing.assert_allclose(tiles[0].images[0].get_array(), [[0, 1 / 3], [2 / 3, 1]])
    np.testing.assert_allclose(tiles[1].images[0].get_array(), [[0, 0.5], [0.5, 1]])


def test_show_filters_shows_rgb_filters_in_colour():
    kernel = np.random.default_rng(0).standard_normal((3, 3, 3, 4))
    tiles = visible_axes(show_filters(kernel))
    assert len(tiles) == 4 and tiles[0].images[0].get_array().shape == (3, 3, 3)


def test_show_filters_with_many_input_channels_shows_a_row_per_filter_or_one_channel():
    kernel = np.random.default_rng(0).standard_normal((3, 3, 4, 2))
    assert len(visible_axes(show_filters(kernel))) == 8
    one_channel = visible_axes(show_filters(kernel, in_channel=2))
    assert len(one_channel) == 2 and one_channel[0].images[0].get_array().shape == (3, 3)


def test_show_filters_accepts_a_single_2d_filter_and_a_constant_one():
    """Does a hand-made Sobel filter show, and a constant filter become mid-grey rather than NaN?"""
    sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    assert len(visible_axes(show_filters(sobel))) == 1
    constant = visible_axes(show_filters(np.ones((2, 2))))[0].images[0].get_array()
    np.testing.assert_allclose(constant, 0.5)


def test_show_filters_reads_a_conv_layer():
    keras = pytest.importorskip("keras")
    layer = keras.layers.Conv2D(3, 5)
    layer.build((None, 8, 8, 1))
    assert len(visible_axes(show_filters(layer))) == 3


@pytest.mark.parametrize(
    "kernel, kwargs, message",
    [
        (np.zeros((3, 3, 4)), {}, r"\(KH, KW, C_in, C_out\).*got \(3, 3, 4\)"),
        (np.full((2, 2, 1, 1), np.nan), {}, "NaN"),
        (np.zeros((2, 2, 4, 2)), {"in_channel": 4}, r"in_channel must be an integer in \[0, 4\)"),
        (np.zeros((2, 2, 64, 64)), {}, "too many.*in_channel"),
    ],
)
def test_show_filters_rejects_bad_kernels(kernel, kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_filters(kernel, **kwargs)


@pytest.mark.slow
def test_a_returned_figure_shows_once_as_png_in_a_notebook(tmp_path):
    """In a real Jupyter kernel, is a figure shown once when returned, and never when only assigned?"""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom course_utils.plotting import show_images\n"
                                  "show_images(np.zeros((2, 4, 4)))"),
        nbformat.v4.new_code_cell("fig = show_images(np.zeros((2, 4, 4)))"),
    ]
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown, assigned = ([o for o in cell.outputs if "image/png" in o.get("data", {})] for cell in notebook.cells)
    assert len(shown) == 1
    assert assigned == []


# --- show_feature_maps and show_saliency (04_visualising) ----------------------------------------


def test_show_feature_maps_draws_one_tile_per_channel_each_on_its_own_range():
    from course_utils.plotting import show_feature_maps

    maps = np.zeros((6, 5, 3))
    maps[..., 1] = np.arange(30).reshape(6, 5)
    fig = show_feature_maps(maps[None], ncols=2, title="conv1")
    axes = visible_axes(fig)
    assert len(axes) == 3 and renders(fig)
    assert np.isclose(axes[1].images[0].get_array().max(), 1.0)
    assert "max 0" in axes[0].get_title()  # a dead map says so


def test_show_feature_maps_rejects_a_batch_and_too_many_maps():
    from course_utils.plotting import show_feature_maps

    with pytest.raises(ValueError, match=r"\(H, W, C\)"):
        show_feature_maps(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match="too many"):
        show_feature_maps(np.zeros((4, 4, 65)))


def test_show_saliency_puts_each_map_under_its_image():
    from course_utils.plotting import show_saliency

    images = np.random.default_rng(0).uniform(size=(3, 8, 8, 1))
    maps = np.abs(np.random.default_rng(1).normal(size=(3, 8, 8)))
    fig = show_saliency(images, maps, titles=["a", "b", "c"], ncols=2)
    axes = visible_axes(fig)
    assert len(axes) == 6 and renders(fig)
    assert [ax.get_title() for ax in axes if ax.get_title()] == ["a", "b", "c"]
    assert np.isclose(max(ax.images[0].get_array().max() for ax in axes), 1.0)


def test_show_saliency_rejects_maps_of_another_shape():
    from course_utils.plotting import show_saliency

    with pytest.raises(ValueError, match="same shape"):
        show_saliency(np.zeros((2, 8, 8)), np.zeros((2, 7, 8)))


# --- latent spaces (05_autoencoders) -----------------------------------------------------------


def test_plot_latent_space_draws_one_colour_per_class():
    from course_utils.plotting import plot_latent_space

    rng = np.random.default_rng(0)
    fig = plot_latent_space(rng.normal(size=(60, 2)), np.arange(60) % 3, class_names=["a", "b", "c"])
    ax = fig.axes[0]
    assert len(ax.collections) == 3 and renders(fig)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_plot_latent_space_rejects_codes_that_are_not_2d():
    from course_utils.plotting import plot_latent_space

    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot_latent_space(np.zeros((4, 3)), np.zeros(4))


def test_show_latent_grid_puts_each_decoded_image_at_its_code():
    """The tile in the top-right corner is decoded from (limit, limit), the bottom-left from (-limit, -limit)."""
    from course_utils.plotting import show_latent_grid

    def decode(codes):  # an image whose brightness is (z_1 + z_2 + 4) / 8
        return np.broadcast_to(((codes.sum(axis=1) + 4) / 8)[:, None, None], (len(codes), 4, 5)).copy()

    fig = show_latent_grid(decode, n=3, limit=2.0)
    canvas = fig.axes[0].images[0].get_array()
    assert canvas.shape == (12, 15) and renders(fig)
    assert np.isclose(canvas[0, -1], 1.0) and np.isclose(canvas[-1, 0], 0.0) and np.isclose(canvas[5, 7], 0.5)


def test_show_latent_grid_rejects_a_decoder_returning_too_few_images():
    from course_utils.plotting import show_latent_grid

    with pytest.raises(ValueError, match="9 grey images"):
        show_latent_grid(lambda codes: np.zeros((2, 4, 4)), n=3)
