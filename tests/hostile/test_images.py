"""What stepgrad promises about hostile image folders and paths (issue 17). Every hostile file is
made here, in a temporary folder: FIFOs named like images, symlink loops, folders given as images.

- Only regular files are read: a FIFO named ``x.jpg`` in a class folder is skipped, never opened, so
  nothing blocks; one swapped in after listing is refused by name instead of blocking.
- Ctrl-C during iteration stops the program promptly (no hang joining worker threads).
- ``follow_links=True`` visits each real file once, even through a symlink loop.
- A FIFO or a folder given as an image path: the error names the path and says what it is.
- ``ImageDataGenerator(rescale="1/255")`` is refused when constructed, not at the first batch.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nn.preprocessing.image import ImageDataGenerator, load_img
from nn.utils import image_dataset_from_directory

PIL = pytest.importorskip("PIL.Image", reason="image files need Pillow")
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symlinks need a POSIX system")
TIMEOUT = 60  # seconds; a hang fails the test instead of stalling the suite


def write_images(folder, n, size=(4, 4)):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        PIL.fromarray(np.full((*size, 3), i, np.uint8)).save(folder / f"img{i}.png")


def run_python(code, timeout=TIMEOUT):
    """Run ``code`` in a fresh interpreter (so a hang or a stuck thread cannot touch this one)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), *sys.path]))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env)


@posix_only
def test_fifo_named_like_an_image_is_skipped_by_both_readers(tmp_path):
    write_images(tmp_path / "data" / "cats", 2)
    write_images(tmp_path / "data" / "dogs", 2)
    os.mkfifo(tmp_path / "data" / "cats" / "x.jpg")  # opening it for reading would block forever
    result = run_python(f"""
        from nn.preprocessing.image import ImageDataGenerator
        from nn.utils import image_dataset_from_directory
        it = ImageDataGenerator().flow_from_directory({str(tmp_path / 'data')!r}, target_size=(4, 4),
                                                      batch_size=8, verbose=False)
        x, y = it[0]
        ds = image_dataset_from_directory({str(tmp_path / 'data')!r}, image_size=(4, 4), verbose=False)
        print(it.samples, len(x), sum(len(b[0]) for b in ds))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["4", "4", "4"]


@posix_only
def test_fifo_swapped_in_after_listing_is_refused_by_name(tmp_path):
    write_images(tmp_path / "data" / "cats", 1)
    target = tmp_path / "data" / "cats" / "img0.png"
    result = run_python(f"""
        import os
        from nn.preprocessing.image import ImageDataGenerator
        it = ImageDataGenerator().flow_from_directory({str(tmp_path / 'data')!r}, target_size=(4, 4),
                                                      verbose=False, prefetch=False)
        os.remove({str(target)!r}); os.mkfifo({str(target)!r})
        try:
            it[0]
        except ValueError as error:
            print(error)
    """)
    assert result.returncode == 0, result.stderr
    assert "img0.png" in result.stdout and "FIFO" in result.stdout


@posix_only
def test_ctrl_c_while_reading_images_stops_promptly(tmp_path):
    write_images(tmp_path / "data" / "a", 40, size=(64, 64))
    result = run_python(f"""
        import os, signal, threading, time
        from nn.preprocessing.image import ImageDataGenerator
        from nn.utils import image_dataset_from_directory
        it = ImageDataGenerator(rotation_range=30).flow_from_directory({str(tmp_path / 'data')!r},
                                                                       target_size=(64, 64), verbose=False)
        ds = image_dataset_from_directory({str(tmp_path / 'data')!r}, image_size=(64, 64), verbose=False)
        threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        start = time.time()
        try:
            while True:
                next(it)
                for _ in ds.prefetch(2):
                    pass
        except KeyboardInterrupt:
            print("interrupted after", round(time.time() - start, 1))
    """, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("interrupted after")


@posix_only
def test_symlink_loops_visit_each_real_file_once(tmp_path):
    cats = tmp_path / "data" / "cats"
    write_images(cats, 3)
    write_images(tmp_path / "data" / "dogs", 2)
    (cats / "loop").symlink_to(cats, target_is_directory=True)  # cats/loop/loop/loop/...
    (cats / "inner").mkdir()
    (cats / "inner" / "back").symlink_to(cats, target_is_directory=True)
    (cats / "again.png").symlink_to(cats / "img0.png")  # one real file, two names
    it = ImageDataGenerator().flow_from_directory(tmp_path / "data", target_size=(4, 4), follow_links=True,
                                                  verbose=False)
    assert it.samples == 5 and sorted(it.classes.tolist()) == [0, 0, 0, 1, 1]
    ds = image_dataset_from_directory(tmp_path / "data", image_size=(4, 4), follow_links=True, verbose=False)
    assert len(ds.file_paths) == 5
    real = {os.path.realpath(p) for p in ds.file_paths}
    assert len(real) == 5
    unfollowed = image_dataset_from_directory(tmp_path / "data", image_size=(4, 4), verbose=False)
    assert len(unfollowed.file_paths) == 6  # without follow_links the file link is an ordinary entry


@posix_only
def test_fifo_or_folder_given_as_an_image_is_named(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    with pytest.raises(ValueError, match=r"'.*pipe\.jpg' is a FIFO \(named pipe\), not a regular image file"):
        load_img(tmp_path / "pipe.jpg")
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(IsADirectoryError, match=r"'.*folder\.png' is a folder, not an image file"):
        load_img(tmp_path / "folder.png")
    with pytest.raises(FileNotFoundError, match="nothing.png"):
        load_img(tmp_path / "nothing.png")


def test_rescale_given_as_a_string_is_refused_at_construction():
    with pytest.raises(TypeError, match=r"rescale must be a number or None, received rescale='1/255'"):
        ImageDataGenerator(rescale="1/255")
    with pytest.raises(TypeError, match="rescale"):
        ImageDataGenerator(rescale=float("nan"))
    assert ImageDataGenerator(rescale=1 / 255).rescale == 1 / 255


def test_an_undecodable_image_in_a_folder_names_its_path(tmp_path):
    write_images(tmp_path / "data" / "a", 1)
    (tmp_path / "data" / "a" / "zz.jpg").write_bytes(b"not a jpeg at all")
    it = ImageDataGenerator().flow_from_directory(tmp_path / "data", target_size=(4, 4), verbose=False,
                                                  shuffle=False)
    with pytest.raises(ValueError, match=r"cannot read image '.*zz\.jpg'"):
        it[0]

