"""Losses: Keras values, Values and Tensors agree, stability at p = 0 and 1, reductions, torch parity."""

import numpy as np
import pytest

from autograd.tensor import Tensor
from autograd.value import Value
from nn import losses

Y_BIN = np.array([[1.0], [0.0], [1.0], [0.0]], np.float32)
P_BIN = np.array([[0.9], [0.2], [0.6], [0.4]], np.float32)
Y_CAT = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
P_CAT = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]], np.float32)


def test_keras_reference_values():
    # numbers computed by hand from Keras's definitions
    assert losses.mean_squared_error([[0.0, 1.0], [1.0, 1.0]], Tensor([[1.0, 1.0], [1.0, 0.0]])).item() == 0.5
    assert losses.mean_absolute_error([[0.0, 2.0]], Tensor([[1.0, 1.0]])).item() == 1.0
    bce = -np.mean(Y_BIN * np.log(P_BIN) + (1 - Y_BIN) * np.log(1 - P_BIN))
    assert losses.binary_crossentropy(Y_BIN, Tensor(P_BIN)).item() == pytest.approx(bce, rel=1e-6)
    cce = -np.mean(np.log([0.7, 0.5]))
    assert losses.categorical_crossentropy(Y_CAT, Tensor(P_CAT)).item() == pytest.approx(cce, rel=1e-6)
    sparse = losses.sparse_categorical_crossentropy([1, 0], Tensor(P_CAT)).item()
    assert sparse == pytest.approx(cce, rel=1e-6)
    # hinge converts 0/1 labels to -1/+1: mean(relu(1 - [1*0.3, -1*-2, 1*2])) = (0.7 + 0 + 0) / 3
    assert losses.hinge([1.0, 0.0, 1.0], Tensor([0.3, -2.0, 2.0])).item() == pytest.approx(0.7 / 3)


def test_categorical_normalises_probabilities_like_keras():
    unnormalised = Tensor(P_CAT * 3)
    a = losses.categorical_crossentropy(Y_CAT, unnormalised).item()
    assert a == pytest.approx(losses.categorical_crossentropy(Y_CAT, Tensor(P_CAT)).item(), rel=1e-6)


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_probabilities_exactly_zero_or_one_are_finite(p):
    for y in (0.0, 1.0):
        t = Tensor(np.array([[p]], np.float32), requires_grad=True)
        loss = losses.binary_crossentropy([[y]], t)
        loss.backward()
        assert np.isfinite(loss.item()) and np.all(np.isfinite(t.grad))
        v = Value(p)
        lv = losses.binary_crossentropy([y], [v])
        lv.backward()
        assert np.isfinite(lv.data) and np.isfinite(v.grad)
    probs = Tensor(np.array([[p, 1 - p]], np.float32), requires_grad=True)
    ce = losses.categorical_crossentropy([[1.0, 0.0]], probs)
    ce.backward()
    assert np.isfinite(ce.item()) and np.all(np.isfinite(probs.grad))
    assert ce.item() == pytest.approx(-np.log(1e-7) if p == 0 else 0.0, abs=1e-5)


def test_values_match_tensors():
    cases = [
        (losses.mean_squared_error, Y_BIN, P_BIN, {}),
        (losses.mean_absolute_error, Y_BIN, P_BIN, {}),
        (losses.hinge, Y_BIN * 2 - 1, P_BIN - 0.5, {}),
        (losses.binary_crossentropy, Y_BIN, P_BIN, {}),
        (losses.binary_crossentropy, Y_BIN, P_BIN * 6 - 3, {"from_logits": True}),
        (losses.categorical_crossentropy, Y_CAT, P_CAT, {}),
        (losses.categorical_crossentropy, Y_CAT, P_CAT * 5, {"from_logits": True}),
    ]
    for fn, y, p, kw in cases:
        tensor_loss = fn(y, Tensor(p.astype(np.float64)), **kw).item()
        value_loss = fn(y.tolist(), [[Value(float(x)) for x in row] for row in p], **kw).data
        assert value_loss == pytest.approx(tensor_loss, rel=1e-9), fn.__name__
    sparse_v = losses.sparse_categorical_crossentropy([1, 0], [[Value(float(x)) for x in r] for r in P_CAT])
    assert sparse_v.data == pytest.approx(-np.mean(np.log([0.7, 0.5])), rel=1e-6)


