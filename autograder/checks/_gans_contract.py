"""The contracts of 06_gans' function checks, clause by clause (grader side only).

Why: a hidden check is only as fair as the clauses of the exercise text its cases exercise.
Each clause below states one promise of the exercise (the notebook's contract, "discriminators
return logits (N, 1), images in [0, 1]", and each exercise's markdown and docstring in
``solutions/06_gans/06_gans.ipynb``): an argument, a shape, what is returned (logits, not
probabilities), stability. ``exercised_by`` picks the fixed hidden case of :mod:`_gans_functions`
that holds a function to it (whatever the term's secret), and ``mistake`` names the answer-corpus
entry ``tests/answers/06_gans/<mistake>.py`` that breaks it and that the check fails
(``tests/test_contract_coverage.py`` enforces all three).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.verdicts.judging import Clause

Case = dict[str, Any]
NOTEBOOK_LATENT_DIM = 32   # the notebook's LATENT_DIM, the default of build_conditional_generator


def _largest_logit(*names: str):
    return lambda c: max(float(np.max(np.abs(c[name]))) for name in names) >= 200


def _flat(name: str):
    return lambda c: np.ndim(c[name]) == 1


def _generator_clauses() -> tuple[Clause, ...]:
    """The two generator losses share their cases, clauses and mistakes (each entry breaks both)."""
    return (
        Clause("from logits, finite for logits of +-200 (softplus, not log of a sigmoid)",
               _largest_logit("fake_logits"), "generator_losses_naive_log", argument="fake_logits"),
        Clause("the minimax loss is mean log(1 - D(G(z))), the non-saturating one -mean log D(G(z)): "
               "not each other (a case with D(G(z)) near 0)", lambda c: float(np.max(c["fake_logits"])) < -5,
               "generator_losses_confused"),
        Clause("the loss the generator minimises (its sign)", lambda c: "fake_logits" in c,
               "generator_losses_sign"),
        Clause("logits of shape (N,) as well as (N, 1)", _flat("fake_logits"), "generator_losses_assumes_column"),
    )


DISCRIMINATOR_LOSS = (
    Clause("from logits, finite for logits of +-200 (softplus, not log of a sigmoid)",
           _largest_logit("real_logits", "fake_logits"), "discriminator_loss_naive_log"),
    Clause("the batches may differ in size: the mean over the real batch plus the mean over the fake batch",
           lambda c: len(c["real_logits"]) != len(c["fake_logits"]), "discriminator_loss_pooled_mean",
           argument="fake_logits"),
    Clause("real labelled 1 and fake labelled 0", lambda c: "real_logits" in c, "discriminator_loss_labels_swapped",
           argument="real_logits"),
    Clause("the loss the discriminator minimises (its sign)", lambda c: "real_logits" in c,
           "discriminator_loss_sign"),
    Clause("logits of shape (N,) as well as (N, 1)", _flat("real_logits"), "discriminator_loss_assumes_column"),
)

OPTIMAL_DISCRIMINATOR = (
    Clause("D* = p_data / (p_data + p_model), not the likelihood ratio p_data / p_model",
           lambda c: c["data_mean"] != c["model_mean"], "optimal_discriminator_likelihood_ratio"),
    Clause("D* is the probability that x is real, not 1 - D*", lambda c: c["data_mean"] != c["model_mean"],
           "optimal_discriminator_swapped", argument="model_mean"),
    Clause("finite 60 standard deviations out (from log densities)",
           lambda c: float(np.max(np.abs(c["x"] - c["data_mean"]))) / c["data_std"] >= 40,
           "optimal_discriminator_naive_ratio", argument="x"),
    Clause("data_std and model_std are standard deviations, not variances (unequal, so not both 1)",
           lambda c: c["data_std"] != c["model_std"],
           "optimal_discriminator_std_as_variance", argument="data_std"),
)

JSD_IDENTITY = (
    Clause("the JSD in nats (natural logarithm)", lambda c: "p" in c, "jsd_identity_bits"),
    Clause("0 log 0 = 0: where a density is 0 its terms are left out (disjoint supports)",
           lambda c: bool(np.all((c["p"] == 0) | (c["q"] == 0))), "jsd_identity_no_zero_guard"),
    Clause("m = (p + q) / 2", lambda c: not np.array_equal(c["p"], c["q"]), "jsd_identity_mixture_not_halved"),
    Clause("value_at_optimum = sum p log D* dx + sum q log(1 - D*) dx, which is -log 4 + 2 JSD",
           lambda c: "q" in c, "jsd_identity_value_without_log4"),
    Clause("dx is the grid spacing: sums times dx (dx != 1)", lambda c: float(c["dx"]) != 1.0,
           "jsd_identity_dx_ignored", argument="dx"),
)

GRADIENT_PENALTY = (
    Clause("at the interpolates x_hat = epsilon * real + (1 - epsilon) * fake (epsilon strictly inside (0, 1))",
           lambda c: bool(np.any((c["epsilon"] > 0) & (c["epsilon"] < 1))), "gradient_penalty_at_real"),
    Clause("epsilon weighs real and 1 - epsilon fake (epsilon 0 and 1 included)",
           lambda c: {0.0, 1.0} <= set(np.ravel(c["epsilon"]).tolist()), "gradient_penalty_weights_swapped",
           argument="epsilon"),
    Clause("the L2 norm of each sample's gradient over all its features (images (N, 28, 28, 1))",
           lambda c: np.ndim(c["real"]) == 4, "gradient_penalty_norm_over_channels"),
    Clause("batches of any shape (N, ...): 2-D points as well as images", lambda c: np.ndim(c["real"]) == 2,
           "gradient_penalty_image_axes"),
    Clause("one norm per sample, not one over the whole batch", lambda c: len(c["real"]) > 1,
           "gradient_penalty_batch_norm"),
    Clause("(||grad||_2 - 1)^2, not (||grad||_2^2 - 1)^2", lambda c: "real" in c, "gradient_penalty_squared_norm"),
    Clause("two-sided: norms below 1 are penalised too", lambda c: "real" in c, "gradient_penalty_one_sided"),
    Clause("the mean over the batch, not the sum", lambda c: len(c["real"]) > 1, "gradient_penalty_summed_over_batch"),
    Clause("a flat critic (zero gradient everywhere): (0 - 1)^2 = 1, not NaN", lambda c: not np.any(c["w2"]),
           "gradient_penalty_nan_when_flat"),
)


def _labels_differ(c: Case) -> bool:
    return bool(np.all(np.asarray(c["labels"]) != np.asarray(c["other_labels"])))


def _random_weights(c: Case) -> bool:
    """Wiring is judged on random weights, under several seeds (``models.randomise_trainable_weights``)."""
    return len(c["init_seeds"]) >= 4


CONDITIONING = (
    Clause("the generator's images depend on the label (on random weights)",
           lambda c: _labels_differ(c) and _random_weights(c), "conditioning_generator_ignores_label"),
    Clause("the discriminator's logits depend on the label (on random weights)",
           lambda c: _labels_differ(c) and _random_weights(c), "conditioning_discriminator_ignores_label"),
    Clause("the discriminator returns logits, not probabilities (no final sigmoid): some score outside "
           "[0, 1] under random weights", _random_weights, "conditioning_discriminator_sigmoid"),
    Clause("the discriminator returns (N, 1)", lambda c: "images" in c, "conditioning_scores_without_axis"),
    Clause("the generator returns images (N, 28, 28, 1)", lambda c: "z" in c, "conditioning_flat_images"),
    Clause("the generator's pixels are in [0, 1] (it ends with a sigmoid)", _random_weights,
           "conditioning_generator_tanh"),
    Clause("latent_dim is an argument: z of another size than the notebook's LATENT_DIM",
           lambda c: np.shape(c["z"])[1] != NOTEBOOK_LATENT_DIM, "conditioning_generator_fixed_latent",
           argument="latent_dim"),
)

CLAUSES: dict[str, tuple[Clause, ...]] = {
    "discriminator_loss": DISCRIMINATOR_LOSS,
    "saturating_generator_loss": _generator_clauses(),
    "non_saturating_generator_loss": _generator_clauses(),
    "optimal_discriminator": OPTIMAL_DISCRIMINATOR,
    "jsd_identity": JSD_IDENTITY,
    "gradient_penalty": GRADIENT_PENALTY,
    "conditioning": CONDITIONING,
}
