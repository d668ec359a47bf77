"""The published Interpreter API: the authors' README example, the closed form for a linear Phi,
the published-behaviour mode against an independent copy of the original loop, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from wordlight import InputError
from wordlight.interpreter import Interpreter, calculate_regularization

W = torch.tensor([10.0, 20.0, 5.0, -20.0, -10.0])


def _readme_inputs(seed: int = 0):
    torch.manual_seed(seed)
    x = torch.randn(5, 256) / 100
    sampled_x = [torch.randn(5, 256) / 100 for _ in range(100)]
    return x, sampled_x


def _sigma_star(regularization, rate: float, s: int = 5) -> np.ndarray:
    """argmin of E[mean((W@(σ⊙z))²/r²)] − rate·mean log σ, i.e.
    σ_i = sqrt(rate/2S) / (|W_i|·sqrt(mean 1/r²))."""
    r = np.asarray(regularization, dtype=np.float64)
    return math.sqrt(rate / (2 * s)) / (W.double().abs().numpy() * np.sqrt(np.mean(1 / r**2)))


def test_the_published_readme_example_runs_and_converges():
    # --- the authors' README example; only the import line differs -----------------------
    device = torch.device("cpu")
    torch.manual_seed(0)
    x = torch.randn(5, 256) / 100
    words = ["1", "2", "3", "4", "5"]

    def Phi(x):
        W = torch.tensor([10.0, 20.0, 5.0, -20.0, -10.0]).to(device)
        return W @ x

    sampled_x = [torch.randn(5, 256) / 100 for _ in range(100)]
    regularization = calculate_regularization(sampled_x, Phi, device=device)
    interpreter = Interpreter(
        x=x, Phi=Phi, regularization=regularization, scale=10 * 0.1, words=words
    ).to(device)
    interpreter.optimize(iteration=5000, lr=0.5, show_progress=True)
    sigma = interpreter.get_sigma()
    figure = interpreter.visualize()
    # --------------------------------------------------------------------------------------
    assert interpreter.converged and interpreter.iterations < 500  # stopped early
    expected = _sigma_star(regularization, rate=0.1)
    np.testing.assert_allclose(sigma, expected, rtol=0.03)
    np.testing.assert_allclose(expected, [0.00315, 0.00157, 0.00629, 0.00157, 0.00315], rtol=0.03)
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == words


def test_calculate_regularization_is_the_std_over_samples():
    _, sampled = _readme_inputs()
    r = calculate_regularization(sampled, lambda v: W @ v)
    expected = np.std(np.stack([(W @ v).numpy() for v in sampled]).astype(np.float64), axis=0)
    np.testing.assert_allclose(r, expected, rtol=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigma_is_within_3_percent_of_the_closed_form_on_every_word(seed):
    x, sampled = _readme_inputs(seed)
    r = calculate_regularization(sampled, lambda v: W @ v)
    it = Interpreter(x, lambda v: W @ v, scale=1.0, rate=0.1, regularization=r, seed=seed)
    it.optimize(iteration=2000)
    assert it.converged
    np.testing.assert_allclose(it.get_sigma(), _sigma_star(r, rate=0.1), rtol=0.03)


def test_normalised_weight_is_rate_times_m_over_s_k_of_the_published_one():
    x, sampled = _readme_inputs()
    r = calculate_regularization(sampled, lambda v: W @ v)
    rate, (s, k), m = 0.1, x.shape, 256  # Phi's output has M = 256 elements
    published = Interpreter(x, lambda v: W @ v, scale=1.0, rate=rate, regularization=r, seed=5)
    normalised = Interpreter(
        x, lambda v: W @ v, scale=1.0, rate=rate * m / (s * k), regularization=r, seed=5,
        normalised=True,
    )  # fmt: skip
    normalised.ratio.data.copy_(published.ratio.data)  # same start, same noise stream
    a = published.optimize(iteration=300).get_sigma()
    b = normalised.optimize(iteration=300).get_sigma()
    np.testing.assert_allclose(a, b, rtol=1e-4)


def test_a_zero_std_element_gets_weight_zero_not_an_infinite_loss():
    x, sampled = _readme_inputs()
    r = calculate_regularization(sampled, lambda v: W @ v)
    r[:64] = 0.0  # 64 of 256 outputs never varied
    it = Interpreter(x, lambda v: W @ v, scale=1.0, rate=0.1, regularization=r, seed=0)
    sigma = it.optimize(iteration=2000).get_sigma()
    assert np.isfinite(sigma).all()
    # the zero-std elements are left out: the mean over the M = 256 elements keeps 192 terms
    expected = _sigma_star(r[64:], rate=0.1) * math.sqrt(256 / 192)
    np.testing.assert_allclose(sigma, expected, rtol=0.03)


def _original_loop(x, phi, regularization, scale, rate, iterations, lr):
    """The published algorithm, written out independently: σ = scale·sigmoid(ρ), ρ ~ N(0, 1) at
    construction, one noise draw per step, Adam, and the parameters after the step that followed
    the lowest single-sample loss."""
    ratio = torch.nn.Parameter(torch.randn(x.shape[0], 1))
    reg = torch.as_tensor(regularization, dtype=x.dtype)
    optimizer = torch.optim.Adam([ratio], lr=lr)
    best_loss, best = None, None
    for _ in range(iterations):
        optimizer.zero_grad()
        ratios = torch.sigmoid(ratio)
        x_tilde = x + ratios * torch.randn(x.shape) * scale
        loss = torch.mean((phi(x_tilde) - phi(x)) ** 2 / reg**2)
        loss = loss - torch.mean(torch.log(ratios)) * rate
        loss.backward()
        optimizer.step()
        if best_loss is None or best_loss > loss:
            best_loss, best = loss, ratio.detach().clone()
    return (torch.sigmoid(best) * scale).numpy()[:, 0]


def test_published_mode_reproduces_the_original_algorithm():
    x, sampled = _readme_inputs()
    r = calculate_regularization(sampled, lambda v: W @ v)
    torch.manual_seed(42)
    expected = _original_loop(x, lambda v: W @ v, r, scale=1.0, rate=0.1, iterations=300, lr=0.05)
    torch.manual_seed(42)
    it = Interpreter(x, lambda v: W @ v, scale=1.0, rate=0.1, regularization=r, published=True)
    it.optimize(iteration=300, lr=0.05)
    np.testing.assert_allclose(it.get_sigma(), expected, rtol=1e-4)
    assert it.iterations == 300 and not it.converged


def test_ordering_is_stable_across_seeds_on_a_bert_like_phi(tiny_bert):
    from wordlight.models.huggingface import HuggingFaceClassifier

    clf = HuggingFaceClassifier(*tiny_bert)
    ids = tiny_bert[1]("a bad plot", return_tensors="pt")["input_ids"]
    gain = torch.tensor([1.0, 3.0, 0.5, 1.7, 0.8])  # row i of x scaled: LayerNorm sees σ_i/gain_i
    with torch.no_grad():
        x = clf.embedding_output(ids)[0] * gain[:, None]
    ones = torch.ones(1, len(gain), dtype=torch.long)

    def phi(xs):  # every token state of layer 2, a batch of noisy copies at once
        return clf.hidden_state(xs, ones.expand(len(xs), -1), 2)

    # first-order closed form: σ_i² = rate·M / (2·S·Σ_m (∂Φ_m/∂x_i)²) with M = S·16 outputs
    jac = torch.autograd.functional.jacobian(lambda v: phi(v[None])[0], x)
    expected = (0.01 * x.shape[0] * 16 / (2 * x.shape[0] * jac.square().sum((0, 1, 3)))).sqrt()
    orders = []
    for seed in range(3):
        it = Interpreter(x, phi, scale=5.0, rate=0.01, seed=seed, batched_phi=True, tolerance=0.02)
        sigma = it.optimize(iteration=1000).get_sigma()
        np.testing.assert_allclose(sigma, expected.numpy(), rtol=0.03)
        orders.append(np.argsort(sigma).tolist())
    assert orders == [np.argsort(gain.numpy()).tolist()] * 3


def test_bad_input_is_one_clear_line():
    x, _ = _readme_inputs()
    with pytest.raises(InputError, match="3 words for 5 rows"):
        Interpreter(x, lambda v: W @ v, words=["a", "b", "c"])
    with pytest.raises(InputError, match=r"\[length, dimension\]"):
        Interpreter(x[0], lambda v: W @ v)
    ragged = [torch.randn(n, 4) for n in (3, 5)]
    with pytest.raises(InputError, match="reduced_axes"):
        calculate_regularization(ragged, lambda v: v * 2)
    assert calculate_regularization(ragged, lambda v: v * 2, reduced_axes=[0]).shape == (1, 4)
    it = Interpreter(x, lambda v: W @ v)  # no words: visualize numbers the columns
    labels = [t.get_text() for t in it.visualize().axes[0].get_xticklabels()]
    assert labels == ["0", "1", "2", "3", "4"]
    assert "x" in dict(it.named_buffers())  # .to(device) moves x with the module
