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
import math
import os
import warnings
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.files import atomic_write

FORMAT = "stepgrad"
VERSION = 1
META_KEY = "__meta__"
WEIGHTS_PREFIX = "weights/"
OPTIMIZER_PREFIX = "optimizer/"
MAX_META_BYTES = 64 * 2**20  # architecture and compile settings as JSON: far below this in practice


def write_archive(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write ``arrays`` and the JSON-able ``meta`` to one ``.npz`` file at ``path``, atomically."""
    for name, a in arrays.items():
        if a.dtype.kind not in "biufc":  # keep files loadable with allow_pickle=False
            raise TypeError(f"save: '{name}' has dtype {a.dtype}; only numeric arrays can be saved")
    payload = {META_KEY: np.array(json.dumps({"format": FORMAT, "version": VERSION, **meta}))}
    payload.update(arrays)
    atomic_write(path, lambda f: np.savez(f, **payload))


ArraySpec = tuple  # (shape, dtype) of one archive entry, read from its .npy header


def read_archive(path: str | os.PathLike, expect: str = "any",
                 select: Callable[[dict, dict[str, ArraySpec]], Any] | None = None,
                 ) -> tuple[dict[str, np.ndarray], dict]:
    """Read the metadata and (some of) the arrays of a stepgrad archive, refusing pickled content.

    Nothing large is read before it is checked: first the metadata and every entry's ``.npy``
    header (shape and dtype, a few hundred bytes each); each header's size must match the bytes the
    zip entry holds. Then ``select(meta, specs)`` may check the declared shapes against what the
    caller expects and return the names to read (raising to refuse the file); only those are read.

    Args:
        path: the ``.npz`` file.
        expect: ``"model"`` to require a file written by ``save()``; ``"any"`` also accepts
            ``save_weights()`` files.
        select: ``(meta, {name: (shape, dtype)}) -> names``; default: every entry.

    Returns:
        ``(arrays, meta)``: the selected arrays (never the metadata), and the decoded metadata dict.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        what = ("no such file" if not os.path.exists(path) else "a folder" if os.path.isdir(path)
                else "not a regular file")
        raise FileNotFoundError(f"load: {path!r}: {what} (expected a stepgrad .npz file)")
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80":  # pickle protocol 2+ opcode
        raise ValueError(
            f"load: {path!r} is a Python pickle; refused because unpickling can run arbitrary code "
            "(stepgrad files are .npz archives of numeric arrays)"
        )
    if head[:2] != b"PK":
        raise ValueError(f"load: {path!r} is not a stepgrad .npz archive (it does not start like a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            specs, meta_entry = _entry_specs(archive, path)
            meta = _read_meta(archive, meta_entry, path)
            _check_meta(meta, path, expect)
            names = list(specs) if select is None else list(select(meta, specs))
            arrays = {name: _read_entry(archive, name, path) for name in names}
    except (zipfile.BadZipFile, EOFError, zlib.error) as e:
        raise ValueError(f"load: {path!r} is damaged or truncated ({type(e).__name__}: {e})") from e
    return arrays, meta


def _entry_specs(archive: zipfile.ZipFile, path: str) -> tuple[dict[str, ArraySpec], zipfile.ZipInfo]:
    """Shape and dtype of every array entry, from the .npy headers; the metadata entry apart."""
    specs: dict[str, ArraySpec] = {}
    meta_entry = None
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise ValueError(f"load: {path!r}: entry {info.filename!r} is not an array (.npy); "
                             "stepgrad archives hold arrays only")
        name = info.filename[:-4]
        with archive.open(info) as f:
            shape, dtype, header_bytes = _npy_header(f, name, path)
        if dtype.hasobject:
            raise ValueError(
                f"load: {path!r}: entry '{name}' holds pickled Python objects; refused because "
                "unpickling can run arbitrary code (stepgrad files contain only numeric arrays)"
            )
        declared = math.prod(shape) * dtype.itemsize
        if header_bytes + declared != info.file_size:  # a forged header must not size an allocation
            raise ValueError(
                f"load: {path!r}: entry '{name}' declares shape {shape} of {dtype} ({declared:,} bytes) "
                f"but holds {info.file_size - header_bytes:,} bytes: the file is damaged or forged"
            )
        if name == META_KEY:
            if dtype.kind != "U" or shape != () or declared > MAX_META_BYTES:
                raise ValueError(f"load: {path!r}: its '{META_KEY}' entry is not JSON text of at most "
                                 f"{MAX_META_BYTES:,} bytes (shape {shape}, {dtype}, {declared:,} bytes)")
            meta_entry = info
        elif dtype.kind not in "biufc":
            raise ValueError(f"load: {path!r}: entry '{name}' has dtype {dtype}; expected numbers")
        else:
            specs[name] = (shape, dtype)
    if meta_entry is None:
        raise ValueError(
            f"load: {path!r} is an .npz file but not one written by stepgrad (no '{META_KEY}' entry)"
        )
    return specs, meta_entry


def _npy_header(f: Any, name: str, path: str) -> tuple[tuple, np.dtype, int]:
    """``(shape, dtype, header size in bytes)`` of the .npy stream ``f``, reading only its header."""
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f".npy format version {version} (stepgrad writes 1.0 and 2.0)")
    except ValueError as e:
        raise ValueError(f"load: {path!r}: entry '{name}' has no valid array header ({e})") from None
    return tuple(shape), dtype, f.tell()


def _read_meta(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> Any:
    with archive.open(info) as f:
        text = str(np.lib.format.read_array(f, allow_pickle=False)[()])
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"load: {path!r}: its '{META_KEY}' entry nests too deeply to be stepgrad's "
                         "metadata") from None
    except ValueError as e:
        raise ValueError(f"load: {path!r}: its '{META_KEY}' entry is not valid JSON ({e})") from e


def _check_meta(meta: Any, path: str, expect: str) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"load: {path!r} is not a stepgrad archive (format {meta!r:.60})")
    version = meta.get("version", 0)
    if not isinstance(version, int) or version > VERSION:
        raise ValueError(
            f"load: {path!r} was written by a newer stepgrad (file format {version!r}, this "
            f"version reads up to {VERSION})"
        )
    if expect == "model" and meta.get("kind") != "model":
        raise ValueError(
            f"load_model: {path!r} holds weights only (written by save_weights); build the model in "
            "code and call model.load_weights(path), or save the whole model with model.save(path)"
        )


