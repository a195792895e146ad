"""stepgrad's engine: scalar ``Value`` and n-d ``Tensor`` nodes, one graph walk, drawing and stepping.

Example:
    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0
"""

from . import functional
from .anomaly import detect_anomaly
from .check import GradcheckError, gradcheck
from .draw import draw
from .graph import Node, Op, enable_grad, grad, is_grad_enabled, no_grad, topological_order
from .stepping import Step, backward_steps, step_through
from .tensor import Tensor, concatenate, maximum, minimum, stack, where
from .value import Value, linear, vsum

__stepgrad__ = True  # lets `nn` tell this package from unrelated ones named `autograd`

__all__ = [
    "GradcheckError", "Node", "Op", "Step", "Tensor", "Value", "backward_steps", "concatenate",
    "detect_anomaly", "draw", "enable_grad", "functional", "grad", "gradcheck", "is_grad_enabled",
    "linear", "maximum", "minimum", "no_grad", "stack", "step_through", "topological_order", "vsum",
    "where",
]
