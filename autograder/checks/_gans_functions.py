"""Hidden function checks of 06_gans: the GAN losses, D* and the JSD identity, the gradient
penalty and a conditional GAN's conditioning (grader side only). Each check's clauses, the
fixed case of each and the mistake that breaks it, are in :mod:`_gans_contract`.

Logits ``(N,)`` or ``(N, 1)`` cross as float32 arrays (the grade cells make tensors of them);
every loss is compared with the float64 reference of :mod:`_gans_reference` with a tolerance
scaled to the reference (relative ``RTOL`` plus absolute ``ATOL``). The fixed edge cases are
always present, whatever the secret: logits of ±60 and ±200 (where ``log(sigmoid(l))``
computed naively is ``-inf`` in float32), unequal real and fake batch sizes, densities whose
supports do not overlap, and interpolation weights of exactly 0 and 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks import _gans_reference as reference
from autograder.verdicts.judging import Cases, Verdict
from course_utils.judge import CaseResult

# float32 logits: softplus of a float32 value is exact to ~1e-7 relative; a mean over a
# few hundred values keeps that. Measured on the corpus's right answers (keras.ops,
# tf.nn.sigmoid_cross_entropy_with_logits, keras.losses.BinaryCrossentropy(from_logits=True)):
# relative error <= 3e-7. Every mistake in the corpus is off by >= 1e-2 relative.
RTOL, ATOL = 1e-4, 1e-6
# D* in [0, 1]: a float32 log-odds of size ~2,000 (x = 60 standard deviations out) is off by
# ~1e-4 at most, which moves D* by < 3e-5 near 1/2 and by far less in the tails.
DSTAR_ATOL = 1e-4
# Labels must *change* a conditional net's output: an ignored label changes nothing (exactly 0.0).
# Wiring is judged on random weights (the grade cell calls models.randomise_trainable_weights: scale 1
# for the generator, 8 for the discriminator, under each of CONDITIONING_INITS seeds), not as built: a
# label embedding that starts at zero is wired right. Measured on the reference nets and the corpus's
# right alternatives: the smallest change over the 8 examples is 0.08-0.23 (generator) and 0.19-1.6
# (discriminator logits); a frozen zero embedding stays exactly 0.0. At scale 8 the discriminators'
# logits reach |l| of 5 to 44, and at most 1 in 8 lies in [0, 1] under a seed, so "every score of every
# seed in [0, 1]" means a final sigmoid (probabilities), never an honest net.
CONDITIONING_MIN_CHANGE = 1e-7
CONDITIONING_INITS = 4
CONDITIONING_LATENT_DIM = 16    # the notebook's LATENT_DIM is 32: the size must come from the argument

EXTREME_LOGITS = np.array([-200.0, -60.0, -3.0, -0.5, 0.0, 0.5, 3.0, 60.0, 200.0], dtype=np.float32)


LOGIT_OVERFLOW = ("compute log(sigmoid(l)) stably from the logits (e.g. -softplus(-l), or a cross-entropy with "
                  "from_logits=True), never log of a sigmoid that has rounded to 0 or 1.")


def _scalar(check_id: str, result: CaseResult, why_not_finite: str = "for logits as large as ±200: " + LOGIT_OVERFLOW
            ) -> tuple[float | None, str | None]:
    """The one finite scalar a loss returned, or a message for the student (``why_not_finite`` when it is not)."""
    if result.outputs is None or len(result.outputs) != 1:
        return None, f"{check_id}: return one value, the mean loss over the batch."
    value = result.outputs[0]
    if value.size != 1:
        return None, f"{check_id}: returned shape {value.shape}; return the scalar mean over the batch."
    value = float(value.ravel()[0])
    if not np.isfinite(value):
        return None, f"{check_id}: returned {value} {why_not_finite}"
    return value, None


def _close(value: float, expected: float) -> bool:
    return abs(value - expected) <= RTOL * abs(expected) + ATOL


# --------------------------------------------------------------------------- losses
def make_discriminator_cases(rng: np.random.Generator) -> Cases:
    """Extreme logits, unequal batch sizes, (N, 1) and (N,) shapes, and random logits."""
    return [
        {"real_logits": EXTREME_LOGITS[:, None], "fake_logits": EXTREME_LOGITS[::-1, None]},
        {"real_logits": np.array([4.0, 2.0, 3.0], np.float32), "fake_logits": np.array([-1.0, 0.5, -2.0, 1.0,
                                                                                          -0.5, 0.0], np.float32)},
        {"real_logits": rng.normal(1.0, 2.0, size=(64, 1)).astype(np.float32),
         "fake_logits": rng.normal(-1.0, 2.0, size=(32, 1)).astype(np.float32)},
    ]


def make_generator_cases(rng: np.random.Generator) -> Cases:
    """Extreme logits, a confident discriminator (D(G(z)) near 0), a fooled one, random logits."""
    return [
        {"fake_logits": EXTREME_LOGITS[:-1, None]},  # not symmetric: a flipped sign is not the other loss
        {"fake_logits": np.array([-8.0, -6.0, -7.5, -9.0], np.float32)},
        {"fake_logits": np.array([[2.0], [3.0], [1.5]], np.float32)},
        {"fake_logits": rng.normal(0.0, 3.0, size=(48,)).astype(np.float32)},
    ]


def _loss_verdict(check_id: str, cases: Cases, results: list[CaseResult], expected_of, hints) -> Verdict:
    """Compare each case's scalar with ``expected_of(case)``; ``hints(case, value)`` names a likely mistake."""
    for case, result in zip(cases, results):
        value, problem = _scalar(check_id, result)
        if problem:
            return Verdict(False, problem)
        expected = expected_of(case)
        if not _close(value, expected):
            shown = {k: np.round(np.ravel(v)[:6], 2).tolist() for k, v in case.items()}
            return Verdict(False, f"{check_id}: for logits {shown} (first values) you returned {value:.6g}, the "
                                  f"reference {expected:.6g}. {hints(case, value)}")
    return Verdict(True, f"{check_id}: matches the reference on hidden logits, including logits of ±200.")


