"""The contract of 07_style_transfer, clause by clause, and the short hidden runs that hold the
optimisers to the clauses no effect bar can see (issue 27).

``CLAUSES[check_id]`` lists what each exercise's text promises (the exercise's markdown and the
signature and docstring of its solution cell): every argument, each optional one at a value
other than its default, what is returned (dtype, range, shape), one value per image. Each
clause names the fixed hidden case that exercises it (a predicate on the case dict, true for
some case of ``make_cases`` whatever ``COURSE_JUDGE_SECRET`` is) and the answer-corpus mistake
``tests/answers/07_style_transfer/<mistake>.py`` that breaks it
(``tests/test_contract_coverage.py`` enforces both).

Why short runs: the optimisers' main cases (30 and 60 steps on the hidden network) judge the *effect*
(the style loss falls, the content stays), which an answer that ignores ``start``,
``learning_rate``, ``steps``, ``callback`` or one of the weights still achieves. The short cases
take 1 or 2 steps on a small hidden network (a few seconds in all) from a start that is not
noise, with a learning rate that is not the default, and compare the image, pixel by pixel, with
the reference's own Adam steps from the same start: Adam's first steps move each pixel by about
the learning rate in the direction of its gradient's sign, whatever the scale of the loss, so a
right answer agrees on nearly every pixel (measured: all of them) and each of those mistakes on
few.

Two clauses no 1- or 2-step case can see: clip after *every* step (not once at the end) and keep *one*
Adam for the whole run (a new one at every step loses its moments: each step is then Adam's first,
about the learning rate per pixel, which a 2-step comparison at half a learning rate cannot tell from
Adam's second). The whole-run cases (``whole_run``) take 4 steps at learning_rate 0.1 from a start
whose pixels all sit at 0 or 1 (a photograph thresholded), so that clipping bites from the first step
on, with every weight 1e4 times larger (``WHOLE_RUN_WEIGHT_SCALE``), and compare the image with the
reference's steps far more tightly (``MAX_WHOLE_RUN_DEVIATION``). They never look at the images the
callback sees: an honest answer may report before it clips.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from autograder.checks._style_reference import optimise_reference
from autograder.verdicts.judging import Cases, Clause
from course_utils import features

CLAUSE_WIDTHS, CLAUSE_BLOCKS = (8, 16), (1, 2)  # a small hidden network: the short runs cost little
CLAUSE_STYLE_WEIGHTS = {"block1_conv1": 1.0, "block2_conv1": 0.5}
CLAUSE_CONTENT_LAYER = "block2_conv2"
TEXTURE_LEARNING_RATE = 0.01  # the notebook's default is 0.05
TRANSFER_LEARNING_RATE = 0.005  # the notebook's default is 0.02
# The notebook's defaults, judged by a short case that names no learning_rate (mutation testing found a
# default of 1.05 surviving while every case named its rate). Not prefixed opt_: never handed to the function.
TEXTURE_DEFAULT_RATE, TRANSFER_DEFAULT_RATE = 0.05, 0.02
# Share of pixels within half a learning rate of the reference's steps. Right answers: 1.000 on every
# short case (2026-12-07, secrets "" and "contract-coverage"); each mistake of CLAUSES far below.
MIN_AGREEMENT = 0.9
FAR_FROM_START = 0.15  # mean |image - start| beyond which the run did not start there (right: <= steps * lr)
WHOLE_RUN_STEPS, WHOLE_RUN_RATE = 4, 0.1
# The whole-run cases multiply every weight (layer weights; content, style and TV weights) by this: the
# pixels' gradients then sit far above Adam's epsilon (1e-7), where Adam's steps do not depend on the
# loss's scale, so that every exact Adam takes the same steps. At scale 1 the gradients are of epsilon's
# order and a hand-written textbook Adam (epsilon outside the bias correction) strayed 0.001 - 0.046
# learning rates from Keras' Adam, as far as clipping only at the end.
WHOLE_RUN_WEIGHT_SCALE = 1e4
# Mean |image - reference| over the pixels, in learning rates, of a whole-run case. Measured 2026-12-07 on
# the cases of the secrets "", "a", "b" and "contract-coverage" (the reference optimiser against variants of
# it, float32 and float64, both optimisers):
#   right: float64 pixels and losses                           1.5e-6 - 3.7e-6
#   right: a hand-written textbook Adam (epsilon 1e-7 or 1e-8)  1.4e-5 - 4.2e-5
#   right: clip before each step and once more at the end      < 1e-5 (measured at weight scale 1)
#   clipped only once, at the end                              0.037 - 0.17
#   a new Adam at every step                                   0.58 - 0.86
# and on the answer corpus through the real handover (secret ""): the 23 right answers that reach an
# optimiser (eager, tf.function, keras.ops.clip, a clipping constraint, float64 pixels, Adam from its config,
# clip before each step and at the end) 1.3e-7 - 1.9e-6; clipped only at the end 0.094 (transfer), 0.17
# (texture); a new Adam at every step 0.74 - 0.80.
# The bar sits 70x above the right answers' largest and 12x below the nearest mistake.
MAX_WHOLE_RUN_DEVIATION = 3e-3

Picture = Callable[[np.random.Generator, tuple[str, ...], tuple[int, int]], np.ndarray]


# --------------------------------------------------------------------------- the short cases
def _small_network(rng: np.random.Generator) -> dict[str, Any]:
    weights = features.random_vgg_weights(CLAUSE_WIDTHS, CLAUSE_BLOCKS, seed=int(rng.integers(2 ** 31)))
    return {**{f"net_{k}": v for k, v in weights.items()}, **{f"w_{k}": v for k, v in CLAUSE_STYLE_WEIGHTS.items()}}


def texture_clause_cases(rng: np.random.Generator, picture: Picture, styles: tuple[str, ...],
                         photos: tuple[str, ...]) -> Cases:
    """Two short syntheses from a photograph as `start` (not noise): learning_rate 0.01, 2 steps and a
    callback; then one step with neither learning_rate nor callback (the defaults)."""
    network = _small_network(rng)
    return [{"style_image": picture(rng, styles, (24, 24)), "start": picture(rng, photos, (20, 28)), "steps": 2,
             "opt_learning_rate": TEXTURE_LEARNING_RATE, "opt_callback": 1, **network},
            {"style_image": picture(rng, styles, (24, 24)), "start": picture(rng, photos, (20, 28)), "steps": 1,
             "default_learning_rate": TEXTURE_DEFAULT_RATE, **network},
            {"style_image": picture(rng, styles, (24, 24)), "start": _at_the_bounds(picture(rng, photos, (20, 28))),
             **_WHOLE_RUN, **_scaled(network, "w_")}]


_WHOLE_RUN = {"steps": WHOLE_RUN_STEPS, "opt_learning_rate": WHOLE_RUN_RATE, "whole_run": 1}


def _scaled(case: dict[str, Any], prefix: str, names: tuple[str, ...] = ()) -> dict[str, Any]:
    """``case`` with the entries named ``prefix...`` or in ``names`` multiplied by WHOLE_RUN_WEIGHT_SCALE."""
    return {k: (float(v) * WHOLE_RUN_WEIGHT_SCALE if (prefix and k.startswith(prefix)) or k in names else v)
            for k, v in case.items()}


def _at_the_bounds(photograph: np.ndarray) -> np.ndarray:
    """A photograph thresholded at its median: every pixel at 0 or 1 (about half each, whatever the crop), so
    that every step pushes some out of [0, 1]."""
    return (photograph > np.median(photograph)).astype(np.float32)


def transfer_clause_cases(rng: np.random.Generator, picture: Picture, styles: tuple[str, ...],
                          photos: tuple[str, ...], weights: dict[str, float]) -> Cases:
    """Five short transfers: start=None (2 steps, a callback), then from noise with the content term
    only and with the TV term only (1 step each), all at learning_rate 0.005; then start=None with no
    learning_rate (the default, 1 step); then the whole-run case: 4 steps at 0.1 from a start at the bounds."""
    network = _small_network(rng)
    common = {"content_image": picture(rng, photos, (20, 28)), "style_image": picture(rng, styles, (24, 24)),
              "content_layer": CLAUSE_CONTENT_LAYER, "opt_learning_rate": TRANSFER_LEARNING_RATE, **network}
    noise = rng.uniform(0.0, 1.0, size=(1, 20, 28, 3)).astype(np.float32)
    return [{**common, **weights, "steps": 2, "opt_callback": 1},
            {**common, "content_weight": 1.0, "style_weight": 0.0, "tv_weight": 0.0, "steps": 1, "opt_start": noise},
            {**common, "content_weight": 0.0, "style_weight": 0.0, "tv_weight": 1.0, "steps": 1,
             "opt_start": noise.copy()},
            {**{k: v for k, v in common.items() if k != "opt_learning_rate"}, **weights, "steps": 1,
             "default_learning_rate": TRANSFER_DEFAULT_RATE},
            {**_scaled({**common, **weights}, "w_", ("content_weight", "style_weight", "tv_weight")), **_WHOLE_RUN,
             "opt_start": _at_the_bounds(picture(rng, photos, (20, 28)))}]


def is_short(case: dict[str, Any]) -> bool:
    """A short contract case (judged step by step), not a main case (judged by its effect)."""
    return "opt_learning_rate" in case or "default_learning_rate" in case


def rate_of(case: dict[str, Any]) -> float:
    """The learning rate a short case runs at: the one it names, else the notebook's default."""
    return float(case.get("opt_learning_rate", case.get("default_learning_rate")))


