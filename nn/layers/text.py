"""``TextVectorization``: strings -> token ids, with a vocabulary learnt by ``adapt`` (Keras's layer).

Pure Python and numpy: text is standardized, split into tokens, and each token looked up in the
vocabulary, whose index 0 is padding ("") and 1 the out-of-vocabulary token "[UNK]".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .base import Layer

PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']")  # Keras's strip set
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")
OUTPUT_MODES = ("int", "multi_hot", "count")
PAD, OOV = "", "[UNK]"


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


class TextVectorization(Layer):
    """Map strings to sequences of token ids (``output_mode="int"``) or to per-token counts.

    ``adapt(texts)`` counts the tokens and keeps the most frequent ones (ties: the token that sorts
    last first, as Keras); ``get_vocabulary()`` is then ``["", "[UNK]", most frequent, ...]``, and
    calling the layer gives each token's index (1 when unknown), padded with 0 or cut to
    ``output_sequence_length`` at the end (without it, to the batch's longest text).

    Args:
        max_tokens: the vocabulary's maximum size, padding and "[UNK]" included (None: no limit).
        standardize: "lower_and_strip_punctuation" (default), "lower", "strip_punctuation", None, or
            a callable ``str -> str``.
        split: "whitespace" (default; runs of spaces count once), "character", None (the whole
            standardized text is one token), or a callable ``str -> list[str]``.
        output_mode: "int" (ids), "multi_hot" (1 where a token occurs) or "count" (how often), the
            last two of shape ``(batch, vocabulary_size)``.
        output_sequence_length: with "int", the length of every output row (a positive int).
        vocabulary: a list of tokens to use instead of ``adapt`` (without "" and "[UNK]").
        name: layer name (default ``text_vectorization``, ...).

    Example:
        >>> from nn.layers import TextVectorization
        >>> vectorize = TextVectorization(output_sequence_length=4)
        >>> vectorize.adapt(["The cat sat.", "The dog!"])
        >>> vectorize.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> vectorize(["the bird sat"]).numpy().tolist()
        [[2, 1, 3, 0]]
    """

    def __init__(self, max_tokens: int | None = None, standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", output_mode: str = "int",
                 output_sequence_length: int | None = None,
                 vocabulary: Iterable[str] | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        if max_tokens is not None and not (_is_int(max_tokens) and max_tokens >= 3):
            raise ValueError(f"{self._where}: max_tokens must be None or an integer >= 3 (padding, [UNK] and "
                             f"one token), received max_tokens={max_tokens!r}")
        self.max_tokens = max_tokens
        self.standardize = self._choice(standardize, STANDARDIZE, "standardize")
        self.split = self._choice(split, SPLIT, "split")
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"{self._where}: output_mode must be one of {OUTPUT_MODES}, "
                             f"received output_mode={output_mode!r}")
        self.output_mode = output_mode
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError(f"{self._where}: output_sequence_length applies only to output_mode='int', "
                                 f"received output_mode={output_mode!r}")
            if not (_is_int(output_sequence_length) and output_sequence_length > 0):
                raise ValueError(f"{self._where}: output_sequence_length must be a positive integer or None, "
                                 f"received output_sequence_length={output_sequence_length!r}")
        self.output_sequence_length = output_sequence_length
        self._vocabulary: list[str] = [PAD, OOV]
        self._index: dict[str, int] = {}
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)
        self.built = True  # no weights: the vocabulary is state, not parameters

    def _choice(self, value: Any, names: tuple, arg: str) -> Any:
        if value is None or callable(value) or value in names:
            return value
        raise ValueError(f"{self._where}: {arg} must be one of {names}, None or a callable, "
                         f"received {arg}={value!r}")

    # --- text -> tokens -----------------------------------------------------------------------------
    def tokens(self, text: str) -> list[str]:
        """The tokens of one text, after ``standardize`` and ``split``."""
        if not isinstance(text, str):
            text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = PUNCTUATION.sub("", text)
        elif callable(self.standardize):
            text = self.standardize(text)
        if self.split == "whitespace":
            return text.split()
        if self.split == "character":
            return list(text)
        if callable(self.split):
            return list(self.split(text))
        return [text]

    def _texts(self, data: Any, where: str) -> list[str]:
        """One text, or a list/array (one text per row; rows of shape (n, 1) as Keras allows)."""
        if isinstance(data, (str, bytes)):
            return [data]
        if hasattr(data, "as_numpy_iterator"):  # a Dataset of text batches (text_dataset_from_directory)
            return [text for batch in data for text in self._texts(batch, where)]
        array = np.asarray(getattr(data, "data", data), dtype=object)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(f"{self._where}: {where} expects a list of strings (or an array of shape (n,) "
                             f"or (n, 1)), received an array of shape {array.shape}")
        return list(array)

    # --- vocabulary ---------------------------------------------------------------------------------
    def adapt(self, data: Any) -> None:
        """Learn the vocabulary from ``data`` (texts): the ``max_tokens - 2`` most frequent tokens."""
        texts = self._texts(data, "adapt")
        if not texts:
            raise ValueError(f"{self._where}: adapt received an empty corpus (0 texts); "
                             f"pass at least one text")
        counts = Counter(token for text in texts for token in self.tokens(text))
        counts.pop(PAD, None)
        if not counts:
            raise ValueError(f"{self._where}: adapt found no tokens in {len(texts)} text(s) (every text is "
                             f"empty after standardize={self.standardize!r} and split={self.split!r})")
        ranked = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        keep = None if self.max_tokens is None else self.max_tokens - 2
        self._set(ranked[:keep])

    def set_vocabulary(self, vocabulary: Iterable[str]) -> None:
        """Use ``vocabulary`` (tokens in index order from 2 on; a leading "" and "[UNK]" are accepted)."""
        tokens = [str(t) for t in vocabulary]
        if tokens[:2] == [PAD, OOV]:
            tokens = tokens[2:]
        if PAD in tokens or OOV in tokens:
            raise ValueError(f"{self._where}: '' and '[UNK]' may only come first in the vocabulary")
        repeated = sorted(token for token, n in Counter(tokens).items() if n > 1)
        if repeated:
            raise ValueError(f"{self._where}: the vocabulary must hold distinct tokens, received repeats of "
                             f"{repeated[:5]}")
        if self.max_tokens is not None and len(tokens) + 2 > self.max_tokens:
            raise ValueError(f"{self._where}: a vocabulary of {len(tokens)} tokens (+ '' and '[UNK]') "
                             f"exceeds max_tokens={self.max_tokens}")
        self._set(tokens)

    def _set(self, tokens: list[str]) -> None:
        self._vocabulary = [PAD, OOV, *tokens]
        self._index = {token: i for i, token in enumerate(self._vocabulary) if i >= 2}

    def get_vocabulary(self) -> list[str]:
        """``["", "[UNK]", token_2, token_3, ...]``: the token of each index."""
        return list(self._vocabulary)

    def vocabulary_size(self) -> int:
        """Number of indices, padding and "[UNK]" included."""
        return len(self._vocabulary)

    # --- calling ------------------------------------------------------------------------------------
    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        """Token ids ``(batch, length)`` (int64), or ``(batch, vocabulary_size)`` counts/indicators."""
        texts = self._texts(inputs, "calling the layer")
        if len(self._vocabulary) == 2:
            raise ValueError(f"{self._where}: the vocabulary is empty; call adapt(texts) or pass "
                             f"vocabulary= first")
        ids = [[self._index.get(token, 1) for token in self.tokens(text)] for text in texts]
        if self.output_mode != "int":
            out = np.zeros((len(ids), len(self._vocabulary)), dtype=np.float32)
            for row, seq in zip(out, ids, strict=True):
                np.add.at(row, seq, 1.0)
            out[:, 0] = 0.0  # padding never counts
            return Tensor(np.minimum(out, 1.0) if self.output_mode == "multi_hot" else out)
        length = self.output_sequence_length or max((len(s) for s in ids), default=0)
        out = np.zeros((len(ids), length), dtype=np.int64)
        for row, seq in zip(out, ids, strict=True):
            kept = seq[:length]
            row[:len(kept)] = kept
        return Tensor(out)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if self.output_mode != "int":
            return (input_shape[0], len(self._vocabulary))
        return (input_shape[0], self.output_sequence_length)

    def get_config(self) -> dict[str, Any]:
        return {"max_tokens": self.max_tokens, "standardize": self.standardize, "split": self.split,
                "output_mode": self.output_mode, "output_sequence_length": self.output_sequence_length,
                "vocabulary": self._vocabulary[2:]}

    def extra_repr(self) -> str:
        return f"vocabulary_size={len(self._vocabulary)}, output_mode={self.output_mode!r}"
