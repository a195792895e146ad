"""nn.plotting: the confusion-matrix counts, and that each plot draws what it says."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from nn.plotting import (  # noqa: E402
    confusion_matrix,
    plot_confusion_matrix,
    plot_curves,
    plot_decision_boundary,
    plot_loss_surface,
    show_attributions,
    show_images,
)


def test_confusion_matrix_counts_and_inputs():
    counts = confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0])
    assert counts.tolist() == [[1, 0, 0], [0, 1, 1], [1, 0, 2]]
    one_hot = np.eye(3)[[0, 1, 1, 2, 2, 2]]
    scores = np.eye(3)[[0, 1, 2, 2, 2, 0]] * 0.9
    assert np.array_equal(confusion_matrix(one_hot, scores), counts)
    assert confusion_matrix([0], [0], num_classes=4).shape == (4, 4)
    with pytest.raises(ValueError, match="confusion_matrix"):
        confusion_matrix([0, 1], [0])


def test_plot_curves_pairs_training_and_validation():
    fig = plot_curves({"loss": [1.0, 0.5], "val_loss": [1.2, 0.8], "accuracy": [0.5, 0.9]}, xlabel="step")
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == ["loss", "val_loss"]
    assert loss_ax.get_xlabel() == "step" and acc_ax.get_title() == "accuracy"
    with pytest.raises(ValueError, match="plot_curves"):
        plot_curves({})


def test_decision_boundary_and_loss_surface_draw():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    fig = plot_decision_boundary(lambda P: P[:, 0] - 0.5, X, np.array([0, 1, 0]), steps=8)
    assert len(fig.axes[0].collections) >= 2  # filled regions + the scattered points
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot_decision_boundary(lambda P: P[:, 0], np.zeros((3, 3)), np.zeros(3))
    fig = plot_loss_surface(lambda x, y: x**2 + y**2, {"path": [(1.0, 1.0), (0.5, 0.5), (0.0, 0.0)]})
    assert fig.axes[0].get_lines()[0].get_label() == "path (2 steps)"


def test_show_images_grid_titles_and_colours():
    fig = show_images(np.zeros((5, 4, 4, 1)), titles=list("abcde"), ncols=3, colors=["red"] * 5)
    assert len(fig.axes) == 5  # the sixth cell of the 2x3 grid is removed
    assert fig.axes[0].get_title() == "a"
    fig = plot_confusion_matrix(np.array([[3, 1], [0, 4]]), ["cat", "dog"])
    assert "87.5%" in fig.axes[0].get_title()


def _is_red(rgba):
    return rgba[0] > rgba[2] + 0.2 and rgba[0] > rgba[1]


def _is_blue(rgba):
    return rgba[2] > rgba[0] + 0.2 and rgba[2] > rgba[1]


def test_show_attributions_draws_positive_red_and_negative_blue_with_a_colorbar():
    images = np.random.default_rng(0).random((2, 6, 6, 1))
    signed = np.zeros((2, 6, 6, 1))
    signed[:, :, :3] = 2.0    # left half raises the score
    signed[:, :, 3:] = -1.0   # right half lowers it
    fig = show_attributions(images, {"signed": signed, "cam": np.abs(signed)}, titles=["x", "y"])
    overlay = fig.axes[1].images[-1]  # row 0, column "signed": the heat map over the image
    values = overlay.get_array()
    rgba = overlay.to_rgba(values)
    assert _is_red(rgba[0, 0]) and _is_blue(rgba[0, 5])  # the convention the colorbar states
    assert values[0, 0] == 1.0 and values[0, 5] == -0.5  # scaled by the map's own largest |value|
    colorbar = fig.axes[-1]
    assert "red: raises the score" in colorbar.get_ylabel() and "blue: lowers it" in colorbar.get_ylabel()
    bar = fig.axes[-2].images[-1].colorbar  # made from the last overlay: same colours and scale as all
    assert bar is not None and bar.ax is colorbar
    assert _is_red(bar.cmap(bar.norm(1.0))) and _is_blue(bar.cmap(bar.norm(-1.0)))
    look = lambda m: (m.cmap.name, m.norm.vmin, m.norm.vmax)  # noqa: E731
    assert look(overlay) == look(bar)
    assert [a.get_title() for a in fig.axes[:3]] == ["", "signed", "cam"]
    assert fig.axes[0].get_ylabel() == "x"


def test_show_attributions_checks_shapes():
    with pytest.raises(ValueError, match="do not match images"):
        show_attributions(np.zeros((2, 6, 6)), np.zeros((2, 5, 5)))


def test_show_images_colorbar_shares_one_signed_scale():
    filters = np.stack([np.full((3, 3), 2.0), np.full((3, 3), -0.5)])
    fig = show_images(filters, cmap="RdBu_r", colorbar="weight")
    first, second = fig.axes[0].images[0], fig.axes[1].images[0]
    assert first.norm.vmin == second.norm.vmin == -2.0 and first.norm.vmax == 2.0
    assert _is_red(first.cmap(first.norm(2.0))) and _is_blue(second.cmap(second.norm(-2.0)))
    assert fig.axes[-1].get_ylabel() == "weight"


def test_show_attributions_sums_channels_and_clips_at_the_percentile():
    images = np.random.default_rng(0).random((1, 4, 4, 3))  # RGB
    maps = np.zeros((1, 4, 4, 3))
    maps[0, 0, 0] = [10.0, 10.0, 10.0]   # one outlier
    maps[0, 1:, :, 0] = 1.0
    fig = show_attributions(images, maps, percentile=90)
    heat = fig.axes[1].images[-1].get_array()
    assert heat[0, 0] == 1.0 and heat[1, 0] == 1.0 and heat[0, 1] == 0.0  # 90th percentile of |sum| is 1
    assert fig.axes[0].images[0].get_array().shape == (4, 4, 3)           # the photo drawn in colour
