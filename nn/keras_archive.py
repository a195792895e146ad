"""Keras 3 ``.keras`` archives, both ways: ``model.save("m.keras")`` and ``load_model("m.keras")``.

The format (learnt from Keras 3's ``saving_lib``): a zip holding

- ``metadata.json``: ``{"keras_version", "date_saved"}``;
- ``config.json``: the model as Keras serializes it: ``{"module", "class_name": "Sequential",
  "config": {"name", "layers": [InputLayer, Dense, ...]}, "build_config", "compile_config"}``; a
  functional model (``"class_name": "Functional"``) also gives each layer its ``inbound_nodes``
  (the ``[layer name, call index, output index]`` of each argument) and the ``input_layers`` and
  ``output_layers``;
- ``model.weights.h5``: each layer's weights at ``layers/<class in snake_case>[_<k>]/vars/<i>``
  (``layers/dense/vars/0`` is the first Dense kernel, ``layers/dense_1/vars/1`` the second's bias),
  and the optimizer's at ``optimizer/vars/<i>``.

Safety, each pinned by a test: the loader reads the zip in memory (no member is extracted, and a name
that would leave the archive, ``../x`` or ``/x``, is refused), builds layers only from the table in
``nn.keras_layers`` (no ``Lambda``, no custom objects, no pickle, no module import), checks every
weight's shape and dtype, and assembles a new model only when everything has been read and checked.
Saving writes a temporary file and renames it over the target (``nn.saving.atomic_write``).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import warnings
import zipfile
from typing import Any

import numpy as np

from . import keras_layers as kl
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from .keras_layers import KerasFormatError
from .layers import InputLayer as Input  # the layer class (nn.Input itself makes a symbolic tensor)
from .layers.base import snake_case
from .saving import atomic_write

KERAS_VERSION = "3.5.0"  # the oldest Keras 3 whose config layout this module writes
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_MAX_JSON_BYTES = 64 << 20  # a config is a few kB; refuse zip bombs posing as one
_KERAS_OPTIMIZERS = {"SGD": "sgd", "Adam": "adam", "AdamW": "adamw", "RMSprop": "rmsprop"}


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            ".keras files need h5py for the weights: pip install 'stepgrad[export]' (or pip install h5py)"
        ) from None
    return h5py


# --- writing -------------------------------------------------------------------------------------
def save_keras(model: Any, path: str | os.PathLike) -> None:
    """Write ``model`` as a Keras 3 archive at ``path`` (atomically): config, weights, compile state."""
    path = os.fspath(path)
    where = f"save({path!r})"
    if not model.built:
        raise ValueError(f"{where}: the model has no weights yet; build it (input_shape=, fit or call) first")
    from .models import Sequential

    body = [layer for layer in model.layers if not isinstance(layer, Input)]
    # both raise before anything is written
    config = (_sequential_config if isinstance(model, Sequential) else _functional_config)(model, body, where)
    compile_config = _keras_compile_config(model, where)
    if compile_config is not None:
        config["compile_config"] = compile_config
    weights = _weights_h5(model, body, optimizer=compile_config is not None)
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}

    def write(f: Any) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr(METADATA, json.dumps(metadata))
            z.writestr(CONFIG, json.dumps(config))
            z.writestr(WEIGHTS, weights)

    atomic_write(path, write)


def _sequential_config(model: Any, body: list[Any], where: str) -> dict[str, Any]:
    configs = [kl.to_keras_config(layer, where) for layer in body]
    first = model.layers[0] if model.layers else None
    input_layer = {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                   "config": {"batch_shape": list(model.input_shape), "dtype": "float32", "sparse": False,
                              "name": first.name if isinstance(first, Input) else "input_layer"}}
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": model.name, "trainable": True, "dtype": "float32",
                       "layers": [input_layer, *configs], "build_input_shape": list(model.input_shape)},
            "build_config": {"input_shape": list(model.input_shape)}}


def _functional_config(model: Any, body: list[Any], where: str) -> dict[str, Any]:
    """The model's own Keras-format graph (``get_config``), each layer's entry rewritten from the table."""
    graph = model.get_config()
    layers = []
    for layer, spec in zip(model.layers, graph["layers"], strict=True):
        if isinstance(layer, Input):
            entry = {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                     "config": {"batch_shape": list(layer.batch_shape), "dtype": layer.dtype, "sparse": False,
                                "name": layer.name}}
        else:
            entry = kl.to_keras_config(layer, where)
        layers.append({**entry, "name": layer.name, "inbound_nodes": spec["inbound_nodes"]})
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "registered_name": "Functional",
            "config": {"name": model.name, "trainable": True, "layers": layers,
                       "input_layers": graph["input_layers"], "output_layers": graph["output_layers"]}}


def h5_paths(layers: list[Any], class_name: Any) -> list[str]:
    """Keras's weight paths: ``layers/<snake class>``, then ``_1``, ``_2`` for repeats of a class."""
    used: dict[str, int] = {}
    paths = []
    for layer in layers:
        name = snake_case(class_name(layer))
        used[name] = used.get(name, -1) + 1
        paths.append(f"layers/{name}" + (f"_{used[name]}" if used[name] else ""))
    return paths


