"""Tests for course_utils.video.figures: the drawn Figures 5.4 and 5.5 of chapter 5.3."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from course_utils.video.figures import frame_sampling_diagram, video_array_diagram  # noqa: E402


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


def test_video_vector_is_drawn_on_the_same_columns_as_the_frame_vectors(clip):
    emb = np.arange(12.0).reshape(3, 4)
    fig = frame_sampling_diagram(clip, [1, 6, 10], emb, dims=4)
    strips = [im for ax in fig.axes for im in ax.get_images() if np.asarray(im.get_array()).shape == (1, 4)]
    video = [im for im in strips if im.get_gid() == "video-embedding"]
    assert len(strips) == 4 and len(video) == 1
    left, right, bottom, _ = video[0].get_extent()
    for im in strips:
        assert tuple(im.get_extent()[:2]) == (left, right)   # same x range: column j sits under column j
        if im is not video[0]:
            assert im.get_extent()[2] > bottom        # the frame vectors above the video vector
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


def test_array_diagram_draws_three_channel_slabs_per_frame_and_names_the_4d_shape():
    clip = np.zeros((10, 32, 48, 3), np.uint8)
    clip[..., 0] = 200
    fig = video_array_diagram(clip, frames=[0, 4, 9], size=4)
    slabs = [im for ax in fig.axes for im in ax.get_images() if np.asarray(im.get_array()).ndim == 2]
    assert len(slabs) == 3 * 3
    assert sorted(float(np.asarray(im.get_array()).mean()) for im in slabs) == [0.0] * 6 + [200.0] * 3
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    assert "(10, 32, 48, 3)" in texts and "10 in the clip, 3 drawn" in texts
    assert fig.get_size_inches()[0] <= 8.0
    assert min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()) >= 9
    plt.close(fig)


@pytest.mark.parametrize(
    "frames, size, error, message",
    [
        ([0, 10], 8, ValueError, "frames must lie in 0 .. 9"),
        ([3], 8, ValueError, "2 to 6 frame numbers"),
        ([0.0, 1.0], 8, TypeError, "whole frame numbers"),
        ([0, 1], 3, ValueError, "size >= 4"),
        ([0, 1], 8.0, TypeError, "size as an integer"),
    ],
)
def test_array_diagram_refuses_bad_inputs_with_one_clear_error(frames, size, error, message):
    with pytest.raises(error, match=message):
        video_array_diagram(np.zeros((10, 16, 16, 3), np.uint8), frames=frames, size=size)
