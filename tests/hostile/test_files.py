"""What stepgrad promises about hostile or broken model files (``.npz``) and about saving.

Every file here is made by the test in a temporary folder. Loads of forged files run in a fresh
Python process where their peak memory is measured.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest

from nn import saving
from nn.layers import Dense
from nn.models import Sequential, load_model


def small_model() -> Sequential:
    model = Sequential([Dense(3, input_shape=(4,))])
    model.compile(optimizer="adam", loss="mse")
    return model


def npy_header(shape: tuple, dtype: str = "<f4") -> bytes:
    """A .npy version 1.0 header declaring ``shape`` (padded to 64 bytes, as numpy writes it)."""
    text = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape!r}, }}"
    text += " " * (63 - (10 + len(text)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


def write_npz(path, entries: dict[str, bytes], compress: bool = False) -> None:
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as z:
        for name, payload in entries.items():
            z.writestr(name + ".npy", payload)


def saved_entries(path) -> dict[str, bytes]:
    """Save ``small_model()`` to ``path`` and return its raw .npy entries by name, to be tampered with."""
    small_model().save(path)
    with zipfile.ZipFile(path) as z:
        return {name[:-4]: z.read(name) for name in z.namelist()}


def meta_entry(meta: dict) -> bytes:
    text = json.dumps({"format": "stepgrad", "version": 1, **meta})
    return npy_header((), f"<U{len(text)}") + text.encode("utf-32-le")


def peak_rss_of_load(path, loader: str = "load_model") -> tuple[str, float]:
    """Load ``path`` in a fresh process; returns (the error it raised, peak RSS in MB)."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak memory is read from Linux's /proc")
    code = textwrap.dedent(f"""
        import sys
        from nn.models import load_model, Sequential
        from nn.layers import Dense
        try:
            if {loader!r} == "load_model":
                load_model(sys.argv[1])
            else:
                Sequential([Dense(3, input_shape=(4,))]).load_weights(sys.argv[1])
            message = "loaded"
        except Exception as e:
            message = f"{{type(e).__name__}}: {{e}}"
        print(message)
        # VmHWM: this process's own peak (ru_maxrss would include the forking pytest's)
        peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
        print(int(peak) / 1024)
    """)
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip().splitlines()
    return out[0], float(out[1])


# --- forged archives: refused before anything large is read -------------------------------------
def test_a_header_claiming_a_trillion_floats_is_refused_by_name(tmp_path):
    path = tmp_path / "liar.npz"
    entries = saved_entries(path)
    entries["weights/layers.0.kernel"] = npy_header((10**12,)) + b"\0" * 48
    write_npz(path, entries)
    with pytest.raises(ValueError, match=r"liar\.npz.*layers\.0\.kernel.*declares shape \(1000000000000,\)"):
        load_model(path)


