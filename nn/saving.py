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