def judge_discriminator(cases: Cases, results: list[CaseResult]) -> Verdict:
    def expected(case):
        return reference.discriminator_loss(case["real_logits"], case["fake_logits"])

    def hint(case, value):
        real, fake = case["real_logits"], case["fake_logits"]
        if _close(value, -expected(case)):
            return "The sign is flipped: the discriminator *minimises* -log D(x) - log(1 - D(G(z)))."
        pooled = np.mean(np.concatenate([reference.softplus(-real).ravel(), reference.softplus(fake).ravel()]))
        if _close(value, float(pooled)) or _close(value, expected(case) / 2):
            return ("Average the real and the fake terms separately and add the two means (the batches may "
                    "differ in size).")
        return "Loss = mean softplus(-real_logits) + mean softplus(fake_logits): label real 1 and fake 0."

    return _loss_verdict("discriminator_loss", cases, results, expected, hint)


def _generator_hint(case: dict[str, Any], value: float, wanted: str) -> str:
    logits = case["fake_logits"]
    candidates = {"saturating": reference.saturating_generator_loss(logits),
                  "non_saturating": reference.non_saturating_generator_loss(logits)}
    other = "non_saturating" if wanted == "saturating" else "saturating"
    if _close(value, candidates[other]):
        return (f"That is the {other.replace('_', '-')} loss: the saturating one is mean log(1 - D(G(z))), "
                "the non-saturating one -mean log D(G(z)).")
    if any(_close(value, -candidate) for candidate in candidates.values()):
        return "The sign is flipped: return the loss the generator *minimises*."
    return ("Saturating: mean log(1 - sigmoid(l)) = -mean softplus(l); non-saturating: -mean log sigmoid(l) = "
            "mean softplus(-l).")


def judge_saturating(cases: Cases, results: list[CaseResult]) -> Verdict:
    return _loss_verdict("saturating_generator_loss", cases, results,
                         lambda case: reference.saturating_generator_loss(case["fake_logits"]),
                         lambda case, value: _generator_hint(case, value, "saturating"))


def judge_non_saturating(cases: Cases, results: list[CaseResult]) -> Verdict:
    return _loss_verdict("non_saturating_generator_loss", cases, results,
                         lambda case: reference.non_saturating_generator_loss(case["fake_logits"]),
                         lambda case, value: _generator_hint(case, value, "non_saturating"))


# --------------------------------------------------------------------------- D* and the JSD
def make_dstar_cases(rng: np.random.Generator) -> Cases:
    """Unequal widths, equal distributions (D* = 1/2), points 60 standard deviations out, random pairs."""
    grid = np.linspace(-8.0, 8.0, 41)
    return [
        {"x": grid, "data_mean": 0.0, "data_std": 1.0, "model_mean": 1.5, "model_std": 0.5},
        {"x": grid, "data_mean": 2.0, "data_std": 1.3, "model_mean": 2.0, "model_std": 1.3},
        {"x": np.array([-60.0, -45.0, -40.0, 40.0, 45.0, 60.0]), "data_mean": 0.0, "data_std": 1.0,
         "model_mean": 1.0, "model_std": 1.0},
        {"x": rng.uniform(-6.0, 6.0, size=50), "data_mean": float(rng.normal()), "data_std": float(rng.uniform(0.5, 2)),
         "model_mean": float(rng.normal()), "model_std": float(rng.uniform(0.5, 2))},
    ]


