"""Initializers: Keras fans, bounds and variances, seeding, get()."""

import numpy as np
import pytest

from nn import initializers
from nn.initializers import compute_fans


def test_fans_dense_and_conv_as_keras():
    assert compute_fans((3, 4)) == (3, 4)
    assert compute_fans((3, 3, 8, 16)) == (72, 144)
    assert compute_fans((5,)) == (5, 5)
    assert compute_fans(()) == (1, 1)


@pytest.mark.parametrize(
    "name, shape, limit",
    [("glorot_uniform", (30, 50), np.sqrt(6 / 80)), ("he_uniform", (3, 3, 4, 8), np.sqrt(6 / 36))],
)
def test_uniform_limits_and_variance(name, shape, limit):
    w = initializers.get(name)(shape, rng=np.random.default_rng(0))
    assert w.shape == shape and w.dtype == np.float32
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.9 * limit
    if w.size > 1000:
        assert w.var() == pytest.approx(limit**2 / 3, rel=0.1)


@pytest.mark.parametrize("name, std", [("glorot_normal", np.sqrt(2 / 600)), ("he_normal", np.sqrt(2 / 200))])
def test_truncated_normals_have_keras_variance_and_bounds(name, std):
    w = initializers.get(name)((200, 400), rng=np.random.default_rng(1))
    assert w.std() == pytest.approx(std, rel=0.02)  # the 0.8796 correction restores the variance
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-7  # truncated at 2 (pre-correction) stddev


def test_constant_and_random_defaults():
    assert np.all(initializers.zeros((2, 3)) == 0) and np.all(initializers.ones(4) == 1)
    r = initializers.random_normal((100, 100), rng=np.random.default_rng(0))
    assert r.std() == pytest.approx(0.05, rel=0.05)
    u = initializers.random_uniform((1000,), rng=np.random.default_rng(0))
    assert u.min() >= -0.05 and u.max() <= 0.05
    assert initializers.get("zeros")((2,), dtype=np.float64).dtype == np.float64


def test_seeded_classes_are_reproducible():
    a, b = initializers.GlorotUniform(seed=3), initializers.GlorotUniform(seed=3)
    first = a((4, 4))
    np.testing.assert_array_equal(first, b((4, 4)))
    assert not np.array_equal(first, a((4, 4)))  # successive draws differ


def test_get_accepts_names_classes_instances_configs_and_lists_known():
    assert isinstance(initializers.get("GlorotUniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get(initializers.HeNormal), initializers.HeNormal)
    inst = initializers.RandomNormal(stddev=1.0)
    assert initializers.get(inst) is inst
    rebuilt = initializers.get({"class_name": "RandomNormal", "config": inst.get_config()})
    assert rebuilt.stddev == 1.0
    config = initializers.HeNormal(seed=2).get_config()
    assert initializers.get({"class_name": "HeNormal", "config": config}).seed == 2
    with pytest.raises(ValueError, match="glorot_uniform") as e:
        initializers.get("glorot")
    assert "'glorot'" in str(e.value)
