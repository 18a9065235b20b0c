"""Hidden checks of 05_autoencoders: the transposed convolution as A^T, autoencoders and their
variants, and the variational autoencoder.

Function checks (cases and judges in :mod:`autograder.checks._autoencoders_functions`,
reference mathematics in float64 NumPy in :mod:`autograder.checks._autoencoders_reference`):
the convolution's matrix A (1-D and 2-D, strides 1-3), the closed-form Gaussian KL (and its
gradients with respect to mu and log_var: the text asks for TensorFlow operations), the
reparameterisation trick (standard normal noise, and the gradient reaches mu and log_var),
the Bernoulli log-likelihood from logits, the contractive loss against the exact Jacobian
of hidden dense encoders (and its gradient with respect to the encoder's weights, taped by the
grade cell around the student's call: training must be able to differentiate it), and the importance-sampling estimate of log p(x) on linear-Gaussian
toy models whose log p(x) is known in closed form.

Artifact checks, served (:mod:`autograder.checks._autoencoders_served`; bars and their measured
values beside them in :mod:`autograder.checks._autoencoders_artifacts`): the denoising
autoencoder's error on hidden noisy test images, the negative ELBO of the latent-2 and latent-16
VAEs on the grader's binarisation of the test split, and the latent-16 VAE's decoded prior
samples as the course's MNIST classifier (``course_utils.evaluation``) sees them: confident
digits, spread over the classes.
"""

from __future__ import annotations

from autograder.checks import _autoencoders_functions as functions
from autograder.checks._autoencoders_artifacts import (  # noqa: F401 - tests and benchmarks reach them here
    DENOISING_MAX_MSE, NOISE_STD, PRIOR_BARS, PRIOR_LATENT_DIM, PRIOR_SAMPLES, VAE_MAX_NEG_ELBO, binarised,
    denoising_error, negative_elbo, noisy, prior_sample_quality, prior_samples, test_images)
from autograder.checks._autoencoders_served import (  # noqa: F401 - tests reach the in-process judges here
    DENOISING_SERVED, PRIOR_SERVED, judge_denoising, judge_prior_samples, judge_vae, vae_served)
from autograder.checks._autoencoders_contract import CLAUSES
from autograder.verdicts.judging import ArtifactCheck, FunctionCheck

ASSIGNMENT = "05_autoencoders"

# the saved models are judged on MNIST's test images, public and readable in the kernel
# (the class report says so: _evaluation_set.public_split_warning)
PUBLIC_EVALUATION_DATASETS = ["mnist"]

CHECKS = [
    FunctionCheck(
        id="conv_matrix", points=2,
        description="the matrix A of a strided VALID convolution (1-D and 2-D), whose transpose is the transposed convolution",
        make_cases=functions.make_conv_matrix_cases, judge=functions.judge_conv_matrix,
        clauses=CLAUSES["conv_matrix"],
    ),
    FunctionCheck(
        id="contractive_loss", points=2,
        description="squared error + weight * squared Frobenius norm of the encoder's Jacobian, per example, differentiable",
        make_cases=functions.make_contractive_cases, judge=functions.judge_contractive,
        clauses=CLAUSES["contractive_loss"],
    ),
    FunctionCheck(
        id="gaussian_kl", points=2,
        description="KL(N(mu, sigma^2) || N(0, I)) in closed form, per example",
        make_cases=functions.make_gaussian_kl_cases, judge=functions.judge_gaussian_kl,
        clauses=CLAUSES["gaussian_kl"],
    ),
    FunctionCheck(
        id="sample_latent", points=2,
        description="reparameterised sample: standard normal noise, gradient to mu and log_var",
        make_cases=functions.make_sample_latent_cases, judge=functions.judge_sample_latent,
        clauses=CLAUSES["sample_latent"],
    ),
    FunctionCheck(
        id="bernoulli_log_likelihood", points=2,
        description="log p(x | logits) of Bernoulli pixels, summed per example",
        make_cases=functions.make_bernoulli_cases, judge=functions.judge_bernoulli,
        clauses=CLAUSES["bernoulli_log_likelihood"],
    ),
    FunctionCheck(
        id="importance_sampled_log_px", points=2,
        description="importance-sampled log p(x) (Burda et al.) on toy models with a closed-form log p(x)",
        make_cases=functions.make_importance_cases, judge=functions.judge_importance,
        clauses=CLAUSES["importance_sampled_log_px"],
    ),
    ArtifactCheck(
        id="denoising_ae", points=2, path="denoising_ae.keras",
        description="denoising autoencoder: reconstruction error on hidden noisy test images",
        judge=judge_denoising, serve=DENOISING_SERVED,
    ),
    ArtifactCheck(
        id="vae_latent2", points=3, path="vae_latent2.keras",
        description="VAE with a 2-D latent space: negative ELBO on binarised test images",
        judge=judge_vae(2), serve=vae_served(2),
    ),
    ArtifactCheck(
        id="vae_latent16", points=3, path="vae_latent16.keras",
        description="VAE with a 16-D latent space: negative ELBO on binarised test images",
        judge=judge_vae(16), serve=vae_served(16),
    ),
    ArtifactCheck(
        id="vae_prior_samples", points=2, path="vae_latent16.keras",
        description="VAE with a 16-D latent space: decoded prior samples recognised as varied digits",
        judge=judge_prior_samples, serve=PRIOR_SERVED,
    ),
]
