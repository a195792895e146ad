"""``get_file``: download once into a cache, check the hash, extract archives safely (Keras's utility).

The download goes to a temporary file beside its final name and is renamed only once its hash
matches, so a wrong, truncated or interrupted download is never cached. Archives are extracted
member by member, refusing any that would land outside the target folder (absolute paths, ``..``,
links), so an archive cannot overwrite other files.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Any

from autograd.files import atomic_write


def cache_root(cache_dir: str | os.PathLike | None = None) -> str:
    """``cache_dir``, else ``$STEPGRAD_HOME``, else ``~/.cache/stepgrad`` (Keras uses ``~/.keras``)."""
    if cache_dir is not None:
        return os.path.expanduser(os.fspath(cache_dir))
    return os.environ.get("STEPGRAD_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "stepgrad")


def hash_file(path: str | os.PathLike, algorithm: str = "sha256", chunk_size: int = 1 << 20) -> str:
    """The hex digest of a file ("sha256" or "md5"), read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


def _algorithm(file_hash: str, hash_algorithm: str) -> str:
    """Keras's "auto": a 64-digit hash is SHA-256, anything else MD5."""
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', received "
                         f"{hash_algorithm!r}")
    if hash_algorithm != "auto":
        return hash_algorithm
    return "sha256" if len(file_hash) == 64 else "md5"


def validate_file(fpath: str | os.PathLike, file_hash: str, algorithm: str = "auto") -> bool:
    """True when the file's hash equals ``file_hash`` (Keras's ``validate_file``)."""
    return hash_file(fpath, _algorithm(file_hash, algorithm)) == file_hash.lower()


def download(url: str, dest: str, file_hash: str | None, algorithm: str, where: str) -> None:
    """Fetch ``url`` into ``dest`` atomically; ``dest`` appears only if the hash matches.

    Raises ``OSError`` (naming the URL and the reason) when it cannot be fetched, and ``ValueError``
    (naming both hashes) when the bytes are not the expected ones.
    """
    def fetch(out: Any) -> None:
        digest = hashlib.new(algorithm or "sha256")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                for block in iter(lambda: response.read(1 << 20), b""):
                    digest.update(block)  # hashed while streaming: the file is read once
                    out.write(block)
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise OSError(f"{where}: could not download {url} ({reason}). If you are offline, put the file "
                          f"at {dest} yourself (it is used from there without downloading).") from error
        if file_hash is not None and digest.hexdigest() != file_hash.lower():
            raise ValueError(f"{where}: the file downloaded from {url} has {algorithm} {digest.hexdigest()}, "
                             f"expected {file_hash}; it is corrupt, truncated or not the original, so it was "
                             "not kept")

    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    atomic_write(dest, fetch)


def get_file(
    fname: str | None = None, origin: str | None = None, untar: bool = False, md5_hash: str | None = None,
    file_hash: str | None = None, cache_subdir: str = "datasets", hash_algorithm: str = "auto",
    extract: bool = False, archive_format: str | list[str] = "auto",
    cache_dir: str | os.PathLike | None = None, force_download: bool = False,
) -> str:
    """Return the path of ``fname`` in the cache, downloading it from ``origin`` first if needed.

    A cached file whose hash does not match ``file_hash`` is downloaded again. With ``extract`` (or
    ``untar``) a tar/zip archive is unpacked into a folder beside it, whose path is returned:
    ``fname`` itself when it has no extension, else ``<fname>_extracted``. ``origin`` may be any
    URL urllib opens, ``file://`` included.

    Example:
        >>> import pathlib, tempfile
        >>> src = pathlib.Path(tempfile.mkdtemp()) / "numbers.txt"
        >>> _ = src.write_text("1 2 3")
        >>> path = get_file("numbers.txt", src.as_uri(), cache_dir=tempfile.mkdtemp(),
        ...                 file_hash=hash_file(src))
        >>> open(path).read()
        '1 2 3'

    Args:
        fname: the file's name in the cache (default: the last part of ``origin``'s path); an
            absolute path is used as is.
        origin: the URL to download from.
        file_hash: the expected SHA-256 (64 hex digits) or MD5 of the file; strongly recommended.
        md5_hash: Keras 2 spelling of an MD5 ``file_hash``.
        cache_subdir: folder under the cache (an absolute path is used as is).
        hash_algorithm: "auto", "sha256" or "md5".
        extract, untar: unpack the archive after download.
        archive_format: "auto" (tar then zip), "tar", "zip", or a list of them.
        cache_dir: the cache root (default ``$STEPGRAD_HOME`` or ``~/.cache/stepgrad``).
        force_download: download even when a matching file is cached.
    """
    where = "get_file"
    if origin is None:
        raise ValueError(f"{where}: origin (the URL to download from) is required")
    if fname is None:
        fname = os.path.basename(urllib.parse.urlparse(origin).path)
        if not fname:
            raise ValueError(f"{where}: cannot tell a file name from origin={origin!r}; pass fname=")
    if file_hash is None and md5_hash is not None:
        file_hash, hash_algorithm = md5_hash, "md5"
    algorithm = None if file_hash is None else _algorithm(file_hash, hash_algorithm)
    folder = os.path.join(cache_root(cache_dir), cache_subdir)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, fname)
    cached = os.path.isfile(path) and not force_download
    if cached and file_hash is not None and hash_file(path, algorithm) != file_hash.lower():
        cached = False  # outdated or incomplete: fetch it again
    if not cached:
        download(origin, path, file_hash, algorithm, where)
    if not (extract or untar):
        return path
    base, suffix = os.path.splitext(fname)
    target = os.path.join(folder, fname if not suffix else base.removesuffix(".tar") + "_extracted")
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    extract_archive(path, target, formats)
    return target


def extract_archive(path: str, target: str, formats: list[str]) -> None:
    """Unpack a tar (plain, gz, bz2, xz) or zip archive into ``target``, member by member, safely."""
    def inside(name: str) -> str:
        dest = os.path.realpath(os.path.join(target, name))
        if os.path.isabs(name) or not (dest + os.sep).startswith(os.path.realpath(target) + os.sep):
            raise ValueError(f"get_file: archive {path} holds {name!r}, which points outside the folder it "
                             "is "
                             "extracted to; refusing to extract it")
        return dest

    os.makedirs(target, exist_ok=True)
    if "tar" in formats and tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            members = archive.getmembers()
            for member in members:
                inside(member.name)
                if not (member.isfile() or member.isdir()):
                    raise ValueError(f"get_file: archive {path} holds {member.name!r}, a link or special "
                                     "file; "
                                     "refusing to extract it")
            _extract_tar(archive, members, target)
        return
    if "zip" in formats and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                inside(name)
            archive.extractall(target)
        return
    raise ValueError(f"get_file: {path} is not a {' or '.join(formats)} archive, so it cannot be extracted")


def _extract_tar(archive: tarfile.TarFile, members: list[Any], target: str) -> None:
    if hasattr(tarfile, "data_filter"):  # Python 3.12 and the 3.8-3.11 security releases
        archive.extractall(target, members, filter="data")
    else:  # pragma: no cover - the members were checked above
        archive.extractall(target, members)
