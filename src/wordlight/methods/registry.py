"""The method registries, the one lookup by name, and a description of every parameter.

``METHODS`` and ``LAYER_METHODS`` map a registered name to its class; adding a method is one line
in :func:`_methods` (or :func:`_layer_methods`). ``get_method(name)`` / ``get_layer_method(name)``
look a name up with the one "unknown method 'x'; choose one of: ..." error, ``make_method`` builds
one from keyword parameters with the one "has no parameter" error, and
:func:`describe_parameters` lists a method's parameters (name, type, default, choices, range) from
the dataclass declarations, for ``wordlight methods``, the CLI's ``-p key=value`` and the app.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from wordlight.checks import (
    Range,
    allows_none,
    choice_error,
    field_range,
    literal_choices,
    type_hints,
)
from wordlight.errors import InputError
from wordlight.methods._layer_base import LayerMethod
from wordlight.methods.base import Explainer
from wordlight.methods.gradient_x_input import GradientXInput
from wordlight.methods.information import Information
from wordlight.methods.integrated_gradients import IntegratedGradients
from wordlight.methods.kernel_shap import KernelShap
from wordlight.methods.layer_conductance import LayerConductance
from wordlight.methods.layer_information import FORWARDED, LayerInformation
from wordlight.methods.layer_integrated_gradients import LayerIntegratedGradients
from wordlight.methods.leave_one_out import LeaveOneOut
from wordlight.methods.lime import Lime
from wordlight.methods.occlusion import Occlusion
from wordlight.methods.saliency import Saliency

T = TypeVar("T")


class Registry(Mapping[str, T], Generic[T]):
    """Registered name -> class, read-only. Iterating gives the registered names; an alias
    (an older name) is accepted wherever a name is, and an unknown name raises the one-line
    InputError that lists the registered ones."""

    def __init__(self, kind: str, classes: Mapping[str, T], aliases: Mapping[str, str]) -> None:
        self.kind = kind
        self._classes = dict(classes)
        self.aliases = dict(aliases)

    def canonical(self, name: str) -> str:
        """The registered name of ``name`` (itself, or what the alias stands for)."""
        name = self.aliases.get(name, name)
        if name not in self._classes:
            raise choice_error(self.kind, name, self._classes)
        return name

    def __getitem__(self, name: str) -> T:
        try:
            return self._classes[self.canonical(name)]
        except InputError as exc:
            raise KeyError(str(exc)) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.aliases.get(name, name) in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {list(self._classes)})"


def _methods() -> dict[str, type[Explainer]]:
    classes: tuple[type[Explainer], ...] = (
        *(Saliency, GradientXInput, IntegratedGradients, Information),
        *(Lime, KernelShap, Occlusion, LeaveOneOut),
    )
    return {cls.name: cls for cls in classes}


def _layer_methods() -> dict[str, type[LayerMethod]]:
    classes: tuple[type[LayerMethod], ...] = (
        LayerIntegratedGradients,
        LayerConductance,
        LayerInformation,
    )
    return {cls.name: cls for cls in classes}


# "shap": KernelShap's name before it was registered as "kernel_shap" (saved results keep it)
METHODS: Registry[type[Explainer]] = Registry("method", _methods(), {"shap": KernelShap.name})
# Layer methods: scores at every encoder layer, one LayerExplanation per text (`wordlight layers`)
LAYER_METHODS: Registry[type[LayerMethod]] = Registry("layer method", _layer_methods(), {})
KINDS: dict[str, Registry[Any]] = {"method": METHODS, "layer method": LAYER_METHODS}


def lookup(kind: str, name: str) -> type[Any]:
    """The class registered as ``name`` in the registry ``kind`` ("method" or "layer method");
    the one-line InputError "unknown method 'x'; choose one of: ..." otherwise."""
    if kind not in KINDS:
        raise choice_error("registry", kind, KINDS)
    registry: Registry[Any] = KINDS[kind]
    return registry._classes[registry.canonical(name)]


def get_method(name: str) -> type[Explainer]:
    """The Explainer class registered as ``name`` (an alias such as "shap" works too)."""
    cls: type[Explainer] = lookup("method", name)
    return cls


def get_layer_method(name: str) -> type[LayerMethod]:
    """The LayerMethod class registered as ``name``."""
    cls: type[LayerMethod] = lookup("layer method", name)
    return cls


@dataclass(frozen=True)
class Parameter:
    """One hyperparameter of a method, as declared on its dataclass."""

    name: str
    type: str  # the annotation as written, e.g. "int | Literal['auto']"
    default: Any
    choices: tuple[Any, ...] = ()  # the allowed strings of a Literal annotation
    range: Range | None = None  # the declared interval (``wordlight.checks.bounded``)
    optional: bool = False  # None is allowed

    def describe(self) -> str:
        """One line: ``n_steps = 50  (an integer >= 1, or 'auto')``."""
        notes = []
        listed = ", ".join(repr(c) for c in self.choices)
        if self.range is not None:
            notes.append(self.range.describe() + (f" or {listed}" if listed else ""))
        elif self.choices:
            notes.append(f"one of {listed}")
        if self.optional and self.default is not None:
            notes.append("or None")
        return f"{self.name} = {self.default!r}" + (f"  ({'; '.join(notes)})" if notes else "")


def describe_parameters(cls: type) -> tuple[Parameter, ...]:
    """The parameters of a method class, in declaration order: name, type, default, choices and
    range, read from the dataclass fields (the same declarations its checks use). A wrapping
    layer method (``LayerInformation``) lists the wrapped method's forwarded parameters."""
    hints = type_hints(cls)
    out: list[Parameter] = []
    for f in dataclasses.fields(cls):
        if cls is LayerInformation and f.name == "information":
            out.extend(p for p in describe_parameters(Information) if p.name in FORWARDED)
            continue
        hint = hints.get(f.name)
        default = f.default_factory() if callable(f.default_factory) else f.default
        written = _annotation_of(cls, f.name) or str(hint)
        out.append(
            Parameter(
                name=f.name,
                type=str(written),
                default=default,
                choices=literal_choices(hint),
                range=field_range(f),
                optional=allows_none(hint),
            )
        )
    return tuple(out)