def _read_entry(archive: zipfile.ZipFile, name: str, path: str) -> np.ndarray:
    """One entry as an array (its size was matched against its header already)."""
    with archive.open(name + ".npy") as f:
        try:
            return np.lib.format.read_array(f, allow_pickle=False)
        except ValueError as e:
            raise ValueError(f"load: {path!r}: entry '{name}' is damaged ({e})") from e


def fitting_entries(expected: dict[str, tuple], specs: dict[str, ArraySpec]) -> list[str]:
    """The weight entries of an archive when they match ``expected`` shapes exactly; else ValueError.

    Called before any array is read, so a file that does not fit the model costs no memory.
    """
    found = {k[len(WEIGHTS_PREFIX):]: spec[0] for k, spec in specs.items() if k.startswith(WEIGHTS_PREFIX)}
    problems = []
    if missing := sorted(set(expected) - set(found)):
        problems.append(f"missing keys {missing}")
    if unexpected := sorted(set(found) - set(expected)):
        problems.append(f"unexpected keys {unexpected}")
    if wrong := [f"'{k}' is {found[k]} in the file, {tuple(expected[k])} in the model" for k in expected
                 if k in found and found[k] != tuple(expected[k])]:
        problems.append("shapes differ: " + "; ".join(wrong))
    if problems:
        raise ValueError(", ".join(problems))
    return [WEIGHTS_PREFIX + k for k in expected]


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
    """``{"class_name", "config"}`` for a layer: ``layer.get_config()`` (its constructor arguments)."""
    return {"class_name": type(layer).__name__, "config": dict(layer.get_config())}


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
    meta = {"kind": "weights", "input_shape": _shape_json(model.input_shape)}
    write_archive(path, _weight_arrays(model), meta)


def _shape_json(shape: Any) -> Any:
    """A shape (or a list of shapes, for several inputs) as JSON lists."""
    return [_shape_json(s) if isinstance(s, (list, tuple)) else s for s in shape]


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Load weights from a ``save_weights`` or ``save`` file into ``model``, all or nothing.

    The file's entries are matched against the model's weights by name and shape before any array
    is read (a forged or mismatched file costs no memory); a ``save()`` file's optimizer state is
    not read at all.
    """
    path = os.fspath(path)
    where = f"load_weights({path!r})"

    def select(meta: dict, specs: dict[str, ArraySpec]) -> list[str]:
        if not model.built and meta.get("input_shape"):
            model.build(_input_shape(meta, where))
        _require_built(model, where)
        expected = _weight_shapes(model)
        try:
            return fitting_entries(expected, specs)
        except ValueError as e:
            raise ValueError(f"load_weights: {path!r} does not fit this model: {e}") from None

    arrays, _ = read_archive(path, select=select)
    state = {k[len(WEIGHTS_PREFIX):]: v for k, v in arrays.items()}
    try:
        model.load_state_dict(state)
    except ValueError as e:
        raise ValueError(f"load_weights: {path!r} does not fit this model: {e}") from None


def _weight_shapes(model: Any) -> dict[str, tuple]:
    """``state_dict()``'s names and shapes, without its copies (the model may be a shapes-only skeleton)."""
    named = [*model.named_parameters(), *model.named_buffers()]
    return {name: np.shape(getattr(x, "data", x)) for name, x in named}