def start_of(case: dict[str, Any]) -> np.ndarray:
    """Where a case's optimisation starts: its start (texture: always given), else the content picture."""
    return np.asarray(case.get("start", case.get("opt_start", case.get("content_image"))))


# --------------------------------------------------------------------------- judging the short runs
def _reference_steps(case: dict[str, Any], **mistake: bool) -> np.ndarray:
    """The reference's steps on a short case; ``mistake``: ``optimise_reference``'s clip_every_step or
    fresh_optimizer, to name a mistake an answer's steps match."""
    network, layer_weights = features.layer_dict(case, "net_"), features.layer_dict(case, "w_")
    options: dict[str, Any] = {"learning_rate": rate_of(case), "compiled": False, **mistake}
    if "content_image" in case:
        options.update(content_image=case["content_image"], content_layer=str(case["content_layer"]),
                       content_weight=float(case["content_weight"]), style_weight=float(case["style_weight"]),
                       tv_weight=float(case["tv_weight"]))
    return optimise_reference(network, layer_weights, case["style_image"], start_of(case), int(case["steps"]),
                              **options)


def short_run_problem(check_id: str, case: dict[str, Any], image: np.ndarray) -> str | None:
    """Why ``image`` is not ``steps`` Adam steps of ``learning_rate`` from the case's start, or None."""
    start, rate, steps = start_of(case), rate_of(case), int(case["steps"])
    expected = _reference_steps(case)
    if "whole_run" in case:
        return whole_run_problem(check_id, case, image, expected)
    if float(np.mean(np.abs(image - expected) <= rate / 2)) >= MIN_AGREEMENT:
        return None
    default = "" if "opt_learning_rate" in case else " (none given: the default)"
    run = f"{steps} step{'s' if steps > 1 else ''} with learning_rate={rate:g}{default}"
    if "content_image" in case and "opt_start" not in case:
        where = "start=None (not given), which means the content picture"
    elif "content_image" in case:
        where = "a `start` given (noise, not the content picture)"
    else:
        where = "a `start` given (a photograph, not noise)"
    moved = float(np.mean(np.abs(image - start)))
    if moved > FAR_FROM_START:
        return (f"{check_id}: after {run} from {where}, your pixels are {moved:.2f} away from that start on "
                "average (one Adam step moves a pixel by about the learning rate): start from `start` when it is "
                "given" + (", from the content picture when it is None" if "content_image" in case else "")
                + ", never from noise or a picture of your own.")
    inner = (start > 0.1) & (start < 0.9)
    yours, reference = (float(np.median(np.abs(x - start)[inner])) for x in (image, expected))
    if not 0.6 * reference <= yours <= 1.6 * reference:
        return (f"{check_id}: after {run} from {where}, your pixels moved by {yours:.3g} (median) where Adam "
                f"moves them by {reference:.3g}: use the `learning_rate` given "
                "(keras.optimizers.Adam(learning_rate)), the signature's default when none is, and take exactly "
                "`steps` steps.")
    if "content_image" in case:
        weights = ", ".join(f"{name} {float(case[name]):g}" for name in ("content_weight", "style_weight",
                                                                        "tv_weight"))
        return (f"{check_id}: after {run} from {where} with {weights}, your pixels moved differently from Adam "
                "on content_weight * content loss + style_weight * style loss + tv_weight * TV: each weight "
                "multiplies its own term (here some are 0).")
    return (f"{check_id}: after {run} from {where}, your pixels moved differently from Adam descending the "
            "style loss of the layers of layer_weights.")


