"""``nn.config``: Keras 3's ``keras.config`` switches, so code written for Keras runs unchanged.

stepgrad has one backend, one float type and one image layout, so most of Keras's switches have
nothing to switch here. Each function below says what it does in stepgrad:

- ``disable_traceback_filtering`` / ``enable_traceback_filtering`` / ``is_traceback_filtering_enabled``:
  Keras hides its own frames from tracebacks; stepgrad never hides frames (its tracebacks are short
  and its errors name the layer and shapes), so the switch is recorded and changes nothing.
- ``enable_unsafe_deserialization``: Keras then allows lambdas in saved models; stepgrad's loading
  never runs code from a file, with or without it (recorded, changes nothing).
- ``disable_interactive_logging`` / ``enable_interactive_logging`` / ``is_interactive_logging_enabled``:
  recorded; progress output is controlled by ``verbose=`` in ``fit``/``evaluate``/``predict``.
- ``backend()`` is ``"stepgrad"``; ``floatx()`` is ``"float32"``, ``image_data_format()`` is
  ``"channels_last"``, ``epsilon()`` is the ``1e-7`` the losses clip with; their setters accept those
  values and refuse others with a named error rather than pretend.

Example:
    >>> from nn import config
    >>> config.disable_traceback_filtering()
    >>> config.is_traceback_filtering_enabled()
    False
    >>> config.backend(), config.floatx(), config.image_data_format()
    ('stepgrad', 'float32', 'channels_last')
"""

from __future__ import annotations

_switches = {"traceback_filtering": True, "interactive_logging": True, "unsafe_deserialization": False}


def disable_traceback_filtering() -> None:
    """Record that traceback filtering is off (stepgrad never filters tracebacks)."""
    _switches["traceback_filtering"] = False


def enable_traceback_filtering() -> None:
    """Record that traceback filtering is on (stepgrad never filters tracebacks)."""
    _switches["traceback_filtering"] = True


def is_traceback_filtering_enabled() -> bool:
    """The recorded switch (True until ``disable_traceback_filtering``), as Keras reports it."""
    return _switches["traceback_filtering"]


def enable_unsafe_deserialization() -> None:
    """Accepted for Keras code; stepgrad's loading never executes code from a file either way."""
    _switches["unsafe_deserialization"] = True


def disable_interactive_logging() -> None:
    """Record the switch; stepgrad's progress output follows ``verbose=``."""
    _switches["interactive_logging"] = False


def enable_interactive_logging() -> None:
    """Record the switch; stepgrad's progress output follows ``verbose=``."""
    _switches["interactive_logging"] = True


def is_interactive_logging_enabled() -> bool:
    """The recorded switch (True until ``disable_interactive_logging``)."""
    return _switches["interactive_logging"]


def backend() -> str:
    """The backend's name: always ``"stepgrad"``."""
    return "stepgrad"


def floatx() -> str:
    """The default float type of weights and data: ``"float32"``."""
    return "float32"


def set_floatx(value: str) -> None:
    """Accept ``"float32"`` (the only float type stepgrad's layers create); refuse others by name."""
    _only("set_floatx", "value", value, "float32")


def image_data_format() -> str:
    """The image layout every image layer uses: ``"channels_last"`` (NHWC)."""
    return "channels_last"


def set_image_data_format(data_format: str) -> None:
    """Accept ``"channels_last"`` (stepgrad's only layout); refuse others by name."""
    _only("set_image_data_format", "data_format", data_format, "channels_last")


def epsilon() -> float:
    """The fuzz factor the losses clip probabilities with: ``1e-7``."""
    from .losses import EPSILON

    return EPSILON


def set_epsilon(value: float) -> None:
    """Accept ``1e-7`` (the losses' fixed clip); refuse others by name."""
    _only("set_epsilon", "value", value, epsilon())


def _only(where: str, name: str, value: object, supported: object) -> None:
    if value != supported:
        raise ValueError(f"nn.config.{where}: stepgrad supports only {name}={supported!r}, received "
                         f"{name}={value!r}")
