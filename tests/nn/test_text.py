"""TextVectorization and pad_sequences: Keras's conventions (index 0 padding, 1 [UNK], frequency order,
padding sides), options, and the errors bad input gets."""

import numpy as np
import pytest

from nn.layers import Embedding, TextVectorization
from nn.utils import pad_sequences


# --- pad_sequences ----------------------------------------------------------------------------------
def test_pad_sequences_pads_and_truncates_on_either_side():
    seqs = [[1, 2, 3, 4], [5], [6, 7]]
    assert pad_sequences(seqs).tolist() == [[1, 2, 3, 4], [0, 0, 0, 5], [0, 0, 6, 7]]
    assert pad_sequences(seqs, maxlen=3).tolist() == [[2, 3, 4], [0, 0, 5], [0, 6, 7]]
    assert pad_sequences(seqs, maxlen=3, truncating="post", padding="post").tolist() == [[1, 2, 3], [5, 0, 0],
                                                                                        [6, 7, 0]]
    assert pad_sequences(seqs, maxlen=5, value=-1).tolist()[1] == [-1, -1, -1, -1, 5]
    assert pad_sequences(seqs).dtype == np.int32
    assert pad_sequences([[0.5], []], dtype="float32").tolist() == [[0.5], [0.0]]
    assert pad_sequences([[[1, 2]], [[3, 4], [5, 6]]], padding="post").tolist() == [[[1, 2], [0, 0]],
                                                                                    [[3, 4], [5, 6]]]
    assert pad_sequences([], maxlen=3).shape == (0, 3)


def test_pad_sequences_refuses_bad_arguments():
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post', received padding='end'"):
        pad_sequences([[1]], padding="end")
    with pytest.raises(ValueError, match=r"sequences\[1\] is int 5"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="maxlen must be a non-negative integer or None, received maxlen=-2"):
        pad_sequences([[1]], maxlen=-2)


def test_padded_batches_feed_an_embedding_the_ragged_list_did_not():
    ragged = [[3, 1], [4, 1, 5], [9]]
    with pytest.raises(ValueError, match="ragged list of 3 sequences with lengths 2, 3, 1"):
        Embedding(10, 2)(ragged)
    assert Embedding(10, 2)(pad_sequences(ragged, padding="post")).shape == (3, 3, 2)


# --- TextVectorization ------------------------------------------------------------------------------
CORPUS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; THE END"]


def test_adapt_builds_a_frequency_ordered_vocabulary_with_padding_and_unknown_first():
    layer = TextVectorization()
    layer.adapt(CORPUS)
    vocab = layer.get_vocabulary()
    assert vocab[:6] == ["", "[UNK]", "the", "dog", "cat", "a"]  # the: 4; dog, cat, a: 2 each (high to low)
    assert layer.vocabulary_size() == len(vocab) == 13
    ids = layer(["the cat ate a zebra"]).numpy()
    assert ids.dtype == np.int64
    assert ids.tolist() == [[2, 4, vocab.index("ate"), 5, 1]]


def test_max_tokens_and_output_sequence_length():
    layer = TextVectorization(max_tokens=4, output_sequence_length=3)
    layer.adapt(CORPUS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "dog"]
    assert layer(["the dog", "a a a the the"]).numpy().tolist() == [[2, 3, 0], [1, 1, 1]]


def test_standardize_and_split_options():
    chars = TextVectorization(standardize=None, split="character")
    chars.adapt(["Ab", "bb"])
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "A"]
    assert chars(["bAx"]).numpy().tolist() == [[2, 3, 1]]
    custom = TextVectorization(standardize=lambda s: s.replace("-", " "), split=lambda s: s.split(" "))
    custom.adapt(["x-y", "y"])
    assert custom.get_vocabulary() == ["", "[UNK]", "y", "x"]
    whole = TextVectorization(split=None, vocabulary=["hello world"])
    assert whole(["Hello, World!", "bye"]).numpy().tolist() == [[2], [1]]


def test_multi_hot_and_count_modes():
    layer = TextVectorization(output_mode="count", vocabulary=["a", "b"])
    assert layer(["a b a", "c"]).numpy().tolist() == [[0, 0, 2, 1], [0, 1, 0, 0]]
    hot = TextVectorization(output_mode="multi_hot", vocabulary=["a", "b"])
    assert hot(["a b a"]).numpy().tolist() == [[0, 0, 1, 1]]


def test_text_vectorization_refuses_bad_input():
    with pytest.raises(ValueError, match=r"adapt received an empty corpus \(0 texts\)"):
        TextVectorization().adapt([])
    with pytest.raises(ValueError, match="adapt found no tokens in 2 text"):
        TextVectorization().adapt(["", "!!"])
    for bad in (0, -3):
        with pytest.raises(ValueError, match=f"output_sequence_length must be a positive integer or None, "
                                             f"received output_sequence_length={bad}"):
            TextVectorization(output_sequence_length=bad)
    with pytest.raises(ValueError, match="the vocabulary is empty; call adapt"):
        TextVectorization()(["text"])
    with pytest.raises(ValueError, match="standardize must be one of"):
        TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match=r"received an array of shape \(1, 2\)"):
        TextVectorization(vocabulary=["a"])([["a", "b"]])
    with pytest.raises(ValueError, match=r"received repeats of \['a'\]"):
        TextVectorization(vocabulary=["a", "b", "a"])