def _annotation_of(cls: type, name: str) -> str | None:
    for klass in cls.__mro__:
        written = inspect.get_annotations(klass).get(name)
        if written is not None:
            return str(written)
    return None


def check_names(cls: type, params: Mapping[str, Any]) -> None:
    """The one-line error for the first of ``params`` that ``cls`` does not take."""
    names = [p.name for p in describe_parameters(cls)]
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = [k for k in params if k not in names and k not in fields]
    if unknown:
        label = getattr(cls, "name", cls.__name__)
        raise InputError(
            f"{label} has no parameter {unknown[0]!r}; its parameters are: {', '.join(names)}"
        )


def make_method(cls: type[T], params: Mapping[str, Any]) -> T:
    """``cls(**params)``, with the one-line error naming an unknown parameter first."""
    check_names(cls, params)
    return cls(**params)


def configure(method: T, params: Mapping[str, Any]) -> T:
    """A copy of a configured method with ``params`` changed (the same errors as make_method)."""
    if not params:
        return method
    check_names(type(method), params)
    if isinstance(method, LayerInformation):  # forwarded names go to the wrapped Information
        own = {f.name: getattr(method, f.name) for f in dataclasses.fields(LayerMethod)}
        rebuilt: Any = LayerInformation(information=method.information, **{**own, **params})
        return rebuilt
    return dataclasses.replace(method, **params)  # type: ignore[type-var]


def make_explainer(method: str | Explainer, **params: Any) -> Explainer:
    """A method from its registered name (``wordlight.METHODS``) and hyperparameters, or a
    configured Explainer with ``params`` changed. Unknown names and parameters raise the
    one-line InputError."""
    if isinstance(method, Explainer):
        return configure(method, params)
    return make_method(get_method(method), params)


def make_layer_method(method: str | LayerMethod, **params: Any) -> LayerMethod:
    """A layer method from its registered name (``wordlight.LAYER_METHODS``) and
    hyperparameters, or a configured LayerMethod with ``params`` changed."""
    if isinstance(method, LayerMethod):
        return configure(method, params)
    return make_method(get_layer_method(method), params)
