"""Files written by stepgrad: one ``.npz`` archive, written atomically and read without pickle.

Safety rules, each pinned by a test:

- **No code runs on load.** Archives are read with ``np.load(..., allow_pickle=False)``; a file that
  holds pickled objects (an object array, or a plain pickle) is refused with an error naming it.
  The architecture and the compile settings are stored as JSON text, and layers are rebuilt only
  from the classes in ``nn.layers`` (plus ``custom_objects`` the caller passes).
- **A crash never destroys the previous file.** Every save writes a temporary file in the same
  folder, fsyncs it and ``os.replace``\\ s it over the target (an atomic rename on POSIX and Windows).
- **A failed load changes nothing.** Everything is read and checked before anything is assigned.

Layout of an archive: ``__meta__`` (a 0-d unicode array holding JSON: format, kind, input shape,
architecture, compile settings, the optimizer state's skeleton), ``weights/<dotted name>`` for each
parameter and buffer, and ``optimizer/<i>`` for the arrays of the optimizer's state.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

FORMAT = "stepgrad"
VERSION = 1
META_KEY = "__meta__"
WEIGHTS_PREFIX = "weights/"
OPTIMIZER_PREFIX = "optimizer/"


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, fsync it, then rename it over ``path``.

    If ``write`` raises (or the process dies) the old ``path`` is untouched and the temporary file
    is removed (on an exception; a killed process can leave a ``.<name>.*.tmp`` file behind).

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "a.bin")
        >>> atomic_write(p, lambda f: f.write(b"hello"))
        >>> open(p, "rb").read()
        b'hello'

    Args:
        path: the file to (re)place.
        write: writes the whole content to the binary file object it receives.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: cannot write {path!r}: the folder {folder!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them visible
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_archive(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write ``arrays`` and the JSON-able ``meta`` to one ``.npz`` file at ``path``, atomically."""
    for name, a in arrays.items():
        if a.dtype.kind not in "biufc":  # keep files loadable with allow_pickle=False
            raise TypeError(f"save: '{name}' has dtype {a.dtype}; only numeric arrays can be saved")
    payload = {META_KEY: np.array(json.dumps({"format": FORMAT, "version": VERSION, **meta}))}
    payload.update(arrays)
    atomic_write(path, lambda f: np.savez(f, **payload))


def read_archive(path: str | os.PathLike, expect: str = "any") -> tuple[dict[str, np.ndarray], dict]:
    """Read every array and the metadata of a stepgrad archive, refusing pickled content.

    Args:
        path: the ``.npz`` file.
        expect: ``"model"`` to require a file written by ``save()``; ``"any"`` also accepts
            ``save_weights()`` files.

    Returns:
        ``(arrays, meta)``: all arrays except the metadata, and the decoded metadata dict.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no such file: {path!r}")
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80":  # pickle protocol 2+ opcode
        raise ValueError(
            f"load: {path!r} is a Python pickle; refused because unpickling can run arbitrary code "
            "(stepgrad files are .npz archives of numeric arrays)"
        )
    if head[:2] != b"PK":
        raise ValueError(f"load: {path!r} is not a stepgrad .npz archive (it does not start like a zip file)")
    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for key in archive.files:
                arrays[key] = _read_member(archive, key, path)
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise ValueError(f"load: {path!r} is damaged or truncated ({type(e).__name__}: {e})") from e
    if META_KEY not in arrays:
        raise ValueError(
            f"load: {path!r} is an .npz file but not one written by stepgrad (no '{META_KEY}' entry)"
        )
    try:
        meta = json.loads(str(arrays.pop(META_KEY)[()]))
    except (ValueError, TypeError) as e:
        raise ValueError(f"load: {path!r}: its '{META_KEY}' entry is not valid JSON ({e})") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"load: {path!r} is not a stepgrad archive (format {meta!r:.60})")
    if meta.get("version", 0) > VERSION:
        raise ValueError(
            f"load: {path!r} was written by a newer stepgrad (file format {meta['version']}, this "
            f"version reads up to {VERSION})"
        )
    if expect == "model" and meta.get("kind") != "model":
        raise ValueError(
            f"load_model: {path!r} holds weights only (written by save_weights); build the model in "
            "code and call model.load_weights(path), or save the whole model with model.save(path)"
        )
    return arrays, meta


def _read_member(archive: Any, key: str, path: str) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as e:
        if "pickle" in str(e).lower() or "object arrays" in str(e).lower():
            raise ValueError(
                f"load: {path!r}: entry '{key}' holds pickled Python objects; refused because "
                "unpickling can run arbitrary code (stepgrad files contain only numeric arrays)"
            ) from e
        raise ValueError(f"load: {path!r}: entry '{key}' is damaged ({e})") from e


# --- nested optimizer state <-> (JSON skeleton, arrays) ---------------------------------------------
def flatten_state(state: Any, prefix: str) -> tuple[Any, dict[str, np.ndarray]]:
    """Split a nested state (dicts, lists, tuples, arrays, numbers, strings) into JSON and arrays.

    Arrays (and numpy scalars, to keep their dtype) become ``{"__array__": key}`` references;
    dicts become ``{"__dict__": [[key, value], ...]}`` so integer keys survive JSON.

    Example:
        >>> skeleton, arrays = flatten_state({0: {"m": np.zeros(2)}, "t": 3}, "opt/")
        >>> sorted(arrays), unflatten_state(skeleton, arrays)["t"]
        (['opt/0'], 3)
    """
    arrays: dict[str, np.ndarray] = {}

    def walk(x: Any) -> Any:  # state trees are a few levels deep; recursion is safe here
        if isinstance(x, (np.ndarray, np.generic)):
            key = f"{prefix}{len(arrays)}"
            arrays[key] = np.array(x, copy=True)
            return {"__array__": key, "scalar": isinstance(x, np.generic)}
        if hasattr(x, "data") and isinstance(getattr(x, "data", None), np.ndarray):  # a Tensor
            return walk(x.data)
        if isinstance(x, dict):
            return {"__dict__": [[k, walk(v)] for k, v in x.items()]}
        if isinstance(x, tuple):
            return {"__tuple__": [walk(v) for v in x]}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        raise TypeError(f"save: cannot store a {type(x).__name__} in the optimizer state")

    return walk(state), arrays


def unflatten_state(skeleton: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Inverse of :func:`flatten_state`."""
    if isinstance(skeleton, list):
        return [unflatten_state(v, arrays) for v in skeleton]
    if isinstance(skeleton, dict):
        if "__array__" in skeleton:
            a = arrays[skeleton["__array__"]]
            return a[()] if skeleton.get("scalar") else a  # numpy scalars come back as numpy scalars
        if "__tuple__" in skeleton:
            return tuple(unflatten_state(v, arrays) for v in skeleton["__tuple__"])
        return {k: unflatten_state(v, arrays) for k, v in skeleton["__dict__"]}
    return skeleton


