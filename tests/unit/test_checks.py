"""The declared checks (wordlight.checks), describe_parameters, the registry lookup and the
LayerInformation wrapper, against hand-written expectations."""

from __future__ import annotations

import dataclasses
import sys
from typing import Literal

import pytest

from wordlight.checks import bounded, check_choice, check_fields, check_range, require
from wordlight.cli._common import coerce_params
from wordlight.errors import InputError, one_of
from wordlight.methods import (
    LAYER_METHODS,
    METHODS,
    Information,
    IntegratedGradients,
    KernelShap,
    LayerInformation,
    describe_parameters,
    get_layer_method,
    get_method,
    lookup,
)


@pytest.mark.parametrize(
    ("kwargs", "value", "message"),
    [
        ({"low": 1, "integer": True}, 0, "x must be >= 1, got 0"),
        ({"low": 1, "integer": True}, 2.5, "x must be an integer >= 1, got 2.5"),
        ({"low": 1, "integer": True}, True, "x must be an integer >= 1, got True"),
        ({"low": 0, "low_open": True}, 0.0, "x must be > 0, got 0.0"),
        ({"low": 0, "high": 1, "high_open": True}, 1, "x must be in [0, 1), got 1"),
        ({"high": 5}, float("nan"), "x must be <= 5, got nan"),
        ({"low": 2, "integer": True, "also": ("auto",)}, "many",
         "x must be an integer >= 2 or 'auto', got 'many'"),
    ],
)  # fmt: skip
def test_range_errors_have_one_format(kwargs, value, message):
    with pytest.raises(InputError) as info:
        check_range("x", value, **kwargs)
    assert str(info.value) == message


def test_values_in_range_and_choices_pass():
    check_range("x", 1, low=1, integer=True)
    check_range("x", 0.5, low=0, high=1, low_open=True)
    check_range("x", "auto", low=1, also=("auto",))
    check_choice("c", "a", ("a", "b"))
    with pytest.raises(InputError, match=r"^unknown c 'z'; choose one of: 'a', 'b'$"):
        check_choice("c", "z", ("a", "b"))
    assert str(one_of("c", "z", ("a", "b"))) == "unknown c 'z'; choose one of: 'a', 'b'"


def test_check_fields_reads_literal_and_bounded_declarations():
    @dataclasses.dataclass(frozen=True)
    class Toy:
        mode: Literal["fast", "exact"] = "fast"
        steps: int | Literal["auto"] = bounded(3, low=1, integer=True)
        cap: int | None = bounded(None, low=1, integer=True)

    check_fields(Toy(steps="auto"))
    with pytest.raises(InputError, match=r"^unknown mode 'slow'; choose one of: 'fast', 'exact'$"):
        check_fields(Toy(mode="slow"))  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^steps must be >= 1 or 'auto', got 0$"):
        check_fields(Toy(steps=0))
    with pytest.raises(InputError, match=r"^cap must be >= 1, got 0$"):
        check_fields(Toy(cap=0))


def test_require_names_the_extra(monkeypatch):
    assert require("json", "viz").dumps([1]) == "[1]"
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(InputError) as info:
        require("pandas", "viz")
    assert (
        str(info.value) == "this needs pandas, which is not installed; pip install 'wordlight[viz]'"
    )


def test_n_steps_error_names_the_rule_in_use():  # issue 14.5: not "for rule None"
    with pytest.raises(InputError) as info:
        IntegratedGradients(n_steps=-3)
    assert str(info.value) == "n_steps must be >= 1 or 'auto' for rule 'gausslegendre', got -3"
    with pytest.raises(
        InputError, match="n_steps must be >= 2 or 'auto' for rule 'clenshaw_curtis'"
    ):
        IntegratedGradients(n_steps=1, rule="clenshaw_curtis")


def test_describe_parameters_reports_the_declarations():
    params = {p.name: p for p in describe_parameters(IntegratedGradients)}
    assert list(params)[:3] == ["output", "max_batch_tokens", "window_overlap"]
    steps = params["n_steps"]
    assert (steps.default, steps.choices) == (50, ("auto",))
    assert steps.range is not None and (steps.range.low, steps.range.integer) == (1, True)
    assert params["baseline"].choices == ("pad", "mask", "zero")
    assert params["rule"].optional and "adaptive_simpson" in params["rule"].choices
    assert params["output"].choices == ("probability", "logit")
    assert params["max_batch_tokens"].optional and params["max_batch_tokens"].default is None
    assert steps.describe() == "n_steps = 50  (an integer >= 1 or 'auto')"
    assert {p.name for p in describe_parameters(KernelShap)} >= {"level", "replace", "n_samples"}


def test_one_lookup_with_one_error_and_the_shap_alias():
    assert get_method("kernel_shap") is KernelShap is get_method("shap") is METHODS["shap"]
    assert "shap" in METHODS and "shap" not in list(METHODS)  # accepted, not listed twice
    assert get_layer_method("information") is LayerInformation
    assert lookup("method", "information") is Information
    with pytest.raises(InputError) as info:
        get_method("nope")
    assert str(info.value).startswith("unknown method 'nope'; choose one of: 'saliency', ")
    with pytest.raises(InputError, match=r"^unknown layer method 'saliency'; choose one of"):
        get_layer_method("saliency")
    assert list(LAYER_METHODS) == ["layer_integrated_gradients", "layer_conductance", "information"]


def test_layer_information_wraps_information_per_layer():
    method = LayerInformation(rate=0.2, lr=0.3, cache_dir="c", published=True, layers=(1, 2))
    inner = method.at_layer(2)
    assert (inner.layer, inner.rate, inner.lr, inner.cache_dir, inner.published) == (
        2,
        0.2,
        0.3,
        "c",
        True,
    )
    assert method.information == Information(rate=0.2, lr=0.3, cache_dir="c", published=True)
    assert method.params()["lr"] == 0.3 and "information" not in method.params()
    assert LayerInformation(information=Information(rate=0.2)) == LayerInformation(rate=0.2)
    with pytest.raises(InputError, match="samples must be >= 1"):
        LayerInformation(samples=0)
    with pytest.raises(InputError, match="information has no parameter 'layer'"):
        LayerInformation(layer=3)  # the layers are `layers`
    assert coerce_params(LayerInformation, ["lr=0.25", "published=yes"]) == {
        "lr": 0.25,
        "published": True,
    }
