"""``quantize_onnx``: ONNX Runtime's own dynamic int8 quantization of an exported model, for small devices."""

from __future__ import annotations

import os
import tempfile

from ..saving import atomic_write


def quantize_onnx(src: str | os.PathLike, dst: str | os.PathLike,
                  op_types: tuple[str, ...] | None = None) -> None:
    """Write an int8 copy of the ONNX model ``src`` to ``dst`` (atomically) with ``quantize_dynamic``.

    Weights are stored as int8 with a scale each; activations are quantized on the fly at run time,
    so no calibration data is needed. ``op_types`` limits which nodes are quantized, e.g.
    ``("MatMul",)`` for the Dense layers only (convolutions then stay float, which can be faster on
    CPUs); ``None`` lets ONNX Runtime quantize every node type it can (MatMul, Conv, ...).

    Example:
        >>> import os, tempfile, pytest, nn
        >>> _ = pytest.importorskip("onnxruntime")
        >>> folder = tempfile.mkdtemp()
        >>> model = nn.Sequential([nn.Dense(64, activation="relu", input_shape=(64,)), nn.Dense(10)])
        >>> _ = nn.export.to_onnx(model, os.path.join(folder, "m.onnx"))
        >>> src, dst = os.path.join(folder, "m.onnx"), os.path.join(folder, "m.int8.onnx")
        >>> nn.export.quantize_onnx(src, dst)
        >>> os.path.getsize(dst) < os.path.getsize(src) / 2
        True
    """
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        raise ImportError("quantize_onnx needs onnxruntime: pip install 'stepgrad[export]'") from None
    src, dst = os.fspath(src), os.fspath(dst)
    if not os.path.isfile(src):
        raise FileNotFoundError(f"quantize_onnx: no such file: {src!r}")
    with tempfile.TemporaryDirectory() as work:  # quantize_dynamic writes to a path: write there, then move
        out = os.path.join(work, "quantized.onnx")
        quantize_dynamic(src, out, weight_type=QuantType.QInt8,
                         op_types_to_quantize=list(op_types) if op_types is not None else None)
        with open(out, "rb") as f:
            data = f.read()
    atomic_write(dst, lambda f: f.write(data))
