"""What every node shares: ``Op``, ``Node``, grad mode, the one graph walk and the one backprop loop.

Everything that visits a graph (``backward``, ``autograd.grad``, ``draw``, ``backward_steps``)
starts from :func:`topological_order`, an iterative depth-first search, and backprop itself is the
single loop in :func:`backprop`. Nothing here recurses, so a 100,000-deep chain is fine.
The derivative rules themselves live in ``autograd/ops/``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from .anomaly import _anomaly, check_backward

# --- grad mode --------------------------------------------------------------------------------------


class _GradMode(threading.local):
    enabled = True  # thread-local, as in PyTorch: one thread's no_grad never leaks into another


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations record a graph (the default); False inside ``no_grad()``."""
    return _mode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode and restores the previous one."""

    _value = True

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        _mode.enabled = self._value

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_SetGradMode):
    """Record nothing inside: results are plain leaves with no parents.

    Example:
        >>> from autograd import Value, no_grad
        >>> with no_grad():
        ...     y = Value(2.0) * 3
        >>> y.parents
        ()
    """

    _value = False


class enable_grad(_SetGradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    _value = True


# --- ops and nodes ----------------------------------------------------------------------------------


class Op:
    """One operation: ``forward`` on raw payloads and ``backward``, its vector-Jacobian rule.

    ``backward(g, out, *args)`` returns one gradient per argument (``None`` for arguments that are
    constants, axes or shapes). It is written with operators and methods that both raw payloads
    (floats, ndarrays) and nodes understand, so that with ``create_graph=True`` the same rule,
    called on nodes, records the backward pass and gradients can be differentiated again.
    Ops that keep extra state for backward set ``saves = True``: their forward returns
    ``(out, saved)`` and their backward is called as ``backward(g, out, saved, *args)``; the
    saved state is never modified by backward, so a retained graph can be walked again.

    Attributes:
        name: the op's one name, ``node.op``, whether it made a Value or a Tensor.
        symbol: how micrograd's drawings spell it (``Value._op``); defaults to ``name``.
        scalar_forward: the forward on Python floats (Value), when it differs from ``forward``.
        text, grads: the op and its rule as ``Step.explain()`` prints them: ``text`` is the
            forward (``"{0} @ {1}"``), ``grads`` one formula per argument (``None`` for arguments
            that get no gradient; the last one serves any further arguments) for what is added
            to that argument's ``.grad``. ``{0}``, ``{1}`` ... stand for the arguments' names,
            ``{1.T}`` for a transpose, ``{g}`` for the output's gradient and ``{out}`` for the output
            (``stepping.py`` fills them in, with the shapes).
        differentiable_twice: False when the rule only works on raw arrays; backprop with
            ``create_graph=True`` then refuses to go through the op instead of giving wrong
            second derivatives.
    """

    name = "op"
    symbol = ""
    saves = False
    differentiable_twice = True
    text = ""
    grads: tuple[str | None, ...] = ()
    unbroadcasts = False  # True: input gradients come out in the output's shape, summed back by _fit_grad
    # True when backward returns each gradient in a new array that nothing else refers to: the
    # pass may then let the consumer's rule overwrite it (see ``backward_in_place``)
    fresh_grads = False
    # optional ``backward_in_place(g, out, *args)``: the same rule, allowed to overwrite ``g``
    backward_in_place: Callable[..., tuple] | None = None

    @staticmethod
    def forward(*args: Any) -> Any:  # pragma: no cover - every op overrides it
        raise NotImplementedError

    @staticmethod
    def backward(g: Any, out: Any, *args: Any) -> tuple:  # pragma: no cover
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__ and "scalar_forward" not in cls.__dict__:
            cls.scalar_forward = cls.__dict__["forward"]  # one forward serves floats and arrays


class Node:
    """Base class of ``Value`` and ``Tensor``: a payload, its gradient and how it was made.

    ``_rule`` is the ``Op`` class that produced the node (``None`` for leaves) and ``_inputs`` the
    arguments it was called with, nodes and constants alike. Subclasses say how to seed the
    gradient (``_seed_grad``) and how to fit an incoming gradient to their shape (``_fit_grad``).
    """

    __slots__ = ("data", "grad", "label", "_rule", "_inputs", "_saved", "__weakref__")

    requires_grad = True
    _broadcasts = False  # Tensors set this: their incoming gradients may need unbroadcasting

    @property
    def op(self) -> str:
        """Name of the operation that made this node; ``""`` for a leaf."""
        return self._rule.name if self._rule is not None else ""

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user rather than by an op (as ``torch.Tensor.is_leaf``)."""
        return self._rule is None

    @property
    def parents(self) -> tuple:
        """The nodes this one was computed from (constants are left out)."""
        return tuple(x for x in self._inputs or () if isinstance(x, Node))

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


# --- the graph walk ---------------------------------------------------------------------------------


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


_UNWANTED = object()  # the table's answer for constants and nodes that need no gradient