def _vars_path(path: str, row: kl.KerasLayer) -> str:
    """The group holding a layer's ``vars``: its path, or a sub-group such as ``cell`` (recurrent layers)."""
    return f"{path}/{row.h5_group}" if row.h5_group else path


def _weights_h5(model: Any, body: list[Any], optimizer: bool) -> bytes:
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("vars").attrs["name"] = model.name
        rows = [kl.entry_for(layer, "save") for layer in body]
        paths = h5_paths(body, lambda layer: kl.entry_for(layer, "save").keras_class)
        for layer, row, path in zip(body, rows, paths, strict=True):
            group = f.create_group(_vars_path(path, row)).create_group("vars")
            group.attrs["name"] = layer.name
            for i, (_, w) in enumerate(kl.layer_weights(layer, row)):
                group.create_dataset(str(i), data=np.asarray(w.data, dtype=np.float32))
        if optimizer:
            _write_optimizer(f, model, body, rows)
    return buffer.getvalue()


def _trainable_in_keras_order(body: list[Any], rows: list[kl.KerasLayer]) -> list[Any]:
    return [w for layer, row in zip(body, rows, strict=True) for _, w in kl.layer_weights(layer, row)
            if getattr(w, "requires_grad", False)]


def _write_optimizer(f: Any, model: Any, body: list[Any], rows: list[kl.KerasLayer]) -> None:
    """Adam's and AdamW's moments as Keras keeps them: iterations, learning rate, then (m, v) per weight."""
    opt = model.optimizer
    if type(opt).__name__ not in ("Adam", "AdamW") or opt.params is None or callable(opt.learning_rate):
        return  # Keras starts such optimizers afresh (it warns that no state was saved)
    index = {id(p): i for i, p in enumerate(opt.params)}
    group = f.create_group("optimizer").create_group("vars")
    group.attrs["name"] = type(opt).__name__.lower()
    group.create_dataset("0", data=np.int64(opt.iterations))
    group.create_dataset("1", data=np.float32(opt.learning_rate))
    for j, w in enumerate(_trainable_in_keras_order(body, rows)):
        i = index[id(w)]
        group.create_dataset(str(2 + 2 * j), data=np.asarray(opt.state["m"][i], dtype=np.float32))
        group.create_dataset(str(3 + 2 * j), data=np.asarray(opt.state["v"][i], dtype=np.float32))


def _keras_compile_config(model: Any, where: str) -> dict[str, Any] | None:
    """Keras's ``compile_config`` for the optimizer, loss and metrics; None (with a warning) if unmappable."""
    if not getattr(model, "compiled", False):
        return None
    saved = getattr(model, "_compile_config", None) or {}
    opt = model.optimizer
    problem = None
    if type(opt).__name__ not in _KERAS_OPTIMIZERS:
        problem = f"the optimizer {type(opt).__name__} has no Keras twin"
    elif callable(opt.learning_rate):
        problem = "a learning-rate schedule function cannot be written as data"
    loss = saved.get("loss")
    if loss is None:
        problem = problem or "a custom loss function cannot be written as data"
    metrics = saved.get("metrics") or []
    if any(m is None for m in metrics):
        problem = problem or "a custom metric function cannot be written as data"
    if problem:
        warnings.warn(f"{where}: the compile settings are not written ({problem}); Keras will load the "
                      "model uncompiled", stacklevel=4)
        return None
    opt_config = {k: v for k, v in opt.get_config().items() if v is not None}
    if not opt_config.get("weight_decay"):
        opt_config["weight_decay"] = None  # Keras's spelling of "no decay"
    opt_config = {"name": _KERAS_OPTIMIZERS[type(opt).__name__], **opt_config}
    return {
        "optimizer": {"module": "keras.optimizers", "class_name": type(opt).__name__, "config": opt_config,
                      "registered_name": None},
        "loss": _keras_object(_losses.get(loss).name if isinstance(loss, str) else loss, "keras.losses"),
        "metrics": [_keras_object(m, "keras.metrics") for m in metrics],
        "loss_weights": None, "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
        "jit_compile": False,
    }


