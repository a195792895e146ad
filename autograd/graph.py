"""The machinery every node shares: ``Op``, ``Node`` and the one graph walk (grad mode: grad_mode.py).

Everything that visits a graph (``backward``, ``autograd.grad``, ``draw``, ``backward_steps``)
starts from :func:`topological_order`, an iterative depth-first search, and backprop itself is the
single loop in :func:`backprop`. Nothing here recurses, so a 100,000-deep chain is fine.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import reduce
from itertools import repeat
from operator import add
from sys import getrefcount, version_info
from typing import Any

from .anomaly import _anomaly, check_backward
from .grad_mode import _mode, enable_grad, is_grad_enabled, no_grad  # noqa: F401 (re-exported)

# Python 3.14 borrows references on the operand stack, so getrefcount can under-count: there the
# "only the pass holds this gradient" test could be wrong, and in-place rules are not used
_REFCOUNTS_EXACT = version_info < (3, 14)


class Op:
    """One operation: ``forward`` on raw payloads and ``backward``, its vector-Jacobian rule.

    ``backward(g, out, *args)`` returns one gradient per argument (``None`` for arguments that are
    constants, axes or shapes). It is written with operators and methods that both raw payloads
    (floats, ndarrays) and nodes understand, so that with ``create_graph=True`` the same rule,
    called on nodes, records the backward pass and gradients can be differentiated again.
    Ops that keep extra state for backward set ``saves = True``: their forward returns
    ``(out, saved)`` and their backward is called as ``backward(g, out, saved, *args)``.
    """

    name = "op"
    saves = False
    differentiable_twice = True  # False for kernels whose backward works on raw arrays only
    # optional: the same rule, allowed to overwrite g; a plain Tensor backward() calls it when the
    # pass holds the only reference to g (a fresh array nobody else sees), saving a big temporary
    backward_owned: Callable | None = None

    @staticmethod
    def forward(*args: Any) -> Any:  # pragma: no cover - every op overrides it
        raise NotImplementedError

    @staticmethod
    def backward(g: Any, out: Any, *args: Any) -> tuple:  # pragma: no cover
        raise NotImplementedError


class Node:
    """Base class of ``Value`` and ``Tensor``: a payload, its gradient and how it was made.

    ``_op`` is the ``Op`` class that produced the node (``None`` for leaves) and ``_inputs`` the
    arguments it was called with, nodes and constants alike. Subclasses say how to wrap a raw
    payload (``_wrap``) and how to fit an incoming gradient to their shape (``_fit_grad``).
    """

    __slots__ = ("data", "grad", "label", "_op", "_inputs", "_saved", "__weakref__")

    requires_grad = True
    _broadcasts = False  # Tensors set this: their incoming gradients may need unbroadcasting

    @property
    def op(self) -> str:
        """Name of the operation that made this node; ``""`` for a leaf."""
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple:
        """The nodes this one was computed from (constants are left out)."""
        return tuple(x for x in self._inputs if isinstance(x, Node))

    def backward(
        self, grad: Any = None, create_graph: bool = False, retain_graph: bool | None = None
    ) -> None:
        """Backpropagate from this node: every node upstream gets ``.grad += d(self)/d(node)``."""
        backprop(self, grad, create_graph=create_graph, retain_graph=retain_graph)

    # --- hooks the subclasses fill in -------------------------------------------------------
    def _seed_grad(self, grad: Any) -> Any:
        """The gradient backprop starts from (1 for a scalar root)."""
        raise NotImplementedError  # pragma: no cover

    def _fit_grad(self, g: Any) -> Any:
        """Reduce an incoming gradient to this node's shape (undo broadcasting); identity for scalars."""
        return g

    def _store_grad(self, g: Any, create_graph: bool) -> None:
        """Accumulate: a node may be reached by several backward passes."""
        if create_graph:
            self.grad = g if _is_zero(self.grad) else self.grad + g
        else:
            self.grad = g if self.grad is None else self.grad + _raw(g)

    def _release(self) -> None:
        """Drop what backward needed (``retain_graph=False``); Values keep their small graphs."""