def backprop(
    root: Node,
    grad: Any = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
    on_step: Callable[[Node, Any, list], None] | None = None,
    store: bool = True,
) -> dict[Node, Any]:
    """The backprop loop: visit nodes in reverse topological order and apply each op's rule.

    Gradients of this pass live in a local table (``totals``: one running sum per node that
    wants a gradient), so stale ``.grad`` values from earlier passes never leak into this one;
    each node's ``.grad`` is accumulated when the loop reaches it (``store=False``, used by
    ``autograd.grad``, leaves ``.grad`` alone). ``on_step(node, g, [(input, amount), ...])`` sees
    every step (that is how ``backward_steps`` records them). Returns the pass's gradients.

    Retaining is a flag of this loop (default: ``create_graph``). When the graph is not retained,
    each node is freed as soon as its rule has run, and, as in PyTorch, a Tensor graph keeps
    ``.grad`` on its leaves only (activations are released during the pass, not after it).
    Value graphs keep ``.grad`` on every node, so drawings can show them.

    A scalar node whose gradient is exactly 0.0 (plain floats, no ``create_graph``, no
    ``on_step``) sends nothing upstream, since 0 times any finite local derivative is 0; nodes
    reached only through such nodes keep their ``.grad`` (as adding 0 would) and get 0.0 in the
    returned table (so unlike PyTorch, 0 * inf gives 0 there, not NaN).
    """
    order = topological_order(root)
    if not root.requires_grad:
        raise RuntimeError(
            f"backward: element 0 of tensors does not require grad and does not have a grad_fn "
            f"(the output of '{root.op or 'a leaf'}' was computed from nothing that requires grad; "
            "create the inputs with requires_grad=True)"
        )
    if create_graph:
        _check_twice_differentiable(order)
    retain = create_graph if retain_graph is None else retain_graph
    # a Tensor graph not retained is freed during the pass and keeps .grad on leaves only;
    # Value graphs are small and keep everything (drawings show every .grad)
    release = not retain and root._broadcasts
    totals: dict[Node, Any] = {node: None for node in order if node.requires_grad}
    totals[root] = root._seed_grad(grad)
    result: dict[Node, Any] = {}
    # with plain floats, a node whose gradient is exactly 0 sends 0 * (finite derivative) = 0
    # upstream: skip it (a dead ReLU or a satisfied hinge margin cuts off its whole subgraph).
    # Paired A/B, micrograd's moons step (bench_value.py's workload, CPU time, 40 rounds, load ~9):
    # 20.0 ms with the skip vs 41.3 ms without, ratio 2.08
    skip_zeros = not create_graph and on_step is None
    # a gradient array this pass made and nobody else holds may be overwritten by the next rule
    # (relu masks it in place instead of allocating): only in a freeing pass, where intermediate
    # gradients are never stored or shown. Its paired A/B is beside Relu.backward_in_place.
    may_overwrite = release and not create_graph and on_step is None
    owned: set[Node] = set()
    anomaly = _anomaly.enabled  # read once: thread-local reads are slow
    previous_mode = _mode.enabled
    _mode.enabled = create_graph  # rules record a graph only when asked to
    try:
        while order:
            node = order.pop()  # popped: once the walk moves on, nothing here holds the node
            g = totals.pop(node, None)
            rule = node._rule
            if g is None:  # nothing flowed back to it (or it wants no gradient)
                if not node._broadcasts:
                    result[node] = 0.0  # a scalar cut off by zero gradients: its gradient is 0
                if release:
                    node._release()
                continue
            if not release or rule is None:
                result[node] = g
                if store:
                    node._store_grad(g, create_graph)
            if rule is None or (skip_zeros and g.__class__ is float and g == 0.0):
                if on_step is not None:
                    on_step(node, g, [])
                continue
            inputs = node._inputs
            if create_graph:
                args, out = inputs, node
            else:
                args = [x.data if isinstance(x, Node) else x for x in inputs]
                out = node.data
                if isinstance(g, Node):
                    g = g.data
            if rule.saves:
                input_grads = rule.backward(g, out, node._saved, *args)
            elif may_overwrite and rule.backward_in_place is not None and node in owned:
                input_grads = rule.backward_in_place(g, out, *args)
            else:
                input_grads = rule.backward(g, out, *args)
            if anomaly:
                check_backward(node, input_grads)
            if release:  # what backward needed is dropped now, before the inputs' rules run
                g = args = None
                node._release()
            sent = [] if on_step is not None else None
            arrays = node._broadcasts  # array ops: constants may be unhashable ndarrays
            for x, xg in zip(inputs, input_grads, strict=False):
                if arrays and (xg is None or not isinstance(x, Node)):
                    continue  # constants, axes and shapes get no gradient
                total = totals.get(x, _UNWANTED)  # a scalar op's constants are floats: not in the table
                if total is _UNWANTED:
                    continue  # a constant, or a node that needs no gradient
                sent_as = xg
                if arrays:
                    xg = x._fit_grad(xg)  # undo broadcasting: the one place it happens
                totals[x] = xg if total is None else total + xg  # accumulate: several consumers
                if may_overwrite:  # a sum, a reduction or a fresh rule result belongs to this pass
                    if total is not None or xg is not sent_as or rule.fresh_grads:
                        owned.add(x)
                    else:
                        owned.discard(x)
                if sent is not None:
                    sent.append((x, xg))
            if sent is not None:
                on_step(node, g, sent)
    finally:
        _mode.enabled = previous_mode
    return result


def _check_twice_differentiable(order: list[Node]) -> None:
    """Refuse a ``create_graph=True`` pass through an op whose rule cannot record itself."""
    for node in order:
        rule = node._rule
        if rule is not None and not rule.differentiable_twice:
            raise RuntimeError(
                f"backward: '{rule.name}' has no second-derivative rule, so a graph recorded with "
                "create_graph=True cannot pass through it (its first derivative is exact: "
                "use create_graph=False)"
            )


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
