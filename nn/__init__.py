"""stepgrad's neural-net library, built on the ``autograd`` engine, with Keras-style module paths.

``tensorflow.keras`` -> ``nn`` is the only change Keras code needs: ``nn.models``, ``nn.layers``,
``nn.losses``, ``nn.optimizers``, ``nn.metrics``, ``nn.callbacks``, ``nn.initializers``,
``nn.preprocessing.image`` and ``nn.datasets``.
"""

import autograd as _autograd

if not getattr(_autograd, "__stepgrad__", False):  # an unrelated package named `autograd` shadows ours
    raise ImportError(
        f"nn needs stepgrad's `autograd` package, but `import autograd` found another one at "
        f"{getattr(_autograd, '__file__', '?')} (probably HIPS autograd, which PennyLane and lifelines "
        "install). Both use the import name `autograd`: install stepgrad in its own virtual environment "
        "(python -m venv .venv && . .venv/bin/activate && pip install stepgrad)."
    )

from . import activations as activations  # noqa: E402
from . import callbacks as callbacks  # noqa: E402
from . import config as config  # noqa: E402
from . import datasets as datasets  # noqa: E402  (after the autograd check above)
from . import export as export  # noqa: E402
from . import initializers as initializers  # noqa: E402
from . import interpret as interpret  # noqa: E402
from . import layers as layers  # noqa: E402
from . import losses as losses  # noqa: E402
from . import metrics as metrics  # noqa: E402
from . import models as models  # noqa: E402
from . import ops as ops  # noqa: E402
from . import optimizers as optimizers  # noqa: E402
from . import preprocessing as preprocessing  # noqa: E402
from . import utils as utils  # noqa: E402
from .layers import Activation as Activation  # noqa: E402
from .layers import AveragePooling2D as AveragePooling2D  # noqa: E402
from .layers import BatchNormalization as BatchNormalization  # noqa: E402
from .layers import Conv2D as Conv2D  # noqa: E402
from .layers import Dense as Dense  # noqa: E402
from .layers import Dropout as Dropout  # noqa: E402
from .layers import Flatten as Flatten  # noqa: E402
from .layers import Input as Input  # noqa: E402
from .layers import InputLayer as InputLayer  # noqa: E402
from .layers import MaxPooling2D as MaxPooling2D  # noqa: E402
from .models import Model as Model  # noqa: E402
from .models import Sequential as Sequential  # noqa: E402
from .models import load_model as load_model  # noqa: E402
from .module import Module as Module  # noqa: E402
from .scalar import MLP as MLP  # noqa: E402
from .scalar import Layer as Layer  # noqa: E402
from .scalar import Neuron as Neuron  # noqa: E402
