"""``nn.Module``: the base class of every model and layer, for Value and Tensor parameters alike.

Parameters are found by walking attributes (through lists, tuples, dicts and nested Modules), so a
subclass never writes its own ``parameters()``. Names are dotted paths such as ``layers.0.kernel``.

What counts as what:

- **parameter**: a *leaf* ``Value`` (any Value not computed from others), or a *leaf* ``Tensor``
  with ``requires_grad=True``. Values computed from other nodes (cached outputs, say) are skipped:
  they are results, not weights.
- **buffer**: non-trainable state saved in ``state_dict`` (BatchNormalization's moving mean and
  variance). A module declares one with ``self.register_buffer("moving_mean", array)``; the name is
  kept in ``self._buffers`` and the attribute is read afresh each time, so rebinding it
  (``self.moving_mean = new_array``) is fine. A buffer may be an ndarray, a Tensor (usually with
  ``requires_grad=False``) or a number.
- anything else (plain Tensors with ``requires_grad=False``, optimizers, callbacks, arrays that are
  not registered) is ignored.

The walk visits attributes in assignment order, so names and order are deterministic, and a
parameter shared by two modules is reported once, under the first name reached.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd.graph import Node
from autograd.tensor import Tensor
from autograd.value import Value


class LoadResult(NamedTuple):
    """Keys ``load_state_dict(..., strict=False)`` skipped (empty lists with ``strict=True``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def is_parameter(x: Any) -> bool:
    """True for a leaf Value or a leaf Tensor with ``requires_grad=True`` (see the module docstring)."""
    if isinstance(x, Value):
        return x.is_leaf
    return isinstance(x, Tensor) and x.requires_grad and x.is_leaf


def zero_grads(params: Any) -> None:
    """Reset gradients: Values get ``grad = 0.0``; Tensors ``grad = None`` (PyTorch's set_to_none)."""
    for p in params:
        p.grad = 0.0 if isinstance(p, Value) else None


def _payload(x: Any) -> np.ndarray:
    """A copy of a parameter's or buffer's numbers as an ndarray."""
    return np.array(x.data if isinstance(x, Node) else x, copy=True)


class Module:
    """Base class for models and layers: ``module(x)`` calls ``forward(x)``.

    Subclasses assign their parameters (Values, or Tensors with ``requires_grad=True``) and
    sub-modules to attributes; ``parameters()``, ``named_parameters()``, ``zero_grad()``,
    ``state_dict()`` and ``train()``/``eval()`` find them by walking those attributes. Calling
    ``super().__init__()`` is optional (micrograd's classes don't).

    Example:
        >>> from autograd import Value
        >>> from nn import Module
        >>> class Scale(Module):
        ...     def __init__(self):
        ...         self.w = Value(2.0)
        ...     def forward(self, x):
        ...         return self.w * x
        >>> m = Scale()
        >>> m(3.0).data, [name for name, _ in m.named_parameters()]
        (6.0, ['w'])
    """

    training = True  # class default, so subclasses need not call super().__init__()

    def __init__(self) -> None:
        self.training = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{type(self).__name__}: a Module subclass must define forward(...)")

    # --- the attribute walk (iterative: deep containers never hit the recursion limit) ----------
    def _walk(self, descend: bool = True) -> Iterator[tuple[str, str, Any]]:
        """Yield ``(kind, dotted name, object)`` for kind in "module", "param", "buffer", in order.

        With ``descend=False`` sub-modules are reported but not entered (``named_children``).
        """
        seen: set[int] = set()  # ids of modules and nodes already reported
        stack: list[tuple[str, Any]] = [("", self)]
        while stack:
            prefix, obj = stack.pop()
            children: list[tuple[str, Any]] = []
            if isinstance(obj, Module):
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                yield "module", prefix, obj
                if obj is not self and not descend:
                    continue
                buffers = set(getattr(obj, "_buffers", ()))
                for name in getattr(obj, "_buffers", ()):
                    yield "buffer", _join(prefix, name), getattr(obj, name)
                children = [(_join(prefix, k), v) for k, v in vars(obj).items() if k not in buffers]
            elif isinstance(obj, Node):
                if is_parameter(obj) and id(obj) not in seen:
                    seen.add(id(obj))
                    yield "param", prefix, obj
            elif isinstance(obj, (list, tuple)):
                children = [(_join(prefix, str(i)), v) for i, v in enumerate(obj)]
            elif isinstance(obj, dict):
                children = [(_join(prefix, str(k)), v) for k, v in obj.items()]
            stack.extend(reversed(children))  # reversed: pop them in their original order

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module (name ``""``) and every sub-module, in order."""
        return ((name, m) for kind, name, m in self._walk() if kind == "module")

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module."""
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the direct sub-modules (inside lists and dicts too), not their own."""
        walk = self._walk(descend=False)
        return ((name, m) for kind, name, m in walk if kind == "module" and m is not self)

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        return (m for _, m in self.named_children())

    def named_parameters(self) -> Iterator[tuple[str, Any]]:
        """``(dotted name, parameter)`` pairs, e.g. ``("layers.0.kernel", tensor)``; shared ones once."""
        return ((name, p) for kind, name, p in self._walk() if kind == "param")

    def parameters(self) -> list[Any]:
        """Every parameter (leaf Values; leaf Tensors with requires_grad=True), each once."""
        return [p for _, p in self.named_parameters()]

    def register_buffer(self, name: str, value: Any) -> None:
        """Set ``self.<name> = value`` and save it in ``state_dict`` as non-trainable state."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"register_buffer: name must be an identifier, received name={name!r}")
        buffers = list(getattr(self, "_buffers", ()))
        if name not in buffers:
            buffers.append(name)
        self._buffers = buffers
        setattr(self, name, value)

    def named_buffers(self) -> Iterator[tuple[str, Any]]:
        """``(dotted name, value)`` for every registered buffer (see ``register_buffer``)."""
        return ((name, b) for kind, name, b in self._walk() if kind == "buffer")

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (Values: 0.0; Tensors: None, as PyTorch's set_to_none)."""
        zero_grads(self.parameters())

    def train(self, mode: bool = True) -> Module:
        """Set ``.training = mode`` here and in every sub-module (Dropout, BatchNorm read it)."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Inference mode: ``train(False)``."""
        return self.train(False)

    # --- saving and loading -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Ordered ``name -> ndarray copy`` of every parameter and buffer (Values give 0-d arrays)."""
        return {name: _payload(x) for kind, name, x in self._walk() if kind != "module"}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Copy arrays from ``state`` into the parameters and buffers, all or nothing.

        Everything is checked first (names, shapes, dtypes); only then is anything assigned, so on
        any error the module is exactly as it was. Tensors are updated in place (layers and
        optimizers keep references to them).

        Args:
            state: mapping from dotted names to arrays (as returned by ``state_dict()``).
            strict: if True, missing and unexpected keys are errors; if False they are skipped and
                returned. Shape mismatches are always errors.

        Returns:
            ``LoadResult(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, received {type(state).__name__}"
            )
        targets = dict(self._targets())
        missing = [k for k in targets if k not in state]
        unexpected = [k for k in state if k not in targets]
        problems = []
        if strict and (missing or unexpected):
            problems.append(f"missing keys {missing}, unexpected keys {unexpected}")
        staged = []
        for name, (holder, attr, current) in targets.items():
            if name not in state:
                continue
            new = np.asarray(state[name].data if isinstance(state[name], Node) else state[name])
            old = np.asarray(current.data if isinstance(current, Node) else current)
            if new.shape != old.shape:
                problems.append(f"'{name}': shape {new.shape} in the state, {old.shape} in the module")
            elif new.dtype.kind not in "biuf" or not np.can_cast(new.dtype, old.dtype, "same_kind"):
                problems.append(f"'{name}': dtype {new.dtype} cannot be loaded into {old.dtype}")
            else:
                staged.append((holder, attr, current, new))
        if problems:
            where = f"{type(self).__name__}.load_state_dict"
            raise ValueError(f"{where}: " + "; ".join(problems) + " (nothing was loaded)")
        for holder, attr, current, new in staged:
            _assign(holder, attr, current, new)
        return LoadResult(missing, unexpected)

    def _targets(self) -> Iterator[tuple[str, tuple[Any, str, Any]]]:
        """``(name, (owning module or None, attribute name, current object))`` per parameter and buffer."""
        by_name = dict(self.named_modules())
        for kind, name, obj in self._walk():
            if kind == "buffer":
                prefix, _, attr = name.rpartition(".")
                yield name, (by_name[prefix], attr, obj)
            elif kind == "param":
                yield name, (None, "", obj)

    def extra_repr(self) -> str:
        """Override to show a module's settings inside its ``repr``."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({k}): " + repr(v).replace("\n", "\n  ") for k, v in children]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _assign(holder: Any, attr: Any, current: Any, new: np.ndarray) -> None:
    """Write ``new`` into a parameter (in place) or a buffer attribute."""
    if isinstance(current, Value):
        current.data = float(new)
    elif isinstance(current, Tensor):
        np.copyto(current.data, new, casting="same_kind")
    elif isinstance(current, np.ndarray):
        np.copyto(current, new, casting="same_kind")
    else:  # a number-valued buffer
        setattr(holder, attr, type(current)(new))