def _input_shape(meta: dict, where: str) -> tuple:
    """The saved input shape, checked: a list of positive sizes, ``None`` for unknown ones."""
    shape = meta.get("input_shape")
    if not (isinstance(shape, list) and all(d is None or (isinstance(d, int) and d > 0) for d in shape)):
        raise ValueError(f"{where}: the file's input shape {shape!r:.80} is not a list of positive sizes")
    return tuple(shape)


def save_model(model: Any, path: str | os.PathLike) -> None:
    """Write architecture, weights, compile settings and optimizer state to ``path``, atomically.

    A path ending in ``.keras`` gets a Keras 3 archive (``nn.keras_archive``); any other an ``.npz``.
    """
    if os.fspath(path).endswith(".keras"):
        from .keras_archive import save_keras

        return save_keras(model, path)
    _require_built(model, "save")
    arrays = _weight_arrays(model)
    from .layers.input_layer import serialize_layer

    meta: dict[str, Any] = {"kind": "model", "input_shape": _shape_json(model.input_shape),
                            "model": serialize_layer(model)}
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
    """Rebuild the model in ``path`` (written by ``save_model``); see ``nn.models.load_model``.

    The declared architecture is first built with :func:`nn.layers.base.shapes_only` (no memory)
    and checked against the shapes in the file's array headers; only a file that fits is read.
    """
    from .layers.base import shapes_only

    path = os.fspath(path)
    if path.endswith(".keras"):
        from .keras_archive import load_keras

        if custom_objects:
            raise ValueError(f"load_model: {path!r}: custom_objects are not used for .keras files "
                             "(stepgrad builds only the layers of its Keras table)")
        return load_keras(path, compile=compile)
    where = f"load_model: {path!r}"

    def select(meta: dict, specs: dict[str, ArraySpec]) -> list[str]:
        with shapes_only():
            skeleton = _rebuild(meta, where, custom_objects, cls)
        expected = _weight_shapes(skeleton)
        try:
            names = fitting_entries(expected, specs)
        except ValueError as e:
            raise ValueError(f"{where}: the weights do not fit the saved architecture: {e}") from None
        weight_bytes = sum(math.prod(specs[n][0]) * specs[n][1].itemsize for n in names)
        extra = [k for k in specs if k.startswith(OPTIMIZER_PREFIX)]
        extra_bytes = sum(math.prod(specs[k][0]) * specs[k][1].itemsize for k in extra)
        if extra_bytes > 4 * weight_bytes + 2**20:  # Adam keeps two moments per weight; more is forged
            raise ValueError(f"{where}: its optimizer state declares {extra_bytes:,} bytes for "
                             f"{weight_bytes:,} bytes of weights; refused")
        if others := sorted(set(specs) - set(names) - set(extra)):
            raise ValueError(f"{where}: unexpected entries {others[:5]}")
        return names + extra

    arrays, meta = read_archive(path, expect="model", select=select)
    model = _rebuild(meta, where, custom_objects, cls)
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




def _rebuild(meta: dict, where: str, custom_objects: dict[str, Any] | None, cls: Any) -> Any:
    """The model that ``meta`` declares, built (layers from ``nn.layers``, ``nn.models`` and
    ``custom_objects`` only; nothing is imported)."""
    from .layers.input_layer import deserialize_layer

    config = meta.get("model") or {}
    if not isinstance(config, dict):
        raise ValueError(f"{where}: the saved architecture is not a layer config")
    if "class_name" not in config:  # format 1 files: a Sequential's name and list of layers
        if not isinstance(config.get("layers", []), list):
            raise ValueError(f"{where}: the saved architecture is not a list of layers")
        config = {"class_name": "Sequential", "config": {"name": config.get("name"),
                                                         "layers": config.get("layers", [])}}
    try:
        model = deserialize_layer(config, custom_objects)
        if not model.built:
            model.build(_input_shape(meta, where))
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise ValueError(f"{where}: cannot rebuild the saved architecture: {e}") from None
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
