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
from .graph import Node, Op, enable_grad, grad, is_grad_enabled, no_grad, topological_order
from .tensor import Tensor
from .tensor_functions import concatenate, maximum, minimum, stack, where
from .value import Value, linear, vsum

__stepgrad__ = True  # lets `nn` tell this package from unrelated ones named `autograd`

__all__ = [
    "GradcheckError", "Node", "Op", "Tensor", "Value", "concatenate", "functional", "detect_anomaly",
    "enable_grad", "grad", "gradcheck", "is_grad_enabled", "linear", "maximum", "minimum", "no_grad",
    "stack", "topological_order", "vsum", "where",
]
