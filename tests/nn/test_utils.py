"""nn.utils.set_random_seed: one call makes weights, dropout masks and shuffles repeatable."""

import numpy as np
import pytest

import nn


def _fresh_model_outputs():
    model = nn.Sequential([nn.Dense(8, activation="relu", input_shape=(4,)), nn.Dropout(0.5), nn.Dense(1)])
    model.train()
    x = np.ones((5, 4), dtype=np.float32)
    return model.layers[0].kernel.data.copy(), model(x).data.copy()


def test_set_random_seed_repeats_initial_weights_and_dropout_masks():
    nn.utils.set_random_seed(3)
    kernel_a, out_a = _fresh_model_outputs()
    nn.utils.set_random_seed(3)
    kernel_b, out_b = _fresh_model_outputs()
    nn.utils.set_random_seed(4)
    kernel_c, _ = _fresh_model_outputs()
    np.testing.assert_array_equal(kernel_a, kernel_b)
    np.testing.assert_array_equal(out_a, out_b)
    assert not np.array_equal(kernel_a, kernel_c)


def test_set_random_seed_also_seeds_python_random_for_scalar_mlps():
    nn.utils.set_random_seed(7)
    first = [p.data for p in nn.MLP(2, [3, 1]).parameters()]
    nn.utils.set_random_seed(7)
    second = [p.data for p in nn.MLP(2, [3, 1]).parameters()]
    assert first == second


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_set_random_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="set_random_seed: seed must be a non-negative integer"):
        nn.utils.set_random_seed(bad)
