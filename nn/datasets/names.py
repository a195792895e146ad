"""First names with sex from the 1990 US Census (shipped in the package as ``data/names.csv``).

The file was written once by ``scripts/make_names_csv.py`` from the census files carried by the
PyPI package ``names`` 0.3.0; see ``data/README.md`` for provenance. Its SHA-256 is pinned here and
checked on every load.
"""

from __future__ import annotations

import csv
import hashlib
import io

import numpy as np

from .real import DATA_DIR

NAMES_FILE = "names.csv"
NAMES_SHA256 = "7b9cd55d87b2bd08ddd2aa6bcc8423c666021b96cd45951d8b286bb26c745578"
SEXES = ("F", "M")  # label 0 = female, 1 = male


def load_names(unique: bool = False, return_percent: bool = False) -> tuple[np.ndarray, ...]:
    """The 5,494 first names of the 1990 US Census (4,275 female, 1,219 male), with their sex.

    Each census list gives a name's share of people of that sex (in percent); 331 names are in
    both lists (Jean, Terry, ...). With ``unique=True`` each such name is kept once, labelled with
    the sex in whose list it is more common (5,163 names).

    Example:
        >>> names, sex = load_names()
        >>> names[:3].tolist(), sex[:3].tolist(), len(names), int(sex.sum())
        (['Mary', 'Patricia', 'Linda'], [0, 0, 0], 5494, 1219)

    Args:
        unique: keep each name once (see above).
        return_percent: also return each name's percent of its sex's population.

    Returns:
        ``(names, sex)`` or ``(names, sex, percent)``: names a str array ("Mary"), sex int64 (0 female,
        1 male), percent float64; female names first, each list in census rank order.
    """
    path = DATA_DIR / NAMES_FILE
    if not path.is_file():
        raise FileNotFoundError(f"load_names: the bundled data file {path} is missing; reinstall stepgrad")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != NAMES_SHA256:
        raise ValueError(f"load_names: {path} has SHA-256 {digest}, expected {NAMES_SHA256} (the file was "
                         f"changed; regenerate it with scripts/make_names_csv.py or reinstall stepgrad)")
    rows = list(csv.DictReader(io.StringIO(data.decode("ascii"))))
    if unique:
        best: dict[str, dict] = {}
        for row in rows:  # the more common reading of a name shared by both lists wins
            if row["name"] not in best or float(row["percent"]) > float(best[row["name"]]["percent"]):
                best[row["name"]] = row
        rows = [row for row in rows if best[row["name"]] is row]
    names = np.array([row["name"] for row in rows])
    sex = np.array([SEXES.index(row["sex"]) for row in rows], dtype=np.int64)
    if return_percent:
        return names, sex, np.array([float(row["percent"]) for row in rows])
    return names, sex
