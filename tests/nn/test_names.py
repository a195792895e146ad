"""nn.datasets.load_names: the bundled census names (counts, labels, the pinned SHA-256, unique mode)."""

import hashlib
import shutil

import numpy as np
import pytest

from nn.datasets import load_names, names


def test_the_bundled_file_matches_its_pinned_digest():
    data = (names.DATA_DIR / names.NAMES_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == names.NAMES_SHA256


def test_load_names_counts_labels_and_percent():
    first, sex, percent = load_names(return_percent=True)
    assert first.shape == sex.shape == percent.shape == (5494,)
    assert (sex == 0).sum() == 4275 and (sex == 1).sum() == 1219 and sex.dtype == np.int64
    assert first[0] == "Mary" and first[4275] == "James" and percent[4275] == pytest.approx(3.318)
    assert all(n.isalpha() and n[0].isupper() for n in first)
    assert max(len(n) for n in first) == 11


def test_unique_keeps_the_more_common_sex_of_shared_names():
    first, sex = load_names(unique=True)
    assert len(first) == len(set(first.tolist())) == 5494 - 331
    lookup = dict(zip(first.tolist(), sex.tolist(), strict=True))
    assert lookup["James"] == 1 and lookup["Mary"] == 0


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    shutil.copy(names.DATA_DIR / names.NAMES_FILE, tmp_path / names.NAMES_FILE)
    with open(tmp_path / names.NAMES_FILE, "a") as f:
        f.write("Zed,M,0.001,1220\n")
    monkeypatch.setattr(names, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="load_names: .*names.csv has SHA-256 .* expected 7b9cd55d"):
        load_names()
