"""The methods users call on a ``Tensor``: constructors, operators, reductions, shape ops.

Each method normalizes its arguments (axes, shapes, scalar operands) and applies one op from the
derivative tables, or composes several: ``mean`` is ``sum / n``, ``min`` is ``-max(-x)``, ``var``
is ``mean((x - mean)**2)``, ``squeeze``/``expand_dims``/``flatten`` are reshapes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import tensor_ops as ops
from . import tensor_reductions as red
from . import tensor_shape as shp
from .graph import Node, backprop
from .tensor_data import DEFAULT_FLOAT, operand

Axis = int | tuple[int, ...] | None


def _shape_arg(shape: tuple) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
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


class TensorMethods:
    """Mixin with the user-facing methods of ``Tensor`` (kept apart to keep files small)."""

    __slots__ = ()

    # --- constructors -------------------------------------------------------------------------
    @classmethod
    def zeros(cls, *shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Any:
        """A tensor of zeros: ``Tensor.zeros(2, 3)`` or ``Tensor.zeros((2, 3))``."""
        return cls(np.zeros(_shape_arg(shape), dtype), requires_grad=requires_grad)

    @classmethod
    def ones(cls, *shape: int, dtype: Any = DEFAULT_FLOAT, requires_grad: bool = False) -> Any:
        """A tensor of ones: ``Tensor.ones(2, 3)``."""
        return cls(np.ones(_shape_arg(shape), dtype), requires_grad=requires_grad)

    @classmethod
    def full(cls, shape: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A tensor of ``shape`` filled with ``fill_value`` (float32 for a Python float)."""
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if dtype is None and isinstance(fill_value, float):
            dtype = DEFAULT_FLOAT
        return cls(np.full(shape, fill_value, dtype=dtype), requires_grad=requires_grad)

    @classmethod
    def eye(cls, n: int, m: int | None = None, dtype: Any = DEFAULT_FLOAT,
            requires_grad: bool = False) -> Any:
        """The n x m identity matrix (m defaults to n)."""
        return cls(np.eye(n, m, dtype=dtype), requires_grad=requires_grad)

    @classmethod
    def arange(cls, start: float, stop: float | None = None, step: float = 1, dtype: Any = None) -> Any:
        """Evenly spaced values in [start, stop): ints stay int64, floats become float32."""
        values = np.arange(start, stop, step) if stop is not None else np.arange(start)
        if dtype is None and values.dtype.kind == "f":
            dtype = DEFAULT_FLOAT
        return cls(values if dtype is None else values.astype(dtype))

    @classmethod
    def randn(cls, *shape: int, seed: int | None = None, dtype: Any = DEFAULT_FLOAT,
              requires_grad: bool = False) -> Any:
        """Standard normal samples N(0, 1); ``seed`` makes them reproducible."""
        values = np.random.default_rng(seed).standard_normal(_shape_arg(shape))
        return cls(values.astype(dtype), requires_grad=requires_grad)

    @classmethod
    def rand(cls, *shape: int, seed: int | None = None, dtype: Any = DEFAULT_FLOAT,
             requires_grad: bool = False) -> Any:
        """Uniform samples in [0, 1)."""
        values = np.random.default_rng(seed).random(_shape_arg(shape))
        return cls(values.astype(dtype), requires_grad=requires_grad)

    @classmethod
    def uniform(cls, low: float, high: float, shape: Any, seed: int | None = None, dtype: Any = DEFAULT_FLOAT,
                requires_grad: bool = False) -> Any:
        """Uniform samples in [low, high)."""
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        values = np.random.default_rng(seed).uniform(low, high, shape)
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

    def __iter__(self) -> Any:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    def detach(self) -> Any:
        """The same data (shared, not copied) as a new leaf with no graph and no grad."""
        return type(self)(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        """Turn gradient tracking on (or off) for this leaf, in place; returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad_: only floating-point tensors can require gradients, "
                            f"got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def astype(self, dtype: Any) -> Any:
        """A copy converted to ``dtype``; differentiable between float dtypes."""
        if self.requires_grad and np.dtype(dtype).kind == "f":
            return self._apply(ops.Cast, self, np.dtype(dtype))
        return type(self)(self.data.astype(dtype))

    # --- arithmetic (numpy broadcasting; reflected versions put the constant first) -----------
    def __add__(self, other: Any) -> Any:
        return self._apply(ops.Add, self, operand(other, "add"))

    def __radd__(self, other: Any) -> Any:
        return self._apply(ops.Add, operand(other, "add"), self)

    def __sub__(self, other: Any) -> Any:
        return self._apply(ops.Sub, self, operand(other, "sub"))

    def __rsub__(self, other: Any) -> Any:
        return self._apply(ops.Sub, operand(other, "sub"), self)

    def __mul__(self, other: Any) -> Any:
        return self._apply(ops.Mul, self, operand(other, "mul"))

    def __rmul__(self, other: Any) -> Any:
        return self._apply(ops.Mul, operand(other, "mul"), self)

    def __truediv__(self, other: Any) -> Any:
        return self._apply(ops.Div, self, operand(other, "div"))

    def __rtruediv__(self, other: Any) -> Any:
        return self._apply(ops.Div, operand(other, "div"), self)

    def __pow__(self, other: Any) -> Any:
        other = operand(other, "pow")
        return self._apply(ops.Pow if isinstance(other, Node) else ops.PowConst, self, other)

    def __rpow__(self, other: Any) -> Any:
        return self._apply(ops.Pow, operand(other, "pow"), self)

    def __matmul__(self, other: Any) -> Any:
        return self._apply(ops.MatMul, self, operand(other, "matmul"))

    def __rmatmul__(self, other: Any) -> Any:
        return self._apply(ops.MatMul, operand(other, "matmul"), self)

    def __neg__(self) -> Any:
        return self._apply(ops.Neg, self)

    def __abs__(self) -> Any:
        return self._apply(ops.Abs, self)

    # --- comparisons: bool tensors, never recorded ----------------------------------------------
    def _compare(self, ufunc: Any, other: Any, name: str) -> Any:
        other = operand(other, name)
        try:
            return type(self)(ufunc(self.data, other.data if isinstance(other, Node) else other))
        except ValueError:
            shapes = f"{self.shape} and {np.shape(other)}"
            raise ValueError(f"{name}: shapes {shapes} cannot be broadcast") from None

    def __lt__(self, other: Any) -> Any:
        return self._compare(np.less, other, "lt")

    def __le__(self, other: Any) -> Any:
        return self._compare(np.less_equal, other, "le")

    def __gt__(self, other: Any) -> Any:
        return self._compare(np.greater, other, "gt")

    def __ge__(self, other: Any) -> Any:
        return self._compare(np.greater_equal, other, "ge")

    def __eq__(self, other: Any) -> Any:  # elementwise, as in PyTorch (Tensors still hash by identity)
        return self._compare(np.equal, other, "eq")

    def __ne__(self, other: Any) -> Any:
        return self._compare(np.not_equal, other, "ne")

    # --- elementwise functions ----------------------------------------------------------------
    def exp(self) -> Any:
        """e**x elementwise."""
        return self._apply(ops.Exp, self)

    def log(self) -> Any:
        """Natural logarithm elementwise (nan/-inf outside x > 0, as numpy)."""
        return self._apply(ops.Log, self)

    def sqrt(self) -> Any:
        """Square root elementwise."""
        return self._apply(ops.Sqrt, self)

    def abs(self) -> Any:
        """|x| elementwise; gradient sign(x), 0 at 0."""
        return self._apply(ops.Abs, self)

    def tanh(self) -> Any:
        """tanh(x) elementwise."""
        return self._apply(ops.Tanh, self)

    def sigmoid(self) -> Any:
        """1 / (1 + e**-x) elementwise, computed without overflow."""
        return self._apply(ops.Sigmoid, self)

    def relu(self) -> Any:
        """max(x, 0) elementwise."""
        return self._apply(ops.Relu, self)

    def leaky_relu(self, slope: float = 0.01) -> Any:
        """x if x > 0 else slope * x."""
        return self._apply(ops.LeakyRelu, self, slope)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Any:
        """min(max(x, lo), hi); the gradient flows where lo <= x <= hi."""
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both, received lo=None, hi=None")
        return self._apply(ops.Clip, self, lo, hi)

    def softmax(self, axis: int = -1) -> Any:
        """e**x / sum(e**x) along ``axis`` (the maximum is subtracted first: no overflow)."""
        (axis,) = _axes(axis, self.ndim, "softmax")
        return self._apply(red.Softmax, self, axis)

    def log_softmax(self, axis: int = -1) -> Any:
        """x - logsumexp(x) along ``axis``, stable for large inputs."""
        (axis,) = _axes(axis, self.ndim, "log_softmax")
        return self._apply(red.LogSoftmax, self, axis)

    # --- reductions ---------------------------------------------------------------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Sum over ``axis`` (int, tuple, negative, or None for all)."""
        return self._apply(red.Sum, self, _axes(axis, self.ndim, "sum"), keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Mean over ``axis``: sum / n."""
        axes = _axes(axis, self.ndim, "mean")
        n = self.size if axes is None else math.prod(self.shape[a] for a in axes)
        return self._apply(red.Sum, self, axes, keepdims) / max(n, 1)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Maximum over ``axis``; tied maxima share the gradient equally (as torch.amax)."""
        return self._apply(red.Max, self, _axes(axis, self.ndim, "max"), keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Minimum over ``axis``: -max(-x)."""
        return -((-self).max(axis, keepdims))

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Any:
        """Variance mean((x - mean)**2) over ``axis`` (ddof=0 as numpy/Keras; torch defaults to 1)."""
        axes = _axes(axis, self.ndim, "var")
        n = self.size if axes is None else math.prod(self.shape[a] for a in axes)
        centered = self - self.mean(axes, keepdims=True)
        return (centered * centered).sum(axes, keepdims) / max(n - ddof, 1)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """ln(sum(e**x)) over ``axis``, stable (the maximum is subtracted first)."""
        return self._apply(red.LogSumExp, self, _axes(axis, self.ndim, "logsumexp"), keepdims)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Any:
        """Index of the maximum (an int tensor; not differentiable)."""
        return type(self)(np.argmax(self.data, axis=axis, keepdims=keepdims))

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Any:
        """Index of the minimum (an int tensor; not differentiable)."""
        return type(self)(np.argmin(self.data, axis=axis, keepdims=keepdims))

    # --- shape ops ----------------------------------------------------------------------------
    def reshape(self, *shape: int) -> Any:
        """The same numbers in a new shape (one entry may be -1)."""
        return self._apply(shp.Reshape, self, _shape_arg(shape))

    def transpose(self, *axes: int) -> Any:
        """Permute the axes (reverse them when none are given)."""
        axes = _shape_arg(axes) if axes else tuple(range(self.ndim - 1, -1, -1))
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of a {self.ndim}-d tensor's axes")
        return self._apply(shp.Transpose, self, tuple(a % self.ndim for a in axes))

    @property
    def T(self) -> Any:
        """The transpose (all axes reversed)."""
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Any:
        """Exchange two axes."""
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(*axes)

    def flatten(self, start_axis: int = 0) -> Any:
        """Merge the axes from ``start_axis`` on into one (Flatten keeps the batch: start_axis=1)."""
        if self.ndim == 0:
            return self.reshape(1)
        (start,) = _axes(start_axis, self.ndim, "flatten")
        return self.reshape(self.shape[:start] + (-1,))

    def squeeze(self, axis: Axis = None) -> Any:
        """Drop size-1 axes (all of them, or the given ones, which must have size 1)."""
        axes = _axes(axis, self.ndim, "squeeze")
        if axes is None:
            axes = tuple(i for i, n in enumerate(self.shape) if n == 1)
        for a in axes:
            if self.shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} has size {self.shape[a]}, expected 1 "
                                 f"(shape {self.shape})")
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in axes))

    def expand_dims(self, axis: Axis) -> Any:
        """Insert size-1 axes at ``axis`` (int or tuple, positions in the result)."""
        # numpy's placement rules, on a zero-stride stand-in (no memory)
        new = np.expand_dims(np.broadcast_to(np.empty((), dtype=bool), self.shape), axis).shape
        return self.reshape(new)

    def broadcast_to(self, *shape: int) -> Any:
        """A broadcast (read-only) view of this tensor with ``shape``; the gradient sums back."""
        shape = _shape_arg(shape)
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: shape {self.shape} cannot be broadcast to {shape}") from None
        return shp.broadcast_to(self, shape)

    def __getitem__(self, index: Any) -> Any:
        """Numpy indexing: ints, slices, None, ..., int arrays, bool masks; gradients scatter-add."""
        return self._apply(shp.GetItem, self, _index(index))
