"""Tests for course_utils.video.figures: the drawn Figure 5.5 of chapter 5.3."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from course_utils.video.figures import frame_sampling_diagram  # noqa: E402


@pytest.fixture
def clip():
    frames = np.zeros((12, 20, 20, 3), np.uint8)
    for t in range(12):
        frames[t, :, t : t + 4] = 255  # a white bar moving right
    return frames


def _video_strip(fig):
    strips = [im for ax in fig.axes for im in ax.get_images() if im.get_gid() == "video-embedding"]
    assert len(strips) == 1
    return np.asarray(strips[0].get_array()).ravel()


def test_video_vector_drawn_is_the_mean_of_the_frame_vectors(clip):
    emb = np.array([[0.0, 1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0], [4.0, 2.0, 0.0, 1.0]])
    fig = frame_sampling_diagram(clip, [1, 6, 10], emb, dims=3)
    np.testing.assert_allclose(_video_strip(fig), [2.0, 2.0, 2.0])
    plt.close(fig)


def test_diagram_fits_the_book_column_with_readable_text(clip):
    fig = frame_sampling_diagram(clip, [0, 4, 8, 11], np.random.default_rng(0).random((4, 32)))
    assert fig.get_size_inches()[0] <= 8.0
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()]
    assert sizes and min(sizes) >= 9
    plt.close(fig)


def test_one_thumbnail_per_sampled_frame_shows_that_frame(clip):
    idx = [2, 9]
    fig = frame_sampling_diagram(clip, idx, np.ones((2, 4)), dims=4)
    shown = [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]
    for t in idx:
        assert any(a.shape == clip[t].shape and np.array_equal(a, clip[t]) for a in shown)
    plt.close(fig)


@pytest.mark.parametrize(
    "indices, emb, dims, message",
    [
        ([0, 12], np.ones((2, 4)), 4, "indices must lie in 0 .. 11"),
        ([0, 1, 2], np.ones((2, 4)), 4, "one embedding per sampled frame"),
        ([0.5, 1.0], np.ones((2, 4)), 4, "1-D array of frame numbers"),
        (list(range(7)), np.ones((7, 4)), 4, "at most 6 sampled frames"),
        ([0, 1], np.ones((2, 4)), 5, "dims <= 4"),
        ([0, 1], np.array([[1.0, np.nan], [1.0, 1.0]]), 2, "NaN"),
    ],
)
def test_bad_inputs_raise_one_clear_error(clip, indices, emb, dims, message):
    with pytest.raises(ValueError, match=message):
        frame_sampling_diagram(clip, indices, emb, dims=dims)


def test_dims_as_float_is_refused(clip):
    with pytest.raises(TypeError, match="dims as an integer"):
        frame_sampling_diagram(clip, [0, 1], np.ones((2, 4)), dims=2.0)
