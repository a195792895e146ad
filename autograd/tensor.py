"""``Tensor``: an n-d array node on numpy, sharing ``Node``'s graph walk with ``Value``.

This file is the whole class: construction, how ops are applied and recorded, the hooks backprop
calls (seeding, unbroadcasting, storing and freeing) and every method users call, then the
functions of several tensors (``concatenate``, ``stack``, ``where``, ``maximum``, ``minimum``).
Each method normalizes its arguments and applies one op from ``autograd/ops/`` (where every
derivative rule lives), or composes several: ``mean`` is ``sum / n``, ``min`` is ``-max(-x)``,
``var`` is ``mean((x - mean)**2)``, ``squeeze``/``expand_dims``/``flatten`` are reshapes.

dtype policy (PyTorch's): Python floats and lists of floats become float32; float64 ndarrays and
``dtype=np.float64`` stay float64; an op between a float32 tensor and a Python or numpy scalar
stays float32; integer and bool tensors are allowed as data but only float tensors require grad.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .anomaly import _anomaly, check_forward
from .graph import Node, Op, _mode, backprop
from .ops import elementwise as ew
from .ops import nn as nnops
from .ops import reduce as red
from .ops import shape as shp
from .tensor_data import DEFAULT_FLOAT, as_array, operand

_F64 = np.dtype(np.float64)


def _shape_error(op: type[Op], raw: list, error: Exception) -> ValueError:
    """Rewrite numpy's shape complaint so it names our op and the shapes it was given."""
    shapes = [np.shape(x) for x in raw if isinstance(x, np.ndarray)]
    template = getattr(op, "shape_error", None)
    if template and len(shapes) >= 2:
        return ValueError(template.format(op=getattr(op, "verb", op.name), a=shapes[0], b=shapes[1]))
    listed = ", ".join(str(s) for s in shapes)
    return ValueError(f"{getattr(op, 'verb', op.name)}: {error} (input shapes {listed})")


Axis = int | tuple[int, ...] | None


def _shape_arg(shape: tuple) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _new_shape(shape: tuple, where: str) -> tuple[int, ...]:
    """The shape of a new tensor: ``f(2, 3)`` or ``f((2, 3))``, every size an int >= 0."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"{where}: a shape is made of sizes >= 0, received shape={shape!r}")
    return tuple(int(n) for n in shape)


def _axes(axis: Axis, ndim: int, where: str) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative axes (or None for all), checking the range."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{where}: axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: repeated axis in {axis}")
    return tuple(sorted(out))


def _index(index: Any) -> Any:
    """Tensors and lists inside an index become ndarrays (numpy then does the indexing)."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Node):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index



