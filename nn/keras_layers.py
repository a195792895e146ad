"""One table: each stepgrad layer next to the Keras 3 layer it is, for ``.keras`` files both ways.

A row names the Keras class, the stepgrad class, the constructor arguments both spell alike (stepgrad
uses Keras's names, so they are copied as they are), the Keras arguments stepgrad supports with one
value only (``data_format="channels_last"``: written so Keras sees it, checked when read), and the
weights in the order Keras stores them (``vars/0``, ``vars/1``, ... in ``model.weights.h5``). A new
layer is one more row. Nothing here runs code from a file: a class name is looked up in this table,
and every value is checked before a layer is built.

Example:
    >>> from nn.layers import Dense
    >>> entry = KERAS_LAYERS["Dense"]
    >>> cfg = to_keras_config(Dense(3, activation="relu", name="d"))
    >>> cfg["class_name"], cfg["config"]["units"], cfg["config"]["activation"], entry.weights
    ('Dense', 3, 'relu', ('kernel', 'bias'))
    >>> type(from_keras_config(cfg, "example")).__name__
    'Dense'
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import activations, initializers, layers
from .saving import layer_config


class KerasFormatError(ValueError):
    """A ``.keras`` archive stepgrad cannot read or write, with the file, layer and value named."""


_IGNORED = object()  # a Keras argument whose value does not change predictions or training here
_OMIT = object()  # a common argument this Keras class does not take (read: ignored; written: left out)

# Keras arguments every layer has: the layer name is kept, the rest must be the default.
_COMMON = {"trainable": True, "dtype": "float32"}
_NO_REGULARIZERS = {"kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                    "kernel_constraint": None, "bias_constraint": None}
_CHANNELS_LAST = {"data_format": "channels_last"}


@dataclass(frozen=True)
class KerasLayer:
    """A row of the table: how one layer class is written to, and read from, a Keras 3 config.

    Args:
        keras_class: the Keras class name (``config.json``'s ``class_name``).
        layer_class: the stepgrad class.
        args: constructor arguments spelt the same in both libraries.
        fixed: Keras arguments stepgrad supports with this one value (written, and checked on read).
        weights: the layer's weight attributes, in Keras's ``vars/<i>`` order (absent ones skipped).
        h5_group: where below the layer's path Keras keeps them (``"cell"`` for recurrent layers).
    """

    keras_class: str
    layer_class: type
    args: tuple[str, ...]
    fixed: dict[str, Any] = field(default_factory=dict)
    weights: tuple[str, ...] = ()
    h5_group: str = ""


def _row(cls: type, args: tuple[str, ...], fixed: dict[str, Any] | None = None,
         weights: tuple[str, ...] = (), h5_group: str = "") -> KerasLayer:
    return KerasLayer(cls.__name__, cls, args, dict(fixed or {}), weights, h5_group)


_POOL_ARGS = ("pool_size", "strides", "padding")
_KERNEL_ARGS = ("activation", "use_bias", "kernel_initializer", "bias_initializer")
_CONV_ARGS = ("kernel_size", "strides", "padding", "dilation_rate")
_DEPTHWISE = ("depth_multiplier", "depthwise_initializer")
_RNN_ARGS = ("units", *_KERNEL_ARGS, "recurrent_initializer", "return_sequences", "return_state",
             "go_backwards")
_RNN_FIXED = {**_NO_REGULARIZERS, "recurrent_regularizer": None, "recurrent_constraint": None, "dropout": 0.0,
              "recurrent_dropout": 0.0, "stateful": False, "unroll": _IGNORED, "zero_output_for_mask": False,
              "seed": _IGNORED}
_RNN_WEIGHTS = ("kernel", "recurrent_kernel", "bias")
_GAMMA_BETA = {"beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
               "gamma_constraint": None}
_NO_BIAS_EXTRAS = {"bias_regularizer": None, "activity_regularizer": None, "bias_constraint": None}
_NO_DEPTHWISE_EXTRAS = {**_NO_BIAS_EXTRAS, "depthwise_regularizer": None, "depthwise_constraint": None}
_NO_SEPARABLE_EXTRAS = {**_NO_DEPTHWISE_EXTRAS, "pointwise_regularizer": None, "pointwise_constraint": None}
_NO_EMBEDDING_EXTRAS = {"embeddings_regularizer": None, "activity_regularizer": None,
                        "embeddings_constraint": None, "lora_rank": None, "quantization_config": None}
KERAS_LAYERS: dict[str, KerasLayer] = {row.keras_class: row for row in (
    _row(layers.Dense, ("units", *_KERNEL_ARGS), {**_NO_REGULARIZERS, "lora_rank": None,
                                                 "quantization_config": None}, ("kernel", "bias")),
    _row(layers.Conv2D, ("filters", "kernel_size", "strides", "padding", *_KERNEL_ARGS),
         {**_NO_REGULARIZERS, **_CHANNELS_LAST, "dilation_rate": [1, 1], "groups": 1, "lora_rank": None},
         ("kernel", "bias")),
    _row(layers.Conv1D, ("filters", *_CONV_ARGS, *_KERNEL_ARGS),
         {**_NO_REGULARIZERS, **_CHANNELS_LAST, "groups": 1, "lora_rank": None}, ("kernel", "bias")),
    _row(layers.Conv2DTranspose, ("filters", *_CONV_ARGS, "output_padding", "data_format", *_KERNEL_ARGS),
         _NO_REGULARIZERS, ("kernel", "bias")),
    _row(layers.DepthwiseConv2D, (*_CONV_ARGS, *_DEPTHWISE, "data_format", "activation", "use_bias",
                                  "bias_initializer"), _NO_DEPTHWISE_EXTRAS, ("kernel", "bias")),
    _row(layers.SeparableConv2D, ("filters", *_CONV_ARGS, *_DEPTHWISE, "data_format", "pointwise_initializer",
                                  "activation", "use_bias", "bias_initializer"), _NO_SEPARABLE_EXTRAS,
         ("depthwise_kernel", "pointwise_kernel", "bias")),
    _row(layers.MaxPooling2D, _POOL_ARGS, _CHANNELS_LAST),
    _row(layers.AveragePooling2D, _POOL_ARGS, _CHANNELS_LAST),
    _row(layers.MaxPooling1D, _POOL_ARGS, _CHANNELS_LAST),
    _row(layers.AveragePooling1D, _POOL_ARGS, _CHANNELS_LAST),
    _row(layers.GlobalMaxPooling1D, ("keepdims",), _CHANNELS_LAST),
    _row(layers.GlobalAveragePooling1D, ("keepdims",), _CHANNELS_LAST),
    _row(layers.GlobalMaxPooling2D, ("data_format", "keepdims")),
    _row(layers.GlobalAveragePooling2D, ("data_format", "keepdims")),
    _row(layers.ZeroPadding2D, ("padding", "data_format")),
    _row(layers.Cropping2D, ("cropping", "data_format")),
    _row(layers.UpSampling2D, ("size", "data_format", "interpolation")),
    _row(layers.Flatten, (), _CHANNELS_LAST),
    _row(layers.Reshape, ("target_shape",)),
    _row(layers.Permute, ("dims",)),
    _row(layers.RepeatVector, ("n",)),
    _row(layers.Dropout, ("rate", "noise_shape", "seed")),
    _row(layers.SpatialDropout2D, ("rate", "data_format", "seed"), {"trainable": _OMIT, "dtype": _OMIT}),
    _row(layers.GaussianNoise, ("stddev", "seed")),
    _row(layers.Activation, ("activation",)),
    _row(layers.ReLU, ("max_value", "negative_slope", "threshold")),
    _row(layers.LeakyReLU, ("negative_slope",)),
    _row(layers.Softmax, ("axis",)),
    _row(layers.PReLU, ("alpha_initializer", "shared_axes"),
         {"alpha_regularizer": None, "alpha_constraint": None}, ("alpha",)),
    _row(layers.Embedding, ("input_dim", "output_dim", "embeddings_initializer", "mask_zero"),
         _NO_EMBEDDING_EXTRAS, ("embeddings",)),
    _row(layers.SimpleRNN, _RNN_ARGS, _RNN_FIXED, _RNN_WEIGHTS, "cell"),
    _row(layers.GRU, (*_RNN_ARGS, "recurrent_activation", "reset_after"), _RNN_FIXED, _RNN_WEIGHTS, "cell"),
    _row(layers.LSTM, (*_RNN_ARGS, "recurrent_activation", "unit_forget_bias"), _RNN_FIXED, _RNN_WEIGHTS,
         "cell"),
    _row(layers.Concatenate, ("axis",)),
    *(_row(cls, ()) for cls in (layers.Add, layers.Subtract, layers.Multiply, layers.Average, layers.Maximum,
                                layers.Minimum)),
    _row(layers.LayerNormalization, ("axis", "epsilon", "center", "scale", "rms_scaling", "beta_initializer",
                                     "gamma_initializer"), _GAMMA_BETA, ("gamma", "beta")),
    _row(layers.BatchNormalization,
         ("axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
          "moving_mean_initializer", "moving_variance_initializer"),
         {**_GAMMA_BETA, "synchronized": False, "renorm": False, "renorm_clipping": None,
          "renorm_momentum": _IGNORED},
         ("gamma", "beta", "moving_mean", "moving_variance")),
)}

# Keras classes refused by name, with the reason (they would need code or state stepgrad will not run).
_REFUSED = {
    "Lambda": "a Lambda layer holds Python code, and stepgrad never runs code from a file",
    "TFSMLayer": "it wraps a TensorFlow SavedModel, which holds code",
}


def entry_for(layer: Any, where: str) -> KerasLayer:
    """The table row of ``layer``'s class, or a KerasFormatError naming the layer and the known classes."""
    for row in KERAS_LAYERS.values():
        if type(layer) is row.layer_class:
            return row
    raise KerasFormatError(
        f"{where}: layer '{getattr(layer, 'name', '?')}' ({type(layer).__name__}) has no Keras 3 "
        f"equivalent in stepgrad's table; layers that do: {sorted(KERAS_LAYERS)}"
    )


def layer_weights(layer: Any, row: KerasLayer) -> list[tuple[str, Any]]:
    """``(attribute, Tensor)`` for each weight the layer has, in Keras's order."""
    found = [(name, getattr(layer, name, None)) for name in row.weights]
    return [(name, w) for name, w in found if w is not None]


# --- stepgrad -> Keras ---------------------------------------------------------------------------
def to_keras_config(layer: Any, where: str = "save") -> dict[str, Any]:
    """``{"module", "class_name", "config", "registered_name"[, "build_config"]}`` as Keras 3 writes it."""
    row = entry_for(layer, where)
    own = layer_config(layer)["config"]
    here = f"{where}: layer '{layer.name}' ({row.keras_class})"
    config: dict[str, Any] = {"name": layer.name, **_COMMON}
    for arg in row.args:
        if arg in own or hasattr(layer, arg):  # else stepgrad keeps only the default: Keras's default too
            config[arg] = _keras_value(arg, own[arg] if arg in own else getattr(layer, arg), here)
    config.update({k: v for k, v in row.fixed.items() if v is not _IGNORED})
    config = {k: v for k, v in config.items() if v is not _OMIT}
    out = {"module": "keras.layers", "class_name": row.keras_class, "config": config, "registered_name": None}
    if layer.built and row.weights:
        out["build_config"] = {"input_shape": list(layer.input_shape)}
    return out


def _keras_value(arg: str, value: Any, where: str) -> Any:
    if arg in ("activation", "recurrent_activation"):
        name = value if isinstance(value, str) else activations.serialize(value)
        try:
            activations.get(name)  # a function's __name__ ("<lambda>") is no activation name
        except (TypeError, ValueError):
            raise KerasFormatError(f"{where}: activation {value!r} has no name Keras knows; use a named one"
                                   ) from None
        return name
    if arg.endswith("_initializer") and not isinstance(value, str):
        if isinstance(value, dict) and "class_name" in value:  # stepgrad's saved form of an Initializer
            return {"module": "keras.initializers", **value, "registered_name": None}
        if hasattr(value, "get_config"):
            return {"module": "keras.initializers", "class_name": type(value).__name__,
                    "config": value.get_config(), "registered_name": None}
        raise KerasFormatError(f"{where}: {arg}={value!r} is a function; Keras reads named initializers only")
    return _lists(value)


def _lists(value: Any) -> Any:
    """JSON's spelling of (nested) tuples."""
    return [_lists(v) for v in value] if isinstance(value, (tuple, list)) else value


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


# --- Keras -> stepgrad ---------------------------------------------------------------------------
def from_keras_config(spec: Any, where: str) -> Any:
    """Build the stepgrad layer a Keras layer config describes (not yet built), checking every value."""
    if not isinstance(spec, dict) or not isinstance(spec.get("config"), dict):
        raise KerasFormatError(f"{where}: a layer entry is not a {{class_name, config}} object: {spec!r:.80}")
    cls_name, config = spec.get("class_name"), spec["config"]
    check_module(spec, where)
    here = f"{where}: layer '{config.get('name', '?')}' ({cls_name})"
    if cls_name in _REFUSED:
        raise KerasFormatError(f"{here}: refused: {_REFUSED[cls_name]}")
    if cls_name not in KERAS_LAYERS:
        raise KerasFormatError(f"{here}: unknown layer class {cls_name!r}; stepgrad reads "
                               f"{sorted(KERAS_LAYERS)}")
    row = KERAS_LAYERS[cls_name]
    kwargs: dict[str, Any] = {}
    for key, value in config.items():
        if key == "name":
            if not isinstance(value, str):
                raise KerasFormatError(f"{here}: the layer name must be a string, received {value!r}")
            kwargs["name"] = value
        elif key in row.args:
            kwargs[key] = _stepgrad_value(key, value, here)
        elif key == "dtype":
            _check_dtype(value, here)
        else:
            _check_default(key, value, row.fixed.get(key, _COMMON.get(key)), here)
    try:
        return row.layer_class(**kwargs)
    except (TypeError, ValueError) as e:
        raise KerasFormatError(f"{here}: cannot build it: {e}") from None


def check_module(spec: dict, where: str) -> None:
    """Only Keras's own classes: a ``module`` outside ``keras`` or a registered custom name is refused."""
    module, registered = spec.get("module"), spec.get("registered_name")
    if module is not None and not (module == "keras" or str(module).startswith("keras.")):
        raise KerasFormatError(
            f"{where}: {spec.get('class_name')!r} comes from module {module!r}; stepgrad only reads Keras's "
            "own classes and never imports modules named in a file"
        )
    if registered not in (None, spec.get("class_name")):
        raise KerasFormatError(
            f"{where}: {registered!r} is a custom registered object; stepgrad reads Keras's built-ins only"
        )


def _check_dtype(value: Any, where: str) -> None:
    name = value.get("config", {}).get("name") if isinstance(value, dict) else value
    if name not in (None, "float32"):
        raise KerasFormatError(f"{where}: dtype policy {name!r} is not supported (stepgrad uses float32)")


def _check_default(key: str, value: Any, expected: Any, where: str) -> None:
    """An argument stepgrad lacks is fine only at its neutral value (None/False, or the row's one value)."""
    if expected is _IGNORED or expected is _OMIT or value is None or value is False:
        return
    if isinstance(value, (list, tuple)) and isinstance(expected, (list, tuple)):
        value, expected = list(value), list(expected)
    if value != expected:
        raise KerasFormatError(
            f"{where}: {key}={value!r} is not supported by stepgrad"
            + (f" (only {key}={expected!r})" if expected is not None else "")
        )


def _stepgrad_value(key: str, value: Any, where: str) -> Any:
    if key in ("activation", "recurrent_activation"):
        if not isinstance(value, str):
            raise KerasFormatError(f"{where}: activation {value!r:.80} is not a built-in activation name")
        try:
            activations.get(value)
        except (TypeError, ValueError) as e:
            raise KerasFormatError(f"{where}: {e}") from None
        return value
    if key.endswith("_initializer"):
        return _initializer(value, where)
    if isinstance(value, list):
        return _tuples(value)
    if isinstance(value, dict):
        raise KerasFormatError(f"{where}: {key}={value!r:.80} is not a plain value")
    return value


def _initializer(value: Any, where: str) -> Any:
    """A Keras initializer (a name or ``{"class_name", "config"}``) as a stepgrad Initializer."""
    if isinstance(value, dict):
        check_module(value, where)
        cls_name, config = value.get("class_name"), dict(value.get("config") or {})
        try:
            cls = type(initializers.get(str(cls_name)))
        except (TypeError, ValueError) as e:
            raise KerasFormatError(f"{where}: {e}") from None
        accepted = inspect.signature(cls.__init__).parameters
        for key in [k for k in config if k not in accepted]:
            _check_default(key, config.pop(key), None, f"{where}: initializer {cls_name}")
        value = {"class_name": cls_name, "config": config}
    try:
        return initializers.get(value)
    except (TypeError, ValueError) as e:
        raise KerasFormatError(f"{where}: {e}") from None


def check_weight(array: Any, expected: tuple, where: str) -> np.ndarray:
    """A weight read from the h5 file: a float array of exactly the built shape, as float32."""
    if array.dtype.kind != "f":
        raise KerasFormatError(f"{where}: has dtype {array.dtype}; a float array was expected")
    if tuple(array.shape) != tuple(expected):
        raise KerasFormatError(f"{where}: has shape {tuple(array.shape)}, the layer needs {tuple(expected)}")
    return np.asarray(array, dtype=np.float32)
