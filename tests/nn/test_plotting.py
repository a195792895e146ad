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