def whole_run_deviation(image: np.ndarray, expected: np.ndarray, rate: float) -> float:
    """Mean |image - expected| over the pixels, in learning rates."""
    return float(np.mean(np.abs(np.asarray(image, np.float64) - expected)) / rate)


def whole_run_problem(check_id: str, case: dict[str, Any], image: np.ndarray, expected: np.ndarray) -> str | None:
    """Why a whole-run case's image is not the reference's ``steps`` steps (within MAX_WHOLE_RUN_DEVIATION),
    naming the mistake whose steps it matches (clipped only at the end, a new Adam at every step) if any."""
    rate, steps = rate_of(case), int(case["steps"])
    deviation = whole_run_deviation(image, expected, rate)
    if deviation <= MAX_WHOLE_RUN_DEVIATION:
        return None
    where = (f"after {steps} steps with learning_rate={rate:g} from a `start` whose pixels all sit at 0 or 1, your "
             f"pixels are {deviation:.2f} learning rates away from Adam's on average")
    if whole_run_deviation(image, _reference_steps(case, clip_every_step=False), rate) <= MAX_WHOLE_RUN_DEVIATION:
        return (f"{check_id}: {where}; they match steps clipped only once, at the end: clip the image to [0, 1] "
                "after every step (image.assign(tf.clip_by_value(image, 0.0, 1.0)) after apply_gradients), so "
                "that the next step starts from a valid image.")
    if whole_run_deviation(image, _reference_steps(case, fresh_optimizer=True), rate) <= MAX_WHOLE_RUN_DEVIATION:
        return (f"{check_id}: {where}; they match a new Adam made at every step (each step is then Adam's first, "
                "its moments lost): make one keras.optimizers.Adam(learning_rate) before the loop and use it for "
                "every step.")
    return (f"{check_id}: {where}: one keras.optimizers.Adam(learning_rate) for the whole run (made before the "
            "loop), `steps` steps on the loss from `start`, the image clipped to [0, 1] after every step.")


