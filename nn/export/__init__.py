"""Hand a stepgrad model to other runtimes: ONNX files (``to_onnx``) and int8 copies (``quantize_onnx``).

``model.export(path, format="onnx")`` is Keras 3's spelling of ``to_onnx(model, path)``. Keras 3 archives
(``model.save("m.keras")``) live in ``nn.keras_archive``.
"""

from .onnx_graph import CONVERTERS, DEFAULT_OPSET, UnmappedLayerError, to_onnx
from .quantize import quantize_onnx

__all__ = ["CONVERTERS", "DEFAULT_OPSET", "UnmappedLayerError", "quantize_onnx", "to_onnx"]