def _is_zero(grad: Any) -> bool:
    return grad is None or (isinstance(grad, (int, float)) and grad == 0)


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def topological_order(root: Node, allow_freed: bool = False) -> list[Node]:
    """Every node ``root`` depends on, each after all of its inputs (iterative DFS, no recursion).

    A node whose graph was freed by ``backward()`` raises, unless ``allow_freed`` (drawing),
    which treats it as having no inputs.

    Example:
        >>> from autograd import Value
        >>> a = Value(2.0, label="a"); b = a * a
        >>> [n.label or n.op for n in topological_order(b)]
        ['a', '*']
    """
    order: list[Node] = []
    visited: set[Node] = {root}  # nodes hash by identity
    # each stack entry is a node and an iterator over its inputs: a node is placed once its
    # iterator runs out, i.e. after everything it depends on
    stack = [(root, iter(_inputs_of(root, allow_freed)))]
    while stack:
        node, inputs = stack[-1]
        for x in inputs:
            if isinstance(x, Node) and x not in visited:
                visited.add(x)
                x_inputs = x._inputs
                if x_inputs is None:
                    x_inputs = _inputs_of(x, allow_freed)  # freed by backward: raises unless drawing
                # a leaf, or a scalar node whose inputs are all visited (in a DAG that means
                # placed): place x now, the check running in C (a neuron's node has ~2n inputs);
                # array nodes have a few inputs, some of them unhashable ndarrays: walk those
                placed = not x_inputs
                if not placed and not x._broadcasts:
                    try:
                        placed = visited.issuperset(x_inputs)
                    except TypeError:  # an unhashable constant among a scalar node's inputs
                        placed = False
                if placed:
                    order.append(x)
                    continue
                stack.append((x, iter(x_inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _inputs_of(node: Node, allow_freed: bool) -> tuple:
    inputs = node._inputs
    if inputs is None:
        if not allow_freed:
            raise RuntimeError(
                f"backward: the graph through '{node.op}' was already freed by an earlier backward(); "
                "pass retain_graph=True to the first backward() to backpropagate through it again"
            )
        return ()
    return inputs


def backprop(
    root: Node,
    grad: Any = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
    on_step: Callable[[Node, Any, list], None] | None = None,
    store: bool = True,
) -> dict[Node, Any]:
    """The backprop loop: visit nodes in reverse topological order and apply each op's rule.

    Gradients of this pass live in a local table, so stale ``.grad`` values from earlier passes
    never leak into this one; each node's ``.grad`` is accumulated when the loop reaches it
    (``store=False``, used by ``autograd.grad``, leaves ``.grad`` alone). ``on_step(node, g,
    [(input, amount), ...])`` sees every step (that is how ``backward_steps`` records them).
    Returns the pass's table of gradients. Saved arrays are freed afterwards unless
    ``retain_graph`` (default: ``create_graph``). A Tensor graph that is not retained (plain
    ``backward()``, no ``on_step``) is freed node by node during the pass instead, and only its
    leaves keep ``.grad``, as in PyTorch (see :func:`_backprop_freeing`).

    Two shortcuts keep scalar graphs fast. A scalar node whose gradient is exactly 0.0 (plain
    floats, no ``create_graph``, no ``on_step``) sends nothing upstream, since 0 times any finite
    local derivative is 0; nodes reached only through such nodes keep their ``.grad`` (as adding
    0 would) and get 0.0 in the returned table (so unlike PyTorch, 0 * inf gives 0 there, not NaN).
    And Python's cyclic garbage collector is paused during a retained pass, which creates no cycles.
    """
    order = topological_order(root)
    if root._broadcasts and store and on_step is None and not create_graph and not retain_graph:
        return _backprop_freeing(root, grad, order)  # a few big nodes: no collector to pause
    # the pass creates no reference cycles, only short-lived lists and numbers: pause the cyclic
    # collector so that it does not re-scan the whole graph several times while we walk it
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _backprop(root, grad, create_graph, retain_graph, on_step, store, order)
    finally:
        if collecting:
            gc.enable()


def _backprop(root: Node, grad: Any, create_graph: bool, retain_graph: bool | None,
              on_step: Callable | None, store: bool, order: list[Node]) -> dict[Node, Any]:
    # one bucket per node that wants a gradient, holding what each consumer sends it; gradients
    # for constants and for nodes that need none are dropped into `sink`
    buckets: dict[Node, list] = {node: [] for node in order if node.requires_grad}
    buckets[root] = [root._seed_grad(grad)]
    take, bucket_of, sink = buckets.pop, buckets.get, []
    result: dict[Node, Any] = {}
    # with plain floats, a node whose gradient is exactly 0 sends 0 * (finite derivative) = 0
    # upstream: skip it (a dead ReLU or a satisfied hinge margin cuts off its whole subgraph)
    skip_zeros = not create_graph and on_step is None
    anomaly = _anomaly.enabled  # read once: thread-local reads are slow
    previous_mode = _mode.enabled
    _mode.enabled = create_graph  # rules record a graph only when asked to
    try:
        for node in reversed(order):
            bucket = take(node, None)
            if not bucket:
                if bucket is not None and not node._broadcasts:
                    result[node] = 0.0  # a scalar cut off by zero gradients: its gradient is 0
                continue
            g = bucket[0] if len(bucket) == 1 else reduce(add, bucket)  # accumulate: several consumers
            result[node] = g
            if store:
                node._store_grad(g, create_graph)
            op = node._op
            if op is None or (skip_zeros and g.__class__ is float and g == 0.0):
                if on_step is not None:
                    on_step(node, g, [])
                continue
            inputs = node._inputs
            if create_graph and op.differentiable_twice:
                args, out = inputs, node
            else:
                args = [x.data if isinstance(x, Node) else x for x in inputs]
                out = node.data
                if isinstance(g, Node):
                    g = g.data
            if op.saves:
                input_grads = op.backward(g, out, node._saved, *args)
            else:
                input_grads = op.backward(g, out, *args)
            if anomaly:
                check_backward(node, input_grads)
            if node._broadcasts:
                sent = _send_array_grads(inputs, input_grads, bucket_of)
            else:
                # scalar ops (one per neuron can have hundreds of inputs): drop each gradient
                # into its input's bucket in one C-level pass; constants' gradients go to the sink
                list(map(list.append, map(bucket_of, inputs, repeat(sink)), input_grads))
                sink.clear()
                if on_step is not None:
                    sent = [(x, xg) for x, xg in zip(inputs, input_grads, strict=False) if x in buckets]
            if on_step is not None:
                on_step(node, g, sent)
    finally:
        _mode.enabled = previous_mode
    if not (create_graph if retain_graph is None else retain_graph):
        for node in order:
            node._release()
    return result


def _send_array_grads(inputs: tuple, input_grads: tuple, bucket_of: Callable) -> list:
    """Array ops: undo broadcasting per input and keep one running sum per input (arrays are big).

    Returns the ``(input, amount)`` pairs sent, for ``on_step``.
    """
    sent = []
    for x, xg in zip(inputs, input_grads, strict=False):
        if xg is not None and isinstance(x, Node) and x.requires_grad:
            xg = x._fit_grad(xg)
            xbucket = bucket_of(x)
            if xbucket:
                xbucket[0] = xbucket[0] + xg
            else:
                xbucket.append(xg)
            sent.append((x, xg))
    return sent


def _backprop_freeing(root: Node, grad: Any, order: list[Node]) -> dict[Node, Any]:
    """A plain ``Tensor.backward()`` (graph not retained): free each node as soon as it is done.

    Like PyTorch, only leaves get ``.grad`` here: an intermediate's gradient and its saved arrays
    are dropped right after its rule runs, and the node itself when the walk moves past it, so
    activations are released during the pass instead of after it (a smaller heap and fewer fresh
    pages every step). The returned table holds the leaves' gradients only. A graph freed this
    way has nothing left to draw, so intermediate gradients would have no use.
    """
    buckets: dict[Node, list] = {node: [] for node in order if node.requires_grad}
    buckets[root] = [root._seed_grad(grad)]
    take, bucket_of = buckets.pop, buckets.get
    result: dict[Node, Any] = {}
    anomaly = _anomaly.enabled
    previous_mode = _mode.enabled
    _mode.enabled = False
    try:
        while order:
            node = order.pop()  # once the walk moves on, nothing holds an intermediate node
            bucket = take(node, None)
            op = node._op
            if op is None:  # a leaf (nothing to free): its gradient, if any, is complete
                if bucket:
                    g = bucket[0]
                    node._store_grad(g, False)
                    result[node] = g
                continue
            if not bucket:  # upstream of the root, but nothing flowed back to it
                node._release()
                continue
            inputs = node._inputs
            args = [x.data if isinstance(x, Node) else x for x in inputs]
            rule, g = op.backward, bucket.pop()
            # an array only this pass refers to (g, getrefcount's argument) and that is nobody's
            # view: the op may reuse it for the result
            if _REFCOUNTS_EXACT and op.backward_owned is not None and getrefcount(g) == 2 and \
                    getattr(g, "base", g) is None and g.flags.writeable:
                rule = op.backward_owned
            if op.saves:
                input_grads = rule(g, node.data, node._saved, *args)
            else:
                input_grads = rule(g, node.data, *args)
            del g, args
            if anomaly:
                check_backward(node, input_grads)
            node._release()  # what backward needed is dropped now, before the inputs' rules run
            _send_array_grads(inputs, input_grads, bucket_of)
            del input_grads, inputs
    finally:
        _mode.enabled = previous_mode
    return result


def grad(
    outputs: Node | list[Node],
    inputs: Node | list[Node],
    grad_outputs: Any = None,
    create_graph: bool = False,
    allow_unused: bool = True,
    retain_graph: bool | None = None,
) -> list[Any]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of stored in ``.grad``.

    ``d(sum of outputs)/d(input)`` for each input; ``None`` for an input the outputs don't depend
    on. With ``create_graph=True`` the gradients are nodes and can be differentiated again.
    The graph is freed after the last output unless ``retain_graph`` (default: ``create_graph``,
    as in PyTorch).

    Example:
        >>> from autograd import Value, grad
        >>> x = Value(3.0)
        >>> (dx,) = grad(x ** 3, [x], create_graph=True)   # 3x^2 = 27
        >>> (ddx,) = grad(dx, [x])                         # 6x = 18
        >>> dx.data, ddx
        (27.0, 18.0)
    """
    outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    seeds = grad_outputs if isinstance(grad_outputs, (list, tuple)) else [grad_outputs] * len(outs)
    totals: dict[Node, Any] = {}
    for out, seed in zip(outs, seeds, strict=False):
        table = backprop(out, seed, create_graph=create_graph, retain_graph=True, store=False)
        for i in ins:
            if i in table:
                totals[i] = table[i] if i not in totals else totals[i] + table[i]
    if not (create_graph if retain_graph is None else retain_graph):
        for out in outs:  # after all outputs: they may share parts of one graph
            for node in topological_order(out, allow_freed=True):
                node._release()
    if not allow_unused and any(i not in totals for i in ins):
        raise RuntimeError("grad: one of the inputs was not used to compute the outputs (allow_unused=False)")
    return [
        None if i not in totals else (totals[i] if create_graph else _raw(totals[i])) for i in ins
    ]
