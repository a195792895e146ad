"""Writing a file so that it appears complete or not at all: drawings and every nn save use this.

The bytes go to a temporary file beside the target, are fsynced, and the file is renamed over the
target (an atomic rename on POSIX and Windows), so a crash never leaves a half-written file or
destroys the previous one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, fsync it, then rename it over ``path``.

    If ``write`` raises, the old ``path`` is untouched and the temporary file is removed. A killed
    process can leave its ``.<name>.<pid>.*.tmp`` behind: the next save of the same path removes
    the temporary files of processes that no longer exist. The new file gets the permissions a
    plain ``open(path, "w")`` would give (``0o666`` less the umask), not ``mkstemp``'s ``0o600``.

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "a.bin")
        >>> atomic_write(p, lambda f: f.write(b"hello"))
        >>> open(p, "rb").read(), oct(os.stat(p).st_mode & 0o777) == oct(0o666 & ~current_umask())
        (b'hello', True)

    Args:
        path: the file to (re)place.
        write: writes the whole content to the binary file object it receives.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: cannot write {path!r}: the folder {folder!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"save: cannot write {path!r}: it is a folder")
    name = os.path.basename(path)
    _remove_stale_temp_files(folder, name)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes 0o600; a saved model is an ordinary file
            os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them visible
        os.replace(tmp, path)
    except BaseException as error:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(error, OSError) and error.errno and error.filename is None:  # ENOSPC: say which file
            raise OSError(error.errno, f"save: cannot write {path!r}: {error.strerror}", path) from error
        raise
    _fsync_folder(folder)


def current_umask() -> int:
    """The process's umask, read without changing it where the OS allows (Linux's /proc)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (a brief window other threads could see)
    os.umask(mask)
    return mask


def _remove_stale_temp_files(folder: str, name: str) -> None:
    """Delete ``.<name>.<pid>.*.tmp`` files whose writing process has died (a SIGKILL mid-save)."""
    prefix = f".{name}."
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        pid_text = entry[len(prefix):].split(".", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _process_exists(int(pid_text)):
            try:
                os.remove(os.path.join(folder, entry))
            except OSError:
                pass  # someone else removed it, or we may not: a stale file is harmless


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else (or we cannot tell): leave its file alone
    return True


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