def _keras_object(spec: Any, module: str) -> Any:
    """A name stays a name; stepgrad's ``{"class_name", "config"}`` gains Keras's module keys."""
    if isinstance(spec, str):
        return spec
    return {"module": module, "class_name": spec["class_name"], "config": spec.get("config", {}),
            "registered_name": None}


# --- reading -------------------------------------------------------------------------------------
def read_archive(path: str | os.PathLike) -> tuple[dict[str, Any], bytes]:
    """``(config, weights h5 bytes)`` of a ``.keras`` zip, read in memory with every member name checked."""
    path = os.fspath(path)
    where = f"load_model({path!r})"
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{where}: no such file")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            for info in infos:
                _check_member_name(info.filename, where)
            names = {info.filename: info for info in infos}
            for needed in (CONFIG, WEIGHTS):
                if needed not in names:
                    raise KerasFormatError(f"{where}: the archive has no {needed} (members: {sorted(names)})")
            if names[CONFIG].file_size > _MAX_JSON_BYTES:
                raise KerasFormatError(f"{where}: {CONFIG} claims {names[CONFIG].file_size} bytes; refused")
            config_bytes, weights = z.read(CONFIG), z.read(WEIGHTS)
    except zipfile.BadZipFile as e:
        raise KerasFormatError(f"{where}: not a readable zip archive (damaged or truncated: {e})") from None
    except (EOFError, OSError) as e:
        raise KerasFormatError(f"{where}: the archive is damaged or truncated ({type(e).__name__}: {e})"
                               ) from None
    try:
        config = json.loads(config_bytes)
    except ValueError as e:
        raise KerasFormatError(f"{where}: {CONFIG} is not valid JSON ({e})") from None
    if not isinstance(config, dict):
        raise KerasFormatError(f"{where}: {CONFIG} does not hold a model config object")
    return config, weights