def test_flat_value_lists_and_gradients():
    scores = [Value(2.0), Value(-0.5), Value(0.2)]
    loss = losses.hinge([1, -1, -1], scores)  # the SVM max-margin loss of micrograd's demo
    assert loss.data == pytest.approx((0 + 0.5 + 1.2) / 3)
    loss.backward()
    assert [s.grad for s in scores] == pytest.approx([0.0, 1 / 3, 1 / 3])
    preds = [Value(1.5), Value(2.0)]
    mse = losses.mean_squared_error([1.0, 2.0], preds)
    mse.backward()
    assert mse.data == 0.125 and preds[0].grad == pytest.approx(0.5)


def test_reductions_and_sample_weight():
    y, p = Y_BIN, Tensor(P_BIN)
    per = losses.binary_crossentropy(y, p, reduction="none")
    assert per.shape == (4,)
    total = losses.binary_crossentropy(y, p, reduction="sum").item()
    assert total == pytest.approx(per.data.sum(), rel=1e-6)
    weighted = losses.BinaryCrossentropy()(y, p, sample_weight=[1, 0, 0, 0]).item()
    assert weighted == pytest.approx(per.data[0] / 4, rel=1e-6)  # Keras divides by the batch size
    rows = losses.mean_squared_error([[1.0], [2.0]], [[Value(0.0)], [Value(0.0)]], reduction="none")
    assert [r.data for r in rows] == [1.0, 4.0]
    with pytest.raises(ValueError, match="reduction"):
        losses.mean_squared_error(y, p, reduction="mean")


def test_label_shapes_are_matched_like_keras():
    a = losses.binary_crossentropy(Y_BIN.ravel(), Tensor(P_BIN)).item()  # (N,) labels, (N, 1) predictions
    assert a == pytest.approx(losses.binary_crossentropy(Y_BIN, Tensor(P_BIN)).item())
    with pytest.raises(ValueError, match=r"\(3,\).*\(4, 1\)"):
        losses.mean_squared_error(np.zeros(3), Tensor(P_BIN))


def test_integer_labels_for_categorical_point_to_sparse():
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.categorical_crossentropy([1, 0], Tensor(P_CAT))


def test_sparse_labels_out_of_range_name_the_label_and_classes():
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        losses.sparse_categorical_crossentropy([1, 3], Tensor(P_CAT))
    with pytest.raises(ValueError, match="label -1"):
        rows = [[Value(0.5), Value(0.5)], [Value(1.0), Value(0.0)]]
        losses.sparse_categorical_crossentropy([[-1], [0]], rows)
    with pytest.raises(ValueError, match="integer"):
        losses.sparse_categorical_crossentropy([0.5, 1], Tensor(P_CAT))


def test_get_resolves_names_aliases_classes_and_lists_known():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert losses.get("bce").name == "binary_crossentropy"
    inst = losses.CategoricalCrossentropy(from_logits=True)
    assert losses.get(inst) is inst and inst.from_logits
    rebuilt = losses.get({"class_name": "CategoricalCrossentropy", "config": inst.get_config()})
    assert rebuilt.from_logits
    assert losses.get(losses.hinge) is losses.hinge
    with pytest.raises(ValueError, match="binary_crossentropy") as e:
        losses.get("crossentropy")
    assert "'crossentropy'" in str(e.value)


def test_torch_parity():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 4)) * 3
    labels = rng.integers(0, 4, size=5)
    probs = 1 / (1 + np.exp(-logits))
    targets = (rng.random((5, 4)) > 0.5).astype(np.float64)
    tl, tp, tt = torch.tensor(logits), torch.tensor(probs), torch.tensor(targets)

    def check(ours, theirs, x, tx):
        x = Tensor(x, requires_grad=True)
        tx = tx.clone().requires_grad_()
        loss, ref = ours(x), theirs(tx)
        loss.backward()
        ref.backward()
        np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-6)
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-5, atol=1e-9)

    check(lambda x: losses.sparse_categorical_crossentropy(labels, x, from_logits=True),
          lambda x: F.cross_entropy(x, torch.tensor(labels)), logits, tl)
    check(lambda x: losses.sparse_categorical_crossentropy(labels, x, from_logits=True, reduction="sum"),
          lambda x: F.cross_entropy(x, torch.tensor(labels), reduction="sum"), logits, tl)
    check(lambda x: losses.binary_crossentropy(targets, x, from_logits=True),
          lambda x: F.binary_cross_entropy_with_logits(x, tt), logits, tl)
    check(lambda x: losses.binary_crossentropy(targets, x),
          lambda x: F.binary_cross_entropy(x, tt), probs, tp)
    check(lambda x: losses.mean_squared_error(targets, x), lambda x: F.mse_loss(x, tt), probs, tp)
    check(lambda x: losses.mean_absolute_error(targets, x), lambda x: F.l1_loss(x, tt), probs, tp)