def callback_problem(check_id: str, case: dict[str, Any], calls: np.ndarray) -> str | None:
    """Why the recorded ``callback(step, loss, image)`` calls break the contract, or None."""
    steps, shape = int(case["steps"]), tuple(start_of(case).shape)
    if calls.ndim != 2 or len(calls) != steps or not np.array_equal(calls[:, 0], np.arange(1, steps + 1)):
        seen = [] if calls.ndim != 2 else [int(s) if np.isfinite(s) else s for s in calls[:, 0]]
        return (f"{check_id}: with a callback and steps={steps}, your function called it with the steps {seen}: "
                f"call callback(step, loss, image) after every step, step counting from 1 to {steps}.")
    if not np.all(np.isfinite(calls[:, 1])):
        return f"{check_id}: the loss your function passed to callback(step, loss, image) is not one finite number."
    if tuple(int(d) for d in calls[0, 2:2 + len(shape)]) != shape:
        return (f"{check_id}: the image your function passed to callback(step, loss, image) is not the image being "
                f"optimised, of shape {shape}.")
    return None


# --------------------------------------------------------------------------- the clauses
def _main(case: dict[str, Any]) -> bool:
    return not is_short(case)


def _whole_run(case: dict[str, Any]) -> bool:
    return "whole_run" in case and bool(np.all((start_of(case) == 0.0) | (start_of(case) == 1.0)))