def _check_member_name(name: str, where: str) -> None:
    """Refuse members that would land outside the archive's root if extracted (``../x``, ``/x``, ``C:x``)."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts or "\x00" in name:
        raise KerasFormatError(f"{where}: member {name!r} points outside the archive's root; refused")


def load_keras(path: str | os.PathLike, compile: bool = True) -> Any:
    """Rebuild a Keras 3 ``Sequential`` archive as a stepgrad model: layers, weights, compile state."""
    from .models import Sequential

    path = os.fspath(path)
    where = f"load_model({path!r})"
    config, weights_bytes = read_archive(path)
    kl.check_module(config, where)
    kind = config.get("class_name")
    if kind not in ("Sequential", "Functional") or not isinstance(config.get("config"), dict):
        raise KerasFormatError(f"{where}: the archive holds a {kind!r} model; stepgrad reads Sequential and "
                               "Functional models")
    name = config["config"].get("name")
    name = name if isinstance(name, str) else None
    if kind == "Functional":
        model, layers = _functional_from_config(config["config"], name, where)
    else:
        body_specs, input_shape = _split_input(config, where)
        layers = [kl.from_keras_config(spec, where) for spec in body_specs]
        model = Sequential(layers, name=name)
        try:
            model.build(input_shape)
        except (TypeError, ValueError) as e:
            raise KerasFormatError(f"{where}: the layers do not fit the input shape {input_shape}: {e}"
                                   ) from None
    arrays, optimizer_vars = _read_weights(weights_bytes, layers, where)
    for layer, values in zip(layers, arrays, strict=True):  # everything is checked: now assign
        for (_, w), a in zip(kl.layer_weights(layer, kl.entry_for(layer, where)), values, strict=True):
            np.copyto(w.data, a)
    compile_config = config.get("compile_config")
    if compile and isinstance(compile_config, dict) and compile_config.get("optimizer"):  # else: uncompiled
        _compile_from_keras(model, compile_config, optimizer_vars, where)
    return model


def _functional_from_config(config: dict, name: str | None, where: str) -> tuple[Any, list[Any]]:
    """Replay a functional graph: table-built layers called on ``nn.Input`` tensors, in dependency order.

    Returns the model and its non-input layers in the file's order (the order of their weight paths).
    """
    from .layers import Input as symbolic_input
    from .models import Model

    specs = config.get("layers")
    if not isinstance(specs, list) or not specs:
        raise KerasFormatError(f"{where}: the Functional config has no layers")
    made: dict[str, Any] = {}
    outputs: dict[tuple, Any] = {}  # (layer name, call index) -> what that call returned
    pending = list(specs)
    while pending:  # each pass places at least one layer whose inputs exist, or the graph is broken
        ready = [s for s in pending if all(ref in outputs for ref in _node_refs(s, where))]
        if not ready:
            names = [_spec_name(s, where) for s in pending]
            raise KerasFormatError(f"{where}: cannot connect layers {names} (inputs missing, or a cycle)")
        for spec in ready:
            pending.remove(spec)
            layer_name = _spec_name(spec, where)
            if spec.get("class_name") == "InputLayer":
                kl.check_module(spec, where)
                outputs[(layer_name, 0)] = _input_tensor(spec.get("config") or {}, layer_name, symbolic_input,
                                                         where)
                continue
            layer = made[layer_name] = kl.from_keras_config(spec, where)
            for i, node in enumerate(spec.get("inbound_nodes") or []):
                kwargs = {k: v for k, v in (node.get("kwargs") or {}).items() if v is not None}
                if kwargs:
                    raise KerasFormatError(f"{where}: '{layer_name}' is called with {kwargs} (unsupported)")
                args = [_resolve(a, outputs, where) for a in node.get("args") or []]
                try:
                    outputs[(layer_name, i)] = layer(args[0] if len(args) == 1 else args)
                except (TypeError, ValueError) as e:
                    raise KerasFormatError(f"{where}: layer '{layer_name}' does not fit its inputs: {e}"
                                           ) from None

    def ends(refs: Any) -> Any:
        if not isinstance(refs, list) or not refs:
            raise KerasFormatError(f"{where}: input_layers/output_layers must list [name, call, index]")
        items = [_resolve({"class_name": "__keras_tensor__", "config": {"keras_history": r}}, outputs, where)
                 for r in refs]
        return items[0] if len(items) == 1 else items

    model = Model(ends(config.get("input_layers")), ends(config.get("output_layers")), name=name)
    return model, [made[_spec_name(s, where)] for s in specs if _spec_name(s, where) in made]


def _spec_name(spec: Any, where: str) -> str:
    name = spec.get("name") or (spec.get("config") or {}).get("name") if isinstance(spec, dict) else None
    if not isinstance(name, str):
        raise KerasFormatError(f"{where}: a layer entry has no name: {spec!r:.80}")
    return name


def _node_refs(spec: dict, where: str) -> list[tuple]:
    """``(layer name, call index)`` of every tensor a layer's calls read."""
    found: list[tuple] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            history = (x.get("config") or {}).get("keras_history")
            if not (isinstance(history, list) and len(history) == 3):
                raise KerasFormatError(f"{where}: a tensor reference has no [layer, call, index]: {x!r:.80}")
            found.append((history[0], history[1]))
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)

    walk(spec.get("inbound_nodes") or [])
    return found


def _resolve(x: Any, outputs: dict, where: str) -> Any:
    """A node argument with each tensor reference replaced by the symbolic tensor it names."""
    from .layers.symbolic import flatten

    if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
        history = (x.get("config") or {}).get("keras_history")
        if not (isinstance(history, list) and len(history) == 3 and (history[0], history[1]) in outputs):
            raise KerasFormatError(f"{where}: a tensor reference points nowhere: {history!r}")
        produced = flatten(outputs[(history[0], history[1])])
        if not isinstance(history[2], int) or not 0 <= history[2] < len(produced):
            raise KerasFormatError(f"{where}: {history!r} names an output that layer does not have")
        return produced[history[2]]
    if isinstance(x, list):
        return [_resolve(v, outputs, where) for v in x]
    raise KerasFormatError(f"{where}: a layer argument {x!r:.80} is not a tensor (constants: unsupported)")