def judge_dstar(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        if result.outputs is None or len(result.outputs) != 1:
            return Verdict(False, "optimal_discriminator: return one array, D*(x) for every x.")
        value = result.outputs[0].reshape(-1)
        x = np.asarray(case["x"]).reshape(-1)
        if value.shape != x.shape:
            return Verdict(False, f"optimal_discriminator: for {x.size} points you returned shape "
                                  f"{result.outputs[0].shape}; return one value per point.")
        if not np.all(np.isfinite(value)):
            return Verdict(False, "optimal_discriminator: NaN or infinite values far in the tails (x = ±60), where "
                                  "both densities underflow to 0 and p/(p+q) is 0/0. Compute D* from the log "
                                  "densities: sigmoid(log p_data(x) - log p_model(x)).")
        expected = reference.optimal_discriminator(x, case["data_mean"], case["data_std"], case["model_mean"],
                                                   case["model_std"])
        worst = int(np.argmax(np.abs(value - expected)))
        if abs(value[worst] - expected[worst]) > DSTAR_ATOL:
            swapped = np.allclose(value, 1.0 - expected, atol=DSTAR_ATOL)
            hint = ("that is 1 - D*: D* is the probability that x is *real*, p_data / (p_data + p_model)."
                    if swapped else "D*(x) = p_data(x) / (p_data(x) + p_model(x)) with Gaussian densities "
                                    "(std, not variance, is given).")
            return Verdict(False, f"optimal_discriminator: at x = {x[worst]:.3g} (data N({case['data_mean']:.3g}, "
                                  f"{case['data_std']:.3g}²), model N({case['model_mean']:.3g}, "
                                  f"{case['model_std']:.3g}²)) you returned {value[worst]:.6g}, the reference "
                                  f"{expected[worst]:.6g}: {hint}")
    return Verdict(True, "optimal_discriminator: matches p_data / (p_data + p_model) on hidden Gaussians, "
                         "finite 60 standard deviations out.")


def _gaussian_on(grid: np.ndarray, mean: float, std: float) -> np.ndarray:
    return np.exp(reference.gaussian_log_density(grid, mean, std))


def make_jsd_cases(rng: np.random.Generator) -> Cases:
    """Overlapping Gaussians, identical ones (JSD 0), disjoint supports (JSD log 2), random ones."""
    grid = np.linspace(-10.0, 10.0, 2001)
    dx = float(grid[1] - grid[0])
    box_left = np.where((grid >= -6) & (grid < -2), 0.25, 0.0)
    box_right = np.where((grid >= 1) & (grid < 3), 0.5, 0.0)
    mean, std = float(rng.normal(0, 2)), float(rng.uniform(0.5, 2.0))
    return [
        {"p": _gaussian_on(grid, 0.0, 1.0), "q": _gaussian_on(grid, 1.5, 0.7), "dx": dx},
        {"p": _gaussian_on(grid, -1.0, 1.2), "q": _gaussian_on(grid, -1.0, 1.2), "dx": dx},
        {"p": box_left, "q": box_right, "dx": dx},
        {"p": _gaussian_on(grid, mean, std), "q": 0.5 * box_left + 0.5 * _gaussian_on(grid, 2.0, 1.0), "dx": dx},
    ]


def judge_jsd(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        if result.outputs is None or len(result.outputs) != 2 or any(o.size != 1 for o in result.outputs):
            return Verdict(False, "jsd_identity: jensen_shannon and value_at_optimum must each return one number.")
        jsd, value = (float(o.ravel()[0]) for o in result.outputs)
        p, q, dx = case["p"], case["q"], case["dx"]
        disjoint = bool(np.all((p == 0) | (q == 0)))
        where = "on two densities with disjoint supports" if disjoint else "on two hidden densities"
        if not (np.isfinite(jsd) and np.isfinite(value)):
            return Verdict(False, f"jsd_identity: {where} you returned {jsd} and {value}: where a density is 0, "
                                  "its term p log(p / m) is 0 (0 log 0 = 0); leave those points out of the sum.")
        expected_jsd, expected_value = reference.jensen_shannon(p, q, dx), reference.value_at_optimum(p, q, dx)
        if not _close(jsd, expected_jsd):
            hint = ("that is in bits: use the natural log (nats), in which the maximum is log 2 = 0.693."
                    if _close(jsd, expected_jsd / np.log(2)) else
                    "JSD = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2, each KL a sum of p log(p / m) dx.")
            return Verdict(False, f"jsd_identity: {where} jensen_shannon returned {jsd:.6g}, the reference "
                                  f"{expected_jsd:.6g}: {hint}")
        if not _close(value, expected_value):
            return Verdict(False, f"jsd_identity: {where} value_at_optimum returned {value:.6g}, the reference "
                                  f"{expected_value:.6g} (= -log 4 + 2 JSD): V(G, D*) = sum p log D* dx + sum q "
                                  "log(1 - D*) dx with D* = p / (p + q).")
    return Verdict(True, "jsd_identity: JSD and V(G, D*) match the reference on hidden densities (disjoint "
                         "supports included), and V(G, D*) = -log 4 + 2 JSD.")


# --------------------------------------------------------------------------- gradient penalty
def make_penalty_cases(rng: np.random.Generator) -> Cases:
    """MNIST-shaped and 2-D batches on hidden tanh critics; weights 0 and 1 (x_hat = fake, = real) included;
    a flat critic last (mutation testing found sqrt(||g||^2 - 1e-12), NaN at a zero gradient, surviving)."""
    images_real = rng.uniform(0, 1, size=(6, 28, 28, 1)).astype(np.float32)
    images_fake = rng.uniform(0, 1, size=(6, 28, 28, 1)).astype(np.float32)
    weights_images = np.array([0.0, 1.0, 0.3, 0.5, 0.8, 0.1], np.float32).reshape(6, 1, 1, 1)
    points_real = rng.normal(0, 1, size=(16, 2)).astype(np.float32)
    points_fake = rng.normal(2, 1, size=(16, 2)).astype(np.float32)
    return [
        {**reference.critic_weights(rng, 784, 16), "real": images_real, "fake": images_fake,
         "epsilon": weights_images},
        {**reference.critic_weights(rng, 2, 8), "real": points_real, "fake": points_fake,
         "epsilon": rng.uniform(0, 1, size=(16, 1)).astype(np.float32)},
        # A flat critic (its last layer all zeros): every gradient is 0 and the penalty is (0 - 1)^2 = 1.
        {**reference.critic_weights(rng, 2, 8), "w2": np.zeros((8, 1), np.float32), "real": points_real[:4],
         "fake": points_fake[:4], "epsilon": rng.uniform(0, 1, size=(4, 1)).astype(np.float32)},
    ]


def _penalty_hint(case: dict[str, Any], value: float) -> str:
    weights = {k: case[k] for k in ("w1", "b1", "w2", "b2")}
    real, fake, epsilon = case["real"], case["fake"], case["epsilon"]
    wrong_points = {
        "the real samples": real, "the fake samples": fake,
        "epsilon * fake + (1 - epsilon) * real (the weights swapped)": reference.interpolates(fake, real, epsilon)}
    for name, points in wrong_points.items():
        if _close(value, reference.penalty_at(weights, points)):
            return f"That is the penalty at {name}: take it at x_hat = epsilon * real + (1 - epsilon) * fake."
    gradients = reference.critic_input_gradient(weights, reference.interpolates(real, fake, epsilon))
    norms = np.linalg.norm(gradients.reshape(len(real), -1), axis=1)
    if _close(value, float(np.mean((norms ** 2 - 1.0) ** 2))):
        return "You used the squared norm: the penalty is (||grad||_2 - 1)^2, the norm itself minus 1."
    if _close(value, float(np.mean(np.maximum(norms - 1.0, 0.0) ** 2))):
        return ("You penalised only norms above 1 (the one-sided variant): WGAN-GP's penalty is two-sided, "
                "(||grad||_2 - 1)^2 for norms below 1 too.")
    if _close(value, float((np.linalg.norm(gradients) - 1.0) ** 2)):
        return "That is one norm over the whole batch: take the norm of each sample's gradient, then average."
    return ("mean over the batch of (||d critic(x_hat) / d x_hat||_2 - 1)^2, the norm over each sample's "
            "features (all axes but the first).")


def judge_penalty(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        value, problem = _scalar("gradient_penalty", result, "on a hidden critic: where a critic is flat its gradient "
                                 "is 0, the norm is 0 and the penalty (0 - 1)^2 = 1; take the norm so that a zero "
                                 "gradient gives 0, not 0 / 0 (e.g. tf.norm, or sqrt(sum + 1e-12)).")
        if problem:
            return Verdict(False, problem)
        weights = {k: case[k] for k in ("w1", "b1", "w2", "b2")}
        expected = reference.gradient_penalty(weights, case["real"], case["fake"], case["epsilon"])
        if not _close(value, expected):
            return Verdict(False, f"gradient_penalty: on a hidden critic ({len(case['real'])} samples of shape "
                                  f"{case['real'].shape[1:]}) you returned {value:.6g}, the reference "
                                  f"{expected:.6g}. {_penalty_hint(case, value)}")
    return Verdict(True, "gradient_penalty: matches the reference on hidden critics, at the interpolates.")


# --------------------------------------------------------------------------- conditioning
def make_conditioning_cases(rng: np.random.Generator) -> Cases:
    """Eight latent codes of size 16 (not the notebook's 32: the latent size is an argument) and
    images, each with two different labels, and the seeds of the random weights the grade cell
    gives both nets (``models.randomise_trainable_weights``) before measuring them."""
    labels = rng.permutation(10)[:8]
    return [{"z": rng.normal(size=(8, CONDITIONING_LATENT_DIM)).astype(np.float32), "labels": labels,
             "other_labels": (labels + rng.integers(1, 10, size=8)) % 10,
             "images": rng.uniform(0, 1, size=(8, 28, 28, 1)).astype(np.float32),
             "init_seeds": np.arange(CONDITIONING_INITS)}]


def _conditioning_shapes(generated: np.ndarray, scores: np.ndarray) -> str | None:
    if generated.shape != (8, 28, 28, 1):
        return (f"conditioning: for 8 codes and labels the generator returned shape {generated.shape}, "
                "expected (8, 28, 28, 1).")
    if scores.shape != (8, 1):
        return f"conditioning: for 8 images the discriminator returned shape {scores.shape}, expected (8, 1) logits."
    return None


def judge_conditioning(cases: Cases, results: list[CaseResult]) -> Verdict:
    """Shapes, images in [0, 1], logits (not probabilities), and the label reaching both nets, all
    measured on random weights: under each of the case's seeds the grade cell returns the generator's
    images for two labels and the discriminator's logits for two labels."""
    result, inits = results[0], len(cases[0]["init_seeds"])
    if result.outputs is None or len(result.outputs) != 4 * inits:
        return Verdict(False, f"conditioning: expected {4 * inits} outputs from the grade cell's wrapper.")
    quadruples = [result.outputs[4 * i:4 * i + 4] for i in range(inits)]
    for generated, generated_other, scores, scores_other in quadruples:
        problem = _conditioning_shapes(generated, scores) or _conditioning_shapes(generated_other, scores_other)
        if problem:
            return Verdict(False, problem)
    images = np.stack([q[k] for q in quadruples for k in (0, 1)])
    if not (np.all(np.isfinite(images)) and images.min() >= -1e-6 and images.max() <= 1 + 1e-6):
        return Verdict(False, "conditioning: the generator's images must be finite and in [0, 1] (end with a "
                              "sigmoid).")
    scores = np.stack([q[k] for q in quadruples for k in (2, 3)])
    if not np.all(np.isfinite(scores)):
        return Verdict(False, "conditioning: the discriminator returned NaN or infinite logits on random weights.")
    if np.all((scores >= 0.0) & (scores <= 1.0)):
        return Verdict(False, f"conditioning: under {inits} random initialisations every score of the discriminator "
                              "stayed in [0, 1]: it returns probabilities (a final sigmoid); it must return the "
                              "logits (N, 1), e.g. Dense(1) without an activation: the losses apply the sigmoid.")
    generator_change = np.max([np.abs(g - g_other).reshape(8, -1).max(axis=1) for g, g_other, _, _ in quadruples],
                              axis=0)
    discriminator_change = np.max([np.abs(s - s_other).reshape(8) for _, _, s, s_other in quadruples], axis=0)
    problems = []
    if np.any(generator_change <= CONDITIONING_MIN_CHANGE):
        problems.append("the generator's images do not change when only the label changes")
    if np.any(discriminator_change <= CONDITIONING_MIN_CHANGE):
        problems.append("the discriminator's score does not change when only the label changes")
    if problems:
        return Verdict(False, "conditioning: " + " and ".join(problems) + f" (on {inits} random settings of the "
                              "trainable weights): the label input must reach the output of both nets (e.g. an "
                              "Embedding of the label concatenated with z, and with the image as an extra channel).")
    return Verdict(True, "conditioning: on random weights the labels reach both the generator and the "
                         "discriminator, which returns logits.")
