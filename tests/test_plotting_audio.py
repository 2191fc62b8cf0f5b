"""Tests for the sound figures of chapter 5.2 in course_utils.figures (book column width, readable text)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from course_utils.audio.figures import plot_mel_spectrograms, plot_mfcc_aggregation, plot_sound  # noqa: E402
from course_utils.audio.sounds import brass_tone, clarinet_tone, noise  # noqa: E402

SR = 22050


def _colour_mappables(fig):
    """Images and meshes that carry a colourbar."""
    found = []
    for ax in fig.axes:
        for artist in [*ax.get_images(), *ax.collections]:
            if getattr(artist, "colorbar", None) is not None:
                found.append(artist)
    return found


def _assert_fits_book_column(fig):
    fig.canvas.draw()
    assert fig.get_size_inches()[0] <= 8.0, f"figure is {fig.get_size_inches()[0]} in wide"
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert sizes and min(sizes) >= 9, f"smallest text is {min(sizes)} pt"
    mappables = _colour_mappables(fig)
    assert mappables, "expected at least one colourbar"
    for m in mappables:
        assert m.colorbar.ax.get_ylabel().strip(), "every colourbar needs a label"


def test_plot_sound_fits_the_book_column_with_labelled_colourbars():
    fig = plot_sound(brass_tone(440.0, duration=1.0, sr=SR), SR, title="tone")
    _assert_fits_book_column(fig)
    plt.close(fig)


def test_mfcc_aggregation_fits_the_book_column_with_labelled_colourbar():
    mfcc = np.random.default_rng(0).normal(size=(20, 50)) * 10
    mfcc[0] -= 300                                   # MFCC 0 far below the rest, as in real clips
    fig = plot_mfcc_aggregation(mfcc, sr=SR)
    _assert_fits_book_column(fig)
    plt.close(fig)


def test_mfcc_aggregation_draws_the_means_then_the_stds_as_bars():
    mfcc = np.random.default_rng(1).normal(size=(6, 30))
    fig = plot_mfcc_aggregation(mfcc, sr=SR)
    bars = [bar.get_height() for ax in fig.axes for container in ax.containers for bar in container]
    expected = [*(mfcc[k].sum() / 30 for k in range(6)), *(np.sqrt(((mfcc[k] - mfcc[k].mean()) ** 2).mean()) for k in range(6))]
    np.testing.assert_allclose(bars, expected, rtol=1e-10)
    plt.close(fig)


def test_mfcc_aggregation_refuses_a_vector_with_a_clear_message():
    with pytest.raises(ValueError, match=r"shape \(n_mfcc, frames\), got shape \(40,\)"):
        plot_mfcc_aggregation(np.ones(40))


def test_mel_spectrograms_share_one_colour_scale_across_clips():
    clips = {"loud tone": brass_tone(440.0, duration=1.0, sr=SR),
             "quiet tone": 0.01 * clarinet_tone(220.0, duration=1.0, sr=SR),
             "noise": noise(1.0, sr=SR)}
    fig = plot_mel_spectrograms(clips, SR)
    colourbar_axes = {m.colorbar.ax for m in _colour_mappables(fig)}
    meshes = [c for ax in fig.axes if ax not in colourbar_axes for c in ax.collections]
    assert len(meshes) == 3
    assert len({m.get_clim() for m in meshes}) == 1, "the panels must share one colour scale"
    _assert_fits_book_column(fig)
    plt.close(fig)


def test_mel_spectrograms_refuse_an_empty_dict():
    with pytest.raises(ValueError, match="at least one clip"):
        plot_mel_spectrograms({}, SR)