def _input_tensor(cfg: dict, name: str, symbolic_input: Any, where: str) -> Any:
    shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
    if not isinstance(shape, list) or not shape or not all(d is None or isinstance(d, int) for d in shape):
        raise KerasFormatError(f"{where}: input '{name}' has no valid batch_shape ({shape!r})")
    dtype = cfg.get("dtype") or "float32"
    if dtype not in ("float32", "int32", "int64"):
        raise KerasFormatError(f"{where}: input '{name}' has dtype {dtype!r}; expected float32, int32, int64")
    return symbolic_input(batch_shape=shape, dtype=dtype, name=name)


def _split_input(config: dict, where: str) -> tuple[list[Any], tuple]:
    specs = config["config"].get("layers")
    if not isinstance(specs, list) or not specs:
        raise KerasFormatError(f"{where}: the Sequential config has no layers")
    shape = config["config"].get("build_input_shape") or (config.get("build_config") or {}).get("input_shape")
    if isinstance(specs[0], dict) and specs[0].get("class_name") == "InputLayer":
        kl.check_module(specs[0], where)
        cfg = specs[0].get("config") or {}
        shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
        specs = specs[1:]
    if not isinstance(shape, list) or not shape or not all(d is None or isinstance(d, int) for d in shape):
        raise KerasFormatError(f"{where}: the model's input shape is missing or invalid ({shape!r})")
    return specs, tuple(shape)


def _read_weights(data: bytes, layers: list[Any], where: str) -> tuple[list[list[np.ndarray]], dict]:
    """Every layer's weights (checked against the built shapes) and the optimizer's raw variables."""
    h5py = _h5py()
    paths = h5_paths(layers, lambda layer: kl.entry_for(layer, where).keras_class)
    out = []
    try:
        with h5py.File(io.BytesIO(data), "r") as f:
            for layer, path in zip(layers, paths, strict=True):
                row = kl.entry_for(layer, where)
                expected = kl.layer_weights(layer, row)
                path = f"{_vars_path(path, row)}/vars"
                group = _group(f, path) if expected else None
                values = []
                for i, (attr, w) in enumerate(expected):
                    here = f"{where}: {WEIGHTS} {path}/{i} ({layer.name}.{attr})"
                    values.append(kl.check_weight(_dataset(group, str(i), here), w.shape, here))
                if group is not None and len(group) != len(expected):
                    raise KerasFormatError(f"{where}: {WEIGHTS} {path} holds {len(group)} arrays, layer "
                                           f"'{layer.name}' has {len(expected)} weights")
                out.append(values)
            opt = _group(f, "optimizer/vars", required=False)
            optimizer_vars = {} if opt is None else {
                k: _dataset(opt, k, f"{where}: optimizer/vars/{k}") for k in opt}
    except OSError as e:
        raise KerasFormatError(f"{where}: {WEIGHTS} is not a readable HDF5 file ({e})") from None
    return out, optimizer_vars


def _group(f: Any, path: str, required: bool = True) -> Any:
    h5py = _h5py()
    node: Any = f
    for part in path.split("/"):
        link = node.get(part, getlink=True) if isinstance(node, h5py.Group) else None
        if link is None:
            if not required:
                return None
            raise KerasFormatError(f"missing weights: {WEIGHTS} has no group {path!r}")
        if not isinstance(link, h5py.HardLink):  # soft and external links could reach other files
            raise KerasFormatError(f"{WEIGHTS}: {path!r} is a link ({type(link).__name__}); refused")
        node = node[part]
    if not isinstance(node, h5py.Group):
        raise KerasFormatError(f"{WEIGHTS}: {path!r} is not a group")
    return node


def _dataset(group: Any, key: str, where: str) -> np.ndarray:
    h5py = _h5py()
    link = group.get(key, getlink=True)
    if link is None:
        raise KerasFormatError(f"{where}: missing weight")
    if not isinstance(link, h5py.HardLink):
        raise KerasFormatError(f"{where}: is a link ({type(link).__name__}); refused")
    ds = group[key]
    if not isinstance(ds, h5py.Dataset) or ds.is_virtual or ds.external:
        raise KerasFormatError(f"{where}: is not a plain array stored in the file; refused")
    if ds.dtype.kind not in "fiub":
        raise KerasFormatError(f"{where}: has dtype {ds.dtype}; a numeric array was expected")
    return np.asarray(ds[()])