class Tensor(Node):
    """An n-d array that records the operations applied to it, for reverse-mode autodiff.

    Args:
        data: a number, nested list or ndarray. Floats default to float32 (float64 arrays stay
            float64; pass ``dtype`` to choose).
        requires_grad: whether backward() should compute ``.grad`` for this leaf.
        dtype: numpy dtype to convert to.
        label: a name shown in drawings.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> w.grad.tolist()
        [[2.0, 4.0], [6.0, 8.0]]
    """

    __slots__ = ("requires_grad",)
    _broadcasts = True
    __array_ufunc__ = None  # ndarray <op> Tensor defers to Tensor's reflected operators
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = "") -> None:
        self.data = as_array(data, dtype)
        self.grad = None
        self.label = label
        self.requires_grad = bool(requires_grad)
        if self.requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self._rule = None
        self._inputs = ()
        self._saved = None

    # --- applying ops -----------------------------------------------------------------------
    @staticmethod
    def _apply(op: type[Op], *inputs: Any) -> Tensor:
        """Run ``op.forward`` on the raw payloads and record it when any input needs a gradient.

        Inputs may be Tensors or constants (numbers, axes, shapes, ndarrays); forward receives
        ndarrays for Tensors and the constants as they are.
        """
        if len(inputs) == 2:  # most ops: written out, a comprehension is a call of its own in 3.11
            a, b = inputs
            raw = [a.data if isinstance(a, Tensor) else a, b.data if isinstance(b, Tensor) else b]
        else:
            raw = [x.data if isinstance(x, Tensor) else x for x in inputs]
        try:
            result = op.forward(*raw)
        except ValueError as error:
            raise _shape_error(op, raw, error) from None
        except TypeError as error:  # e.g. numpy refuses bool - bool: name our op and the dtypes
            dtypes = ", ".join(str(x.dtype) for x in raw if isinstance(x, np.ndarray))
            raise TypeError(f"{getattr(op, 'verb', op.name)}: {error} (input dtypes {dtypes})") from None
        saved = None
        if op.saves:
            result, saved = result
        if type(result) is not np.ndarray:
            result = np.asarray(result)  # numpy returns scalars from full reductions
        if (result.dtype is _F64 and not getattr(op, "makes_float64", False)
              and not any(isinstance(x, np.ndarray) and x.dtype is _F64 for x in raw)):
            result = result.astype(DEFAULT_FLOAT)  # ints, ints / ints, int ** 0.5: float32, as in PyTorch
        if _anomaly.enabled:
            check_forward(op, result, raw)
        out = Tensor.__new__(Tensor)
        out.data = result
        out.grad = None
        out.label = ""
        out._saved = None
        if _mode.enabled:
            for x in inputs:
                if isinstance(x, Node) and x.requires_grad:
                    out.requires_grad = True
                    out._rule, out._inputs, out._saved = op, inputs, saved
                    return out
        out.requires_grad = False
        out._rule, out._inputs = None, ()
        return out

    # --- hooks backprop calls ---------------------------------------------------------------
    def _seed_grad(self, grad: Any) -> Any:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs; this tensor has "
                    f"shape {self.shape}: pass grad= of that shape (or call .sum() first)"
                )
            return np.array(1, self.data.dtype).reshape(self.data.shape)  # cheaper than ones_like
        g = grad.data if isinstance(grad, Tensor) and not _mode.enabled else grad
        if np.shape(g) != self.shape:
            raise ValueError(
                f"backward: grad has shape {np.shape(g)}, expected the output's shape {self.shape}"
            )
        return g if isinstance(g, Tensor) else np.asarray(g, dtype=self.data.dtype)

    def _fit_grad(self, g: Any) -> Any:
        data = self.data
        if type(g) is np.ndarray:
            if g.shape != data.shape:
                g = shp.unbroadcast(g, data.shape)
            if g.dtype != data.dtype:
                g = g.astype(data.dtype)  # a float64 constant must not turn a float32 grad into float64
            return g
        if isinstance(g, Tensor):
            return g if g.data.shape == data.shape else Tensor._apply(shp.SumTo, g, data.shape)
        return np.asarray(g, dtype=data.dtype) + np.zeros(data.shape, data.dtype)  # a number: fill the shape

    def _store_grad(self, g: Any, create_graph: bool) -> None:
        if create_graph:
            Node._store_grad(self, g, create_graph)
        elif self.grad is None:
            if self._rule is None and not g.flags.writeable:
                g = g.copy()  # a leaf's .grad must be a real, writable array, not a broadcast view
            self.grad = g
        else:
            # a new array: the old one may be shared with another node, so never add in place
            self.grad = self.grad + (g.data if isinstance(g, Tensor) else g)

    def _release(self) -> None:
        if self._rule is not None:  # leaves keep nothing to free
            self._inputs = None
            self._saved = None

    # --- array attributes -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __bool__(self) -> bool:
        return bool(self._one_number("bool"))

    def __float__(self) -> float:
        return float(self._one_number("float"))

    def __int__(self) -> int:
        return int(self._one_number("int"))

    def _one_number(self, where: str) -> Any:
        """The number in a one-element tensor of any shape (as numpy and PyTorch allow)."""
        if self.data.size == 1:
            return self.data.item()
        if where == "bool":
            raise ValueError(
                f"bool: the truth value of a Tensor with {self.data.size} elements (shape {self.shape}) "
                "is ambiguous; use t.data.any() or t.data.all()"
            )
        raise TypeError(
            f"{where}: only a one-element Tensor can be converted to a Python number, "
            f"received shape {self.shape}"
        )

    def numpy(self) -> np.ndarray:
        """The payload as an ndarray (no copy)."""
        return self.data

    def item(self) -> float:
        """The single number in a one-element tensor."""
        return self.data.item()

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        op = f", op={self.op!r}" if self._rule is not None else ""
        body = np.array2string(self.data, separator=", ", threshold=20, precision=4)
        return f"Tensor({body}, dtype={self.dtype}{grad}{op})"

    __hash__ = Node.__hash__

    # --- constructors -------------------------------------------------------------------------
    @classmethod
    def zeros(cls, *shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
        """A tensor of zeros: ``Tensor.zeros(2, 3)`` or ``Tensor.zeros((2, 3))``."""
        return cls(np.zeros(_new_shape(shape, "zeros"), dtype), requires_grad=requires_grad)

    @classmethod
    def ones(cls, *shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
        """A tensor of ones: ``Tensor.ones(2, 3)``."""
        return cls(np.ones(_new_shape(shape, "ones"), dtype), requires_grad=requires_grad)

    @classmethod
    def full(cls, shape: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A tensor of ``shape`` filled with ``fill_value`` (float32 for a Python float)."""
        shape = _new_shape((shape,), "full")
        if dtype is None and isinstance(fill_value, float):
            dtype = DEFAULT_FLOAT
        return cls(np.full(shape, fill_value, dtype=dtype), requires_grad=requires_grad)

    @classmethod
    def eye(cls, n: int, m: int | None = None, dtype: Any = DEFAULT_FLOAT,
            requires_grad: bool = False) -> Tensor:
        """The n x m identity matrix (m defaults to n)."""
        return cls(np.eye(n, m, dtype=dtype), requires_grad=requires_grad)

    @classmethod
    def arange(cls, start: float, stop: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
        """Evenly spaced values in [start, stop): ints stay int64, floats become float32."""
        values = np.arange(start, stop, step) if stop is not None else np.arange(start)
        if dtype is None and values.dtype.kind == "f":
            dtype = DEFAULT_FLOAT
        return cls(values if dtype is None else values.astype(dtype))

    @classmethod
    def randn(cls, *shape: int, seed: int | None = None, dtype: Any = DEFAULT_FLOAT,
              requires_grad: bool = False) -> Tensor:
        """Standard normal samples N(0, 1); ``seed`` makes them reproducible."""
        values = np.random.default_rng(seed).standard_normal(_new_shape(shape, "randn"))
        return cls(values.astype(dtype), requires_grad=requires_grad)

    @classmethod
    def rand(cls, *shape: int, seed: int | None = None, dtype: Any = DEFAULT_FLOAT,
             requires_grad: bool = False) -> Tensor:
        """Uniform samples in [0, 1)."""
        values = np.random.default_rng(seed).random(_new_shape(shape, "rand"))
        return cls(values.astype(dtype), requires_grad=requires_grad)

    @classmethod
    def uniform(cls, low: float, high: float, shape: Any, seed: int | None = None, dtype: Any = DEFAULT_FLOAT,
                requires_grad: bool = False) -> Tensor:
        """Uniform samples in [low, high)."""
        values = np.random.default_rng(seed).uniform(low, high, _new_shape((shape,), "uniform"))
        return cls(values.astype(dtype), requires_grad=requires_grad)

    # --- graph helpers ------------------------------------------------------------------------
    def backward(self, grad: Any = None, create_graph: bool = False,
                 retain_graph: bool | None = None) -> None:
        """Backpropagate from this tensor: every tensor upstream gets ``.grad += d(self)/d(tensor)``.

        Without ``retain_graph``/``create_graph`` the graph is freed node by node during the pass
        and, as in PyTorch, only leaves keep ``.grad`` (intermediates' gradients are dropped with
        their saved arrays: less memory, fewer fresh pages per step). A retained graph keeps every
        node's ``.grad``, so drawings can show them.

        Example:
            >>> from autograd import Tensor
            >>> x = Tensor([1.0, 2.0], requires_grad=True)
            >>> (x * x).sum().backward()
            >>> x.grad.tolist()
            [2.0, 4.0]

        Args:
            grad: upstream gradient, shaped like this tensor; required unless it has one element.
            create_graph: record the backward pass, so ``.grad`` are Tensors that can be
                differentiated again (second derivatives).
            retain_graph: keep saved arrays and graph links for another backward (default:
                ``create_graph``); otherwise they are freed and a second backward raises.
        """
        backprop(self, grad, create_graph=create_graph, retain_graph=retain_graph)

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    def detach(self) -> Tensor:
        """The same data (shared, not copied) as a new leaf with no graph and no grad."""
        return type(self)(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Turn gradient tracking on (or off) for this leaf, in place; returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad_: only floating-point tensors can require gradients, "
                            f"got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def astype(self, dtype: Any) -> Tensor:
        """A copy converted to ``dtype``; differentiable between float dtypes."""
        if self.requires_grad and np.dtype(dtype).kind == "f":
            return self._apply(ew.Cast, self, np.dtype(dtype))
        return type(self)(self.data.astype(dtype))

    # --- arithmetic (numpy broadcasting; reflected versions put the constant first) -----------
    def __add__(self, other: Any) -> Tensor:
        return self._apply(ew.Add, self, operand(other, "add"))

    def __radd__(self, other: Any) -> Tensor:
        return self._apply(ew.Add, operand(other, "add"), self)

    def __sub__(self, other: Any) -> Tensor:
        return self._apply(ew.Sub, self, operand(other, "sub"))

    def __rsub__(self, other: Any) -> Tensor:
        return self._apply(ew.Sub, operand(other, "sub"), self)

    def __mul__(self, other: Any) -> Tensor:
        return self._apply(ew.Mul, self, operand(other, "mul"))

    def __rmul__(self, other: Any) -> Tensor:
        return self._apply(ew.Mul, operand(other, "mul"), self)

    def __truediv__(self, other: Any) -> Tensor:
        return self._apply(ew.Div, self, operand(other, "div"))

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._apply(ew.Div, operand(other, "div"), self)

    def __pow__(self, other: Any) -> Tensor:
        other = operand(other, "pow")
        return self._apply(ew.Pow if isinstance(other, Node) else ew.PowConst, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return self._apply(ew.Pow, operand(other, "pow"), self)

    def __matmul__(self, other: Any) -> Tensor:
        return _matmul(self, operand(other, "matmul"))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _matmul(operand(other, "matmul"), self)

    def __neg__(self) -> Tensor:
        return self._apply(ew.Neg, self)

    def __abs__(self) -> Tensor:
        return self._apply(ew.Abs, self)

    # --- comparisons: bool tensors, never recorded ----------------------------------------------
    def _compare(self, ufunc: Any, other: Any, name: str) -> Tensor:
        other = operand(other, name)
        try:
            return type(self)(ufunc(self.data, other.data if isinstance(other, Node) else other))
        except ValueError:
            shapes = f"{self.shape} and {np.shape(other)}"
            raise ValueError(f"{name}: shapes {shapes} cannot be broadcast") from None

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(np.less, other, "lt")

    def __le__(self, other: Any) -> Tensor:
        return self._compare(np.less_equal, other, "le")

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(np.greater, other, "gt")

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(np.greater_equal, other, "ge")

    def __eq__(self, other: Any) -> Tensor:  # elementwise, as in PyTorch (Tensors still hash by identity)
        return self._compare(np.equal, other, "eq")

    def __ne__(self, other: Any) -> Tensor:
        return self._compare(np.not_equal, other, "ne")

    # --- elementwise functions ----------------------------------------------------------------
    def exp(self) -> Tensor:
        """e**x elementwise."""
        return self._apply(ew.Exp, self)

    def log(self) -> Tensor:
        """Natural logarithm elementwise (nan/-inf outside x > 0, as numpy)."""
        return self._apply(ew.Log, self)

    def sqrt(self) -> Tensor:
        """Square root elementwise."""
        return self._apply(ew.Sqrt, self)

    def abs(self) -> Tensor:
        """|x| elementwise; gradient sign(x), 0 at 0."""
        return self._apply(ew.Abs, self)

    def tanh(self) -> Tensor:
        """tanh(x) elementwise."""
        return self._apply(ew.Tanh, self)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e**-x) elementwise, computed without overflow."""
        return self._apply(ew.Sigmoid, self)

    def relu(self) -> Tensor:
        """max(x, 0) elementwise."""
        return self._apply(ew.Relu, self)

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        """x if x > 0 else slope * x."""
        return self._apply(ew.LeakyRelu, self, slope)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """min(max(x, lo), hi); the gradient flows where lo <= x <= hi."""
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both, received lo=None, hi=None")
        return self._apply(ew.Clip, self, lo, hi)

    def softmax(self, axis: int = -1) -> Tensor:
        """e**x / sum(e**x) along ``axis`` (the maximum is subtracted first: no overflow)."""
        (axis,) = _axes(axis, self.ndim, "softmax")
        return self._apply(red.Softmax, self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """x - logsumexp(x) along ``axis``, stable for large inputs."""
        (axis,) = _axes(axis, self.ndim, "log_softmax")
        return self._apply(red.LogSoftmax, self, axis)

    # --- reductions ---------------------------------------------------------------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (int, tuple, negative, or None for all)."""
        return self._apply(red.Sum, self, _axes(axis, self.ndim, "sum"), keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``: sum / n."""
        axes = _axes(axis, self.ndim, "mean")
        n = self.size if axes is None else math.prod(self.shape[a] for a in axes)
        return self._apply(red.Sum, self, axes, keepdims) / max(n, 1)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``; tied maxima share the gradient equally (as torch.amax)."""
        return self._apply(red.Max, self, _axes(axis, self.ndim, "max"), keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Minimum over ``axis``: -max(-x)."""
        return -((-self).max(axis, keepdims))

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        """Variance mean((x - mean)**2) over ``axis`` (ddof=0 as numpy/Keras; torch defaults to 1)."""
        axes = _axes(axis, self.ndim, "var")
        n = self.size if axes is None else math.prod(self.shape[a] for a in axes)
        centered = self - self.mean(axes, keepdims=True)
        return (centered * centered).sum(axes, keepdims) / max(n - ddof, 1)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """ln(sum(e**x)) over ``axis``, stable (the maximum is subtracted first)."""
        return self._apply(red.LogSumExp, self, _axes(axis, self.ndim, "logsumexp"), keepdims)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index of the maximum (an int tensor; not differentiable)."""
        return type(self)(np.argmax(self.data, axis=axis, keepdims=keepdims))

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index of the minimum (an int tensor; not differentiable)."""
        return type(self)(np.argmin(self.data, axis=axis, keepdims=keepdims))

    # --- shape ops ----------------------------------------------------------------------------
    def reshape(self, *shape: int) -> Tensor:
        """The same numbers in a new shape (one entry may be -1)."""
        return self._apply(shp.Reshape, self, _shape_arg(shape))

    def transpose(self, *axes: int) -> Tensor:
        """Permute the axes (reverse them when none are given)."""
        axes = _shape_arg(axes) if axes else tuple(range(self.ndim - 1, -1, -1))
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of a {self.ndim}-d tensor's axes")
        return self._apply(shp.Transpose, self, tuple(a % self.ndim for a in axes))

    @property
    def T(self) -> Tensor:
        """The transpose (all axes reversed)."""
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes."""
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(*axes)

    def flatten(self, start_axis: int = 0) -> Tensor:
        """Merge the axes from ``start_axis`` on into one (Flatten keeps the batch: start_axis=1)."""
        if self.ndim == 0:
            return self.reshape(1)
        (start,) = _axes(start_axis, self.ndim, "flatten")
        return self.reshape(self.shape[:start] + (-1,))

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Drop size-1 axes (all of them, or the given ones, which must have size 1)."""
        axes = _axes(axis, self.ndim, "squeeze")
        if axes is None:
            axes = tuple(i for i, n in enumerate(self.shape) if n == 1)
        for a in axes:
            if self.shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} has size {self.shape[a]}, expected 1 "
                                 f"(shape {self.shape})")
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in axes))

    def expand_dims(self, axis: Axis) -> Tensor:
        """Insert size-1 axes at ``axis`` (int or tuple, positions in the result)."""
        # numpy's placement rules, on a zero-stride stand-in (no memory)
        new = np.expand_dims(np.broadcast_to(np.empty((), dtype=bool), self.shape), axis).shape
        return self.reshape(new)

    def broadcast_to(self, *shape: int) -> Tensor:
        """A broadcast (read-only) view of this tensor with ``shape``; the gradient sums back."""
        shape = _shape_arg(shape)
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: shape {self.shape} cannot be broadcast to {shape}") from None
        return shp.broadcast_to(self, shape)

    def __getitem__(self, index: Any) -> Tensor:
        """Numpy indexing: ints, slices, None, ..., int arrays, bool masks; gradients scatter-add."""
        return self._apply(shp.GetItem, self, _index(index))


def _needs(x: Any) -> bool:
    return isinstance(x, Node) and x.requires_grad


def _matmul(a: Any, b: Any) -> Tensor:
    return Tensor._apply(nnops.MatMul, a, b, (_needs(a), _needs(b)))


def _tensor(x: Any, where: str) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(as_array(x, where=where))


def concatenate(tensors: list[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``; the gradient is sliced back to each input.

    Example:
        >>> from autograd import Tensor, concatenate
        >>> concatenate([Tensor.ones(2, 3), Tensor.zeros(1, 3)]).shape
        (3, 3)

    Args:
        tensors: Tensors (or arrays) with equal shapes except along ``axis``.
        axis: the axis to join along (negative counts from the end).
    """
    xs = [_tensor(x, "concatenate") for x in tensors]
    if not xs:
        raise ValueError("concatenate: expected at least one tensor, received an empty list")
    ndim = xs[0].ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"concatenate: axis {axis} is out of range for {ndim}-d tensors")
    return Tensor._apply(shp.Concatenate, axis % ndim, *xs)


def stack(tensors: list[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new ``axis`` (expand_dims, then concatenate).

    Example:
        >>> from autograd import Tensor, stack
        >>> stack([Tensor.ones(3), Tensor.zeros(3)], axis=1).shape
        (3, 2)
    """
    xs = [_tensor(x, "stack") for x in tensors]
    if not xs:
        raise ValueError("stack: expected at least one tensor, received an empty list")
    shapes = {x.shape for x in xs}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, received shapes {sorted(shapes)}")
    ndim = xs[0].ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"stack: axis {axis} is out of range for the {ndim}-d result")
    return concatenate([x.expand_dims(axis % ndim) for x in xs], axis=axis % ndim)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcasting); each branch gets the gradient it chose.

    Example:
        >>> from autograd import Tensor, where
        >>> x = Tensor([-1.0, 2.0])
        >>> where(x > 0, x, 0.0).numpy().tolist()
        [0.0, 2.0]
    """
    cond = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    return Tensor._apply(ew.Where, cond, operand(a, "where"), operand(b, "where"))


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b); at ties each side gets half the gradient (as PyTorch)."""
    return Tensor._apply(ew.Maximum, operand(a, "maximum"), operand(b, "maximum"))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min(a, b); at ties each side gets half the gradient (as PyTorch)."""
    return Tensor._apply(ew.Minimum, operand(a, "minimum"), operand(b, "minimum"))