# --- model files ------------------------------------------------------------------------------------
def layer_config(layer: Any) -> dict[str, Any]:
    """``{"class_name", "config"}`` for a layer: its constructor arguments, read back from the layer.

    A layer's own ``get_config()`` wins; otherwise each ``__init__`` argument is found as an attribute
    of the same name (activations by their name, initializers in ``layer.initializers``).
    """
    import inspect

    if hasattr(layer, "get_config"):
        config = dict(layer.get_config())
    else:
        config = {}
        where = f"save: layer '{layer.name}' ({type(layer).__name__})"
        for arg, p in inspect.signature(type(layer).__init__).parameters.items():
            if arg == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or arg == "input_shape":
                continue  # the model stores the input shape once
            if arg == "activation" and hasattr(layer, "activation_name"):
                value = layer.activation_name
            elif arg.removesuffix("_initializer") in getattr(layer, "initializers", {}):
                value = layer.initializers[arg.removesuffix("_initializer")]  # BatchNormalization's dict
            elif hasattr(layer, arg):
                value = getattr(layer, arg)
            elif p.default is not p.empty:
                continue
            else:
                raise TypeError(
                    f"{where}: cannot find the value of argument '{arg}'; give the layer a get_config()"
                )
            config[arg] = _jsonable(value, f"{where}: argument {arg}={value!r}")
    return {"class_name": type(layer).__name__, "config": config}


def _jsonable(value: Any, where: str) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "get_config") and not isinstance(value, type):  # e.g. GlorotUniform(seed=0)
        config = {k: _jsonable(v, where) for k, v in value.get_config().items()}
        return {"class_name": type(value).__name__, "config": config}
    raise TypeError(
        f"{where} cannot be saved as text (only names, numbers and configurable objects can); "
        "use save_weights() for such models"
    )


def _weight_arrays(model: Any) -> dict[str, np.ndarray]:
    return {WEIGHTS_PREFIX + name: a for name, a in model.state_dict().items()}


def _require_built(model: Any, what: str) -> None:
    if not model.built:
        raise ValueError(
            f"{what}: the model has no weights yet; build it first (input_shape= on the first layer, "
            "model.build(shape), or fit/call it on data)"
        )


