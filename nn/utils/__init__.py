"""``nn.utils``: Keras's utilities: seeding, the data pipeline, image files, labels, downloads.

- ``set_random_seed``;
- ``image_dataset_from_directory``, ``text_dataset_from_directory`` (return a ``Dataset``),
  ``PyDataset``;
- ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``;
- ``to_categorical``, ``normalize``, ``pad_sequences``;
- ``get_file`` (cached, hash-checked downloads);
- ``plot_model`` (a drawing of a model's layer graph).
"""

from typing import Any

from ..preprocessing.image_io import array_to_img, img_to_array, load_img, save_img
from ..preprocessing.sequence import pad_sequences  # Keras spells it keras.utils.pad_sequences
from .dataset import AUTOTUNE, Dataset
from .file_utils import get_file, hash_file, validate_file
from .image_dataset import image_dataset_from_directory
from .numerical import normalize, to_categorical
from .py_dataset import PyDataset
from .seeding import fresh_rng, set_random_seed
from .text_dataset import text_dataset_from_directory

Sequence = PyDataset  # Keras 2's name for the same idea


def plot_model(model: Any, *args: Any, **kwargs: Any) -> Any:
    """Keras's ``keras.utils.plot_model``: a drawing of the layer graph (``nn.models.plot.plot_model``)."""
    from ..models.plot import plot_model as draw  # imported here: nn.models itself imports nn.utils

    return draw(model, *args, **kwargs)

__all__ = [
    "AUTOTUNE", "Dataset", "PyDataset", "Sequence", "array_to_img", "fresh_rng", "get_file", "hash_file",
    "image_dataset_from_directory", "img_to_array", "load_img", "normalize", "pad_sequences", "plot_model",
    "save_img",
    "set_random_seed", "text_dataset_from_directory", "to_categorical", "validate_file",
]
