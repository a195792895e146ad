"""Metrics: Keras per-sample values, streaming means, get() and Keras's 'accuracy' resolution."""

import numpy as np
import pytest

from autograd.tensor import Tensor
from autograd.value import Value
from nn import losses, metrics


def test_per_sample_functions():
    preds = Tensor([[0.9], [0.6], [0.5], [0.1]])
    assert metrics.binary_accuracy([1, 0, 1, 0], preds).tolist() == [1, 0, 0, 1]
    onehot = [[0, 1, 0], [1, 0, 0]]
    probs = np.array([[0.1, 0.8, 0.1], [0.2, 0.7, 0.1]])
    assert metrics.categorical_accuracy(onehot, probs).tolist() == [1.0, 0.0]
    assert metrics.sparse_categorical_accuracy([[1], [2]], probs).tolist() == [1.0, 0.0]
    assert metrics.accuracy([[1, 2]], [[1, 3]]).tolist() == [0.5]


def test_values_are_read_without_graphs():
    scores = [Value(0.7), Value(0.2)]
    assert metrics.binary_accuracy([1.0, 1.0], scores).tolist() == 0.5  # a flat list is one row
    assert metrics.binary_accuracy([[1.0], [1.0]], [[s] for s in scores]).tolist() == [1.0, 0.0]


def test_streaming_mean_weights_batches_by_size():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([0, 1], [[0.9, 0.1], [0.8, 0.2]])  # 1 of 2
    m.update_state([1, 1, 1, 1], np.tile([0.1, 0.9], (4, 1)))  # 4 of 4
    assert m.result() == pytest.approx(5 / 6)
    m.reset_state()
    assert m.result() == 0.0
    assert m([0], [[1.0, 0.0]], sample_weight=[2.0]) == 1.0


def test_resolve_accuracy_like_keras():
    assert isinstance(metrics.resolve("accuracy", loss="binary_crossentropy"), metrics.BinaryAccuracy)
    cat = metrics.resolve("acc", loss=losses.CategoricalCrossentropy(name="my_loss"))
    assert isinstance(cat, metrics.CategoricalAccuracy) and cat.name == "acc"
    sparse = metrics.resolve("accuracy", loss=losses.sparse_categorical_crossentropy)
    assert isinstance(sparse, metrics.SparseCategoricalAccuracy) and sparse.name == "accuracy"
    logits = metrics.resolve("accuracy", loss=losses.BinaryCrossentropy(from_logits=True))
    assert logits([[1.0], [0.0]], [[0.3], [-0.2]]) == 1.0  # threshold 0 on logits
    assert isinstance(metrics.resolve("accuracy", loss="mse", y_pred_shape=(None, 1)), metrics.BinaryAccuracy)
    shapes = metrics.resolve("accuracy", "mse", y_true_shape=(None,), y_pred_shape=(None, 3))
    assert isinstance(shapes, metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.resolve("accuracy", "mse", (None, 3), (None, 3)), metrics.CategoricalAccuracy)
    assert isinstance(metrics.resolve("mae"), metrics.Metric)


def test_get_names_losses_and_errors():
    mse = metrics.get("mse")
    assert mse.name == "mse" and mse([[1.0, 3.0]], [[0.0, 1.0]]) == pytest.approx(2.5)
    assert isinstance(metrics.get("acc"), metrics.Accuracy)
    custom = metrics.get(lambda t, p: np.zeros(len(t)))
    assert custom([1, 2], [1, 2]) == 0.0
    with pytest.raises(ValueError, match="binary_accuracy") as e:
        metrics.get("f1")
    assert "'f1'" in str(e.value)