def save_weights(model: Any, path: str | os.PathLike) -> None:
    """Write ``model.state_dict()`` (and the input shape) to ``path``, atomically."""
    _require_built(model, "save_weights")
    write_archive(path, _weight_arrays(model), {"kind": "weights", "input_shape": list(model.input_shape)})


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Load weights from a ``save_weights`` or ``save`` file into ``model``, all or nothing."""
    arrays, meta = read_archive(path)
    state = {k[len(WEIGHTS_PREFIX):]: v for k, v in arrays.items() if k.startswith(WEIGHTS_PREFIX)}
    if not model.built and meta.get("input_shape"):
        model.build(tuple(meta["input_shape"]))
    _require_built(model, f"load_weights({os.fspath(path)!r})")
    try:
        model.load_state_dict(state)
    except ValueError as e:
        raise ValueError(f"load_weights: {os.fspath(path)!r} does not fit this model: {e}") from None


def save_model(model: Any, path: str | os.PathLike) -> None:
    """Write architecture, weights, compile settings and optimizer state to ``path``, atomically."""
    _require_built(model, "save")
    arrays = _weight_arrays(model)
    meta: dict[str, Any] = {"kind": "model", "input_shape": list(model.input_shape),
                            "model": model.get_config()}
    if getattr(model, "compiled", False):
        compile_config = model._compile_config
        try:
            json.dumps(compile_config)
            problem = "a custom loss function" if compile_config["loss"] is None else None
        except TypeError as e:  # e.g. a learning-rate schedule function
            problem = str(e)
        if problem:
            warnings.warn(f"save: the compile settings are not saved ({problem}); load_model() returns an "
                          "uncompiled model: call compile() on it", stacklevel=3)
            meta["compile"] = None
        else:
            meta["compile"] = compile_config
            if model.optimizer.params is not None:
                skeleton, opt_arrays = flatten_state(model.optimizer.state_dict(), OPTIMIZER_PREFIX)
                meta["optimizer_state"] = skeleton
                arrays.update(opt_arrays)
    # random streams of layers (Dropout's masks), so resumed training draws what it would have drawn
    meta["rng_states"] = {str(i): layer._rng.bit_generator.state for i, layer in enumerate(model.layers)
                          if isinstance(getattr(layer, "_rng", None), np.random.Generator)}
    write_archive(path, arrays, meta)


def load_model(path: str | os.PathLike, custom_objects: dict[str, Any] | None = None, compile: bool = True,
               cls: Any = None) -> Any:
    """Rebuild the model in ``path`` (written by ``save_model``); see ``nn.models.load_model``."""
    from . import layers as layer_module

    arrays, meta = read_archive(path, expect="model")
    where = f"load_model: {os.fspath(path)!r}"
    config = meta.get("model") or {}
    known = {name: getattr(layer_module, name) for name in layer_module.__all__}
    known.update(custom_objects or {})
    layers = []
    for i, spec in enumerate(config.get("layers", [])):
        cls_name = spec.get("class_name")
        if cls_name not in known or not isinstance(known[cls_name], type):
            raise ValueError(
                f"{where}: layer {i} has unknown class {cls_name!r}; known: {sorted(known)} "
                "(pass custom_objects={'Name': Class} for your own layers)"
            )
        try:
            layers.append(known[cls_name](**spec.get("config", {})))
        except (TypeError, ValueError) as e:
            raise ValueError(f"{where}: cannot rebuild layer {i} ({cls_name}): {e}") from None
    model = cls(layers, name=config.get("name"))
    model.build(tuple(meta["input_shape"]))
    state = {k[len(WEIGHTS_PREFIX):]: v for k, v in arrays.items() if k.startswith(WEIGHTS_PREFIX)}
    try:
        model.load_state_dict(state)
    except ValueError as e:
        raise ValueError(f"{where}: the weights do not fit the saved architecture: {e}") from None
    for i, state in (meta.get("rng_states") or {}).items():
        rng = getattr(model.layers[int(i)], "_rng", None) if int(i) < len(model.layers) else None
        if isinstance(rng, np.random.Generator):
            kind = rng.bit_generator.state["bit_generator"]
            if state.get("bit_generator") == kind:
                rng.bit_generator.state = state
    compile_config = meta.get("compile")
    if compile and compile_config:
        model.compile(optimizer=compile_config["optimizer"], loss=compile_config["loss"],
                      metrics=[_metric_from_config(m, where) for m in compile_config["metrics"]])
        if "optimizer_state" in meta:
            try:
                model.optimizer.load_state_dict(unflatten_state(meta["optimizer_state"], arrays))
            except (ValueError, KeyError) as e:
                raise ValueError(f"{where}: the optimizer state does not fit: {e}") from None
    return model


def _metric_from_config(spec: Any, where: str) -> Any:
    """A metric name as is; ``{"class_name", "config"}`` rebuilt from ``nn.metrics`` classes only."""
    from . import metrics

    if isinstance(spec, str):
        return spec
    cls = getattr(metrics, str((spec or {}).get("class_name")), None)
    if not (isinstance(cls, type) and issubclass(cls, metrics.Metric)) or cls is metrics.Metric:
        raise ValueError(
            f"{where}: cannot rebuild the metric {spec!r}; load with compile=False and compile again"
        )
    return cls(**spec.get("config", {}))
