"""What ``stepgrad train`` / ``stepgrad predict`` promise about bad flags and hostile inputs:
exit code 2 and one line naming the culprit, checked before any training time is spent."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
import time
import zlib

import numpy as np
import pytest

from nn.cli import main, training_bytes

PIL = pytest.importorskip("PIL.Image")


def write_folder(root, per_class=5, size=16):
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
            PIL.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def run(argv, capsys) -> tuple[int, str, float]:
    start = time.perf_counter()
    code = main(argv)
    return code, capsys.readouterr().err, time.perf_counter() - start


@pytest.mark.parametrize("flag, value, expected", [
    ("--learning-rate", "0", "--learning-rate must be a positive number, received 0.0"),
    ("--learning-rate", "nan", "--learning-rate must be a positive number, received nan"),
    ("--dense-units", "0", "--dense-units must be at least 1, received 0"),
    ("--epochs", "0", "--epochs must be at least 1, received 0"),
])
def test_flags_that_would_be_silently_replaced_are_refused(tmp_path, capsys, flag, value, expected):
    data = write_folder(tmp_path / "d")
    code, err, _ = run(["train", str(data), flag, value, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and expected in err


def test_an_existing_file_as_out_fails_before_training(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("precious")
    code, err, seconds = run(["train", str(write_folder(tmp_path / "d")), "--out", str(taken)], capsys)
    assert code == 2 and f"--out {taken} is an existing file" in err
    assert taken.read_text() == "precious" and seconds < 5


def test_an_image_size_that_cannot_fit_in_memory_is_refused_with_the_estimate(tmp_path, capsys):
    code, err, seconds = run(["train", str(write_folder(tmp_path / "d")), "--image-size", "4000",
                              "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and seconds < 10
    assert "--image-size 4000 with --batch-size 32 needs about" in err and "GiB of memory" in err


def test_the_memory_estimate_is_close_to_the_measured_peak(tmp_path):
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak memory is read from Linux's /proc")
    data = write_folder(tmp_path / "d", per_class=20, size=64)
    code = textwrap.dedent("""
        import sys
        from nn.cli import main
        assert main(sys.argv[1:]) == 0
        peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
        print("PEAK", int(peak) * 1024)
    """)
    argv = ["train", str(data), "--epochs", "1", "--image-size", "64", "--out", str(tmp_path / "o")]
    out = subprocess.run([sys.executable, "-c", code, *argv],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    peak = int(out.split("PEAK")[1])
    estimate = training_bytes(64, 3, 2, None, 32)
    # the process itself (Python, numpy, Pillow, matplotlib) adds ~100-200 MB to what training needs
    assert 0.6 * estimate < peak < estimate + 300 * 2**20, (estimate, peak)


def test_a_malformed_model_json_is_named(tmp_path, capsys):
    (tmp_path / "weights.npz").write_bytes(b"PK")
    image = tmp_path / "x.png"
    PIL.new("RGB", (16, 16)).save(image)
    cases = {
        "{not json": "cannot read",
        "[1, 2]": "expected a JSON object",
        json.dumps({"image_size": 16, "color_mode": "rgb", "rescale": 0.1}): "the field 'classes' is missing",
        json.dumps({"image_size": "16", "color_mode": "rgb", "classes": ["a", "b"], "rescale": 1}):
            "image_size = '16'; expected an integer",
    }
    for text, expected in cases.items():
        (tmp_path / "model.json").write_text(text)
        code, err, _ = run(["predict", str(tmp_path / "weights.npz"), str(image)], capsys)
        assert code == 2 and "model.json" in err and expected in err, (text, err)


def png_header_only(path, width, height):
    """A PNG whose header declares ``width x height`` pixels: a decompression bomb's first bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


def trained_run(tmp_path):
    out = tmp_path / "run"
    assert main(["train", str(write_folder(tmp_path / "d")), "--epochs", "1", "--image-size", "16",
                 "--batch-size", "4", "--dense-units", "4", "--out", str(out)]) == 0
    return out


def test_predict_names_bombs_folders_and_fifos_and_exits_2(tmp_path, capsys):
    out = trained_run(tmp_path)
    capsys.readouterr()
    bomb = tmp_path / "bomb.png"
    png_header_only(bomb, 30000, 30000)
    code, err, _ = run(["predict", str(out), str(bomb)], capsys)
    assert code == 2 and f"cannot read image {bomb}" in err and "decompression bomb" in err.lower()

    code, err, _ = run(["predict", str(out), str(tmp_path / "d")], capsys)
    assert code == 2 and "is a folder, not an image" in err
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "x.jpg"
        os.mkfifo(fifo)
        code, err, seconds = run(["predict", str(out), str(fifo)], capsys)
        assert code == 2 and "is not a regular file" in err and seconds < 5


def test_the_digits_run_is_refused_before_writing_huge_images(tmp_path, capsys):
    code, err, seconds = run(["train", "--image-size", "3000", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "--image-size 3000" in err and "GiB of memory" in err and seconds < 10


def test_a_decompression_bomb_in_a_training_folder_is_named_or_skipped(tmp_path, capsys):
    data = write_folder(tmp_path / "d")
    bomb = data / "a" / "zz_bomb.png"
    png_header_only(bomb, 30000, 30000)  # 900 megapixels declared in a 100-byte file
    argv = ["train", str(data), "--epochs", "1", "--image-size", "16"]
    code, err, _ = run([*argv, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "zz_bomb.png" in err and "decompression bomb" in err.lower()
    with pytest.warns(UserWarning, match="zz_bomb.png"):
        code, _, _ = run([*argv, "--skip-unreadable", "--dense-units", "4", "--out", str(tmp_path / "o2")],
                         capsys)
    assert code == 0