def _compile_from_keras(model: Any, cc: dict, optimizer_vars: dict, where: str) -> None:
    """Compile ``model`` as Keras's ``compile_config`` says; if stepgrad cannot, warn, leave it uncompiled."""
    try:
        optimizer = _optimizer_from_keras(cc.get("optimizer"))
        loss = _named_or_object(cc.get("loss"), _losses.Loss, _losses, "loss")
        metrics = [_named_or_object(m, _metrics.Metric, _metrics, "metric") for m in cc.get("metrics") or []]
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    except (TypeError, ValueError, KeyError) as e:
        warnings.warn(f"{where}: the model is returned uncompiled: its compile settings do not map to "
                      f"stepgrad ({e}); call compile() on it", stacklevel=4)
        return
    if optimizer_vars and type(model.optimizer).__name__ in ("Adam", "AdamW"):
        _load_adam_state(model, optimizer_vars, where)


def _optimizer_from_keras(spec: Any) -> Any:
    if isinstance(spec, str):
        return _optimizers.get(spec)
    if not isinstance(spec, dict) or spec.get("class_name") not in _KERAS_OPTIMIZERS:
        raise ValueError(f"optimizer {spec!r:.80} is not one of {sorted(_KERAS_OPTIMIZERS)}")
    kl.check_module(spec, "optimizer")
    cls = type(_optimizers.get(_KERAS_OPTIMIZERS[spec["class_name"]]))
    accepted = set(cls().get_config()) | {"learning_rate"}
    kwargs = {}
    for key, value in (spec.get("config") or {}).items():
        if key in accepted and value is not None:
            kwargs[key] = value
        elif key not in ("name", "ema_momentum", "amsgrad") and value not in (None, False):
            raise ValueError(f"{spec['class_name']}: {key}={value!r} is not supported by stepgrad")
        elif key == "amsgrad" and value:
            raise ValueError("Adam: amsgrad=True is not supported by stepgrad")
    if isinstance(kwargs.get("learning_rate"), dict):
        raise ValueError("a learning-rate schedule object is not supported by stepgrad")
    return cls(**kwargs)


def _named_or_object(spec: Any, base: type, module: Any, noun: str) -> Any:
    """A name as is (stepgrad resolves it); ``{"class_name", "config"}`` rebuilt from ``module``'s classes."""
    if isinstance(spec, str):
        return spec
    if not isinstance(spec, dict):
        raise ValueError(f"{noun} {spec!r:.80} is neither a name nor a config")
    kl.check_module(spec, noun)
    cls = getattr(module, str(spec.get("class_name")), None)
    if not (isinstance(cls, type) and issubclass(cls, base)) or cls is base:
        raise ValueError(f"unknown {noun} class {spec.get('class_name')!r}")
    import inspect

    accepted = inspect.signature(cls.__init__).parameters
    config = spec.get("config") or {}
    for key, value in config.items():
        if key not in accepted and key not in ("dtype", "axis") and value not in (None, False):
            raise ValueError(f"{cls.__name__}: {key}={value!r} is not supported by stepgrad")
    return cls(**{k: v for k, v in config.items() if k in accepted})


def _load_adam_state(model: Any, variables: dict, where: str) -> None:
    opt = model.optimizer
    body = [layer for layer in model.layers if not isinstance(layer, Input)]  # the file's order, as saved
    rows = [kl.entry_for(layer, where) for layer in body]
    trainable = _trainable_in_keras_order(body, rows)
    if len(variables) != 2 + 2 * len(trainable):
        warnings.warn(f"{where}: the optimizer state has {len(variables)} arrays, Adam needs "
                      f"{2 + 2 * len(trainable)}; training restarts the moments", stacklevel=5)
        return
    index = {id(p): i for i, p in enumerate(opt.params)}
    state = {"iterations": np.asarray(variables["0"]), "learning_rate": np.asarray(variables["1"])}
    for j, w in enumerate(trainable):
        i = index[id(w)]
        state[f"m.{i}"], state[f"v.{i}"] = variables[str(2 + 2 * j)], variables[str(3 + 2 * j)]
    try:
        opt.load_state_dict(state)
    except (ValueError, KeyError) as e:
        warnings.warn(f"{where}: the optimizer state does not fit ({e}); training restarts the moments",
                      stacklevel=5)