def test_a_zip_bomb_entry_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "bomb.npz"
    entries = saved_entries(path)
    size = 256 * 2**20  # 256 MiB of zeros: about 256 KB compressed
    entries["weights/layers.0.kernel"] = npy_header((size // 4,)) + bytes(size)
    write_npz(path, entries, compress=True)
    assert os.path.getsize(path) < 2 * 2**20
    message, peak_mb = peak_rss_of_load(path)
    assert "bomb.npz" in message and "layers.0.kernel" in message and "(67108864,)" in message
    assert peak_mb < 200, f"a refused 256 MiB bomb still took {peak_mb:.0f} MB"


def test_a_tiny_file_declaring_a_huge_layer_is_refused_before_building_it(tmp_path):
    path = tmp_path / "huge.npz"
    architecture = {"name": "huge", "layers": [{"class_name": "Dense", "config": {"units": 30000}}]}
    write_npz(path, {
        "__meta__": meta_entry({"kind": "model", "input_shape": [None, 30000], "model": architecture}),
        "weights/layers.0.kernel": npy_header((2, 2)) + bytes(16),
        "weights/layers.0.bias": npy_header((2,)) + bytes(8),
    })
    assert os.path.getsize(path) < 4096
    message, peak_mb = peak_rss_of_load(path)
    assert "huge.npz" in message and "(30000, 30000) in the model" in message
    assert peak_mb < 200, f"refusing a 3.6 GB architecture took {peak_mb:.0f} MB"


def test_weights_of_another_model_are_refused_before_reading(tmp_path):
    path = tmp_path / "other.npz"
    Sequential([Dense(7, input_shape=(5,))]).save_weights(path)
    message, _ = peak_rss_of_load(path, loader="load_weights")
    assert message.startswith("ValueError: load_weights:") and "other.npz" in message
    assert "'layers.0.kernel' is (5, 7) in the file, (4, 3) in the model" in message


def test_an_oversized_optimizer_state_is_refused(tmp_path):
    path = tmp_path / "opt.npz"
    entries = saved_entries(path)
    entries["optimizer/99"] = npy_header((2**20,)) + bytes(4 * 2**20)
    write_npz(path, entries)
    with pytest.raises(ValueError, match=r"opt\.npz.*optimizer state declares 4,194,[0-9]+ bytes"):
        load_model(path)


def test_deeply_nested_metadata_is_a_named_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.npz"
    text = "[" * 100_000 + "]" * 100_000
    write_npz(path, {"__meta__": npy_header((), f"<U{len(text)}") + text.encode("utf-32-le")})
    with pytest.raises(ValueError, match=r"deep\.npz.*__meta__.*nests too deeply"):
        load_model(path)


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_folder_or_fifo_given_as_a_model_file_says_what_it_is(tmp_path, kind):
    path = tmp_path / "m.npz"
    if kind == "folder":
        path.mkdir()
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this platform")
        os.mkfifo(path)
    expected = "a folder" if kind == "folder" else "not a regular file"
    with pytest.raises(FileNotFoundError, match=rf"m\.npz.*{expected}"):
        load_model(path)


# --- saving: nothing lost, permissions as for any file, the path in every error -----------------
def test_a_save_respects_the_umask_like_open_does(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)
    old_mask = os.umask(0o022)
    try:
        small_model().save(path)
    finally:
        os.umask(old_mask)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o644)


def test_the_next_save_removes_temp_files_of_killed_savers(tmp_path):
    path = tmp_path / "m.npz"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # a pid that has certainly exited
    stale = tmp_path / f".m.npz.{dead}.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    mine = tmp_path / f".m.npz.{os.getpid()}.zzz.tmp"  # a live process's file is left alone
    mine.write_bytes(b"y")
    other = tmp_path / f".other.npz.{dead}.abc.tmp"  # and so are other paths' files
    other.write_bytes(b"z")
    small_model().save(path)
    assert not stale.exists() and mine.exists() and other.exists()


def test_a_sigkill_mid_save_leaves_the_old_file_and_the_next_save_cleans_up(tmp_path):
    path = tmp_path / "m.npz"
    small_model().save(path)
    before = path.read_bytes()
    code = textwrap.dedent("""
        import os, signal, sys
        import numpy as np
        from nn import saving
        def write(f):
            f.write(b"partial" * 1000)
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        saving.atomic_write(sys.argv[1], write)
    """)
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True)
    assert result.returncode == -9
    assert path.read_bytes() == before
    assert len(list(tmp_path.glob(".m.npz.*.tmp"))) == 1  # the killed writer's leftover...
    small_model().save(path)
    assert list(tmp_path.glob(".m.npz.*.tmp")) == []  # ...is gone after the next save of that path


def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    def no_space(f, **arrays):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saving.np, "savez", no_space)
    with pytest.raises(OSError, match=r"save: cannot write '.*full\.npz': No space left on device"):
        small_model().save(tmp_path / "full.npz")
    assert list(tmp_path.iterdir()) == []