def _texture_main_shapes_differ(case: dict[str, Any]) -> bool:
    return _main(case) and np.shape(case["style_image"]) != np.shape(case["start"])


def _batch(prefix: str, size: int = 2) -> Callable[[dict[str, Any]], bool]:
    """Cases whose feature maps (or images) have a batch of ``size`` or more."""
    return lambda case: any(k.startswith(prefix) and np.shape(v)[0] >= size for k, v in case.items()
                            if np.ndim(v) == 4)


CLAUSES: dict[str, tuple[Clause, ...]] = {
    "gram_matrix": (
        Clause("one (C, C) matrix per image of a batch of different images, never mixing images",
               _batch("features"), "gram_pooled_over_batch"),
        Clause("the sum is over positions only, not over the batch too", _batch("features"), "gram_over_batch"),
        Clause("divided by the number of positions H * W (H != W)",
               lambda case: np.shape(case["features"])[1] != np.shape(case["features"])[2], "gram_unnormalised"),
        Clause("divided by H * W, not by the size H * W * C", lambda case: np.shape(case["features"])[3] > 1,
               "gram_divided_by_size"),
        Clause("channels by channels, F^T F: (N, C, C), also when C > H * W",
               lambda case: np.shape(case["features"])[3] > np.prod(np.shape(case["features"])[1:3]),
               "gram_positions_by_positions"),
    ),
    "style_loss": (
        Clause("each layer's term multiplied by its own weight (unequal weights)",
               lambda case: len({v for k, v in case.items() if k.startswith("w_")}) > 1, "style_loss_unweighted"),
        Clause("a zero weight leaves its layer out", lambda case: 0.0 in {v for k, v in case.items()
                                                                          if k.startswith("w_")},
               "style_loss_weights_default_one"),
        Clause("the weights as given, not divided by their sum",
               lambda case: sum(v for k, v in case.items() if k.startswith("w_")) != 1.0,
               "style_loss_weights_normalised"),
        Clause("only the layers of layer_weights, though the features hold more",
               lambda case: {k[2:] for k in case if k.startswith("x_")} > {k[2:] for k in case if k.startswith("w_")},
               "style_loss_every_feature_layer"),
        Clause("the mean over the C * C entries, not the sum", lambda case: True, "style_loss_sum_not_mean"),
        Clause("one value per image, (N,), with a style Gram of batch 1 shared by the batch",
               lambda case: _batch("x_")(case) and any(k.startswith("g_") and np.shape(v)[0] == 1
                                                         for k, v in case.items()),
               "style_loss_summed_over_batch"),
    ),
    "content_loss": (
        Clause("the layer named by `layer`, neither the first nor the last of the dict",
               lambda case: [k for k in case if k.startswith("x_")][1:-1].count(f"x_{case['layer']}") == 1,
               "content_loss_wrong_layer", argument="layer"),
        Clause("the mean over positions and channels, not the sum", lambda case: True, "content_loss_sum"),
        Clause("one value per image, (N,)", _batch("x_"), "content_loss_batch_mean"),
    ),
    "total_variation_loss": (
        Clause("absolute differences, not squared", lambda case: np.ptp(case["x"]) > 0, "tv_squared"),
        Clause("absolute values of the differences, not a signed (telescoping) sum",
               lambda case: np.ptp(case["x"]) > 0, "tv_wrong_sign"),
        Clause("both sums divided by H * W * C, not each by its count of pairs (H != W)",
               lambda case: np.shape(case["x"])[1] != np.shape(case["x"])[2], "tv_mean_per_direction"),
        Clause("a loss to minimise, never negative: noise costs, it is not rewarded",
               lambda case: np.ptp(case["x"]) > 0, "tv_negated"),
        Clause("one value per image, (N,)", _batch("x"), "tv_summed_over_batch"),
    ),
    "synthesise_texture": (
        Clause("descend the style loss on the layers of layer_weights from `start` (30 steps: the loss falls "
               "20x or more)", _main, "texture_ascends"),
        Clause("Adam on the pixels, not plain gradient descent", _main, "texture_plain_gradient_descent"),
        Clause("`start` given (a photograph): the steps start from it", lambda case: is_short(case),
               "texture_ignores_start", argument="start"),
        Clause("`learning_rate` given (0.01, not the default 0.05): Adam's steps of that size",
               lambda case: "opt_learning_rate" in case, "texture_ignores_learning_rate", argument="learning_rate"),
        Clause("no `learning_rate` given: the signature's default, 0.05", lambda case: "default_learning_rate" in case,
               "texture_wrong_default_learning_rate", argument="learning_rate"),
        Clause("exactly `steps` Adam steps (2 here)", lambda case: case["steps"] == 2, "texture_one_step_short",
               argument="steps"),
        Clause("`callback` given: callback(step, loss, image) after every step, step from 1",
               lambda case: "opt_callback" in case, "texture_callback_never_called", argument="callback"),
        Clause("pixels in [0, 1]: clipped after every step", _main, "texture_no_clip"),
        Clause("clipped after every step, not only at the end (4 steps of 0.1 from a start at the bounds)",
               _whole_run, "synthesise_texture_clip_only_at_end"),
        Clause("one Adam for the whole run: its moments carry from step to step (4 steps)", _whole_run,
               "synthesise_texture_new_adam_each_step"),
        Clause("float32 pixels", lambda case: True, "texture_float64"),
        Clause("(1, H, W, 3): the start's shape, which may differ from the style image's",
               _texture_main_shapes_differ, "texture_drops_batch_axis"),
    ),
    "style_transfer": (
        Clause("descend the weighted total loss: the style loss falls 5x or more in 60 steps", _main,
               "transfer_ascends"),
        Clause("the content term on `content_layer`, weighted by content_weight: the content survives", _main,
               "transfer_no_content_term", argument="content_layer"),
        Clause("start=None: start from the content picture", lambda case: is_short(case) and "opt_start" not in case,
               "transfer_start_none_noise"),
        Clause("`start` given (noise): the steps start from it", lambda case: is_short(case) and "opt_start" in case,
               "transfer_ignores_start", argument="start"),
        Clause("`learning_rate` given (0.005, not the default 0.02): Adam's steps of that size",
               lambda case: "opt_learning_rate" in case, "transfer_ignores_learning_rate", argument="learning_rate"),
        Clause("no `learning_rate` given: the signature's default, 0.02", lambda case: "default_learning_rate" in case,
               "transfer_wrong_default_learning_rate", argument="learning_rate"),
        Clause("exactly `steps` Adam steps (2 here)", lambda case: case["steps"] == 2, "transfer_one_step_short",
               argument="steps"),
        Clause("`callback` given: callback(step, loss, image) after every step, step from 1",
               lambda case: "opt_callback" in case, "transfer_callback_from_zero", argument="callback"),
        Clause("content_weight and style_weight each multiply their own term (content only here)",
               lambda case: case.get("content_weight") == 1.0 and case.get("style_weight") == 0.0,
               "transfer_weights_swapped", argument="style_weight"),
        Clause("tv_weight multiplies the TV term (TV only here)",
               lambda case: case.get("tv_weight") == 1.0 and case.get("content_weight") == 0.0,
               "transfer_no_tv_term", argument="tv_weight"),
        Clause("(1, H, W, 3) float32, pixels in [0, 1]: clipped after every step", _main, "transfer_no_clip"),
        Clause("clipped after every step, not only at the end (4 steps of 0.1 from a start at the bounds)",
               _whole_run, "style_transfer_clip_only_at_end"),
        Clause("one Adam for the whole run: its moments carry from step to step (4 steps)", _whole_run,
               "style_transfer_new_adam_each_step"),
    ),
}
