"""The 5.1 figures: channels drawn black → colour, Figure 5.1's array diagram, and figures that fit the book's column.

The HTML book's column is about 700-800 px wide, so a figure is at most 8 inches
wide at 100 dpi and its text at least 9 pt.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from course_utils.figures import image_grid, similarity_heatmap
from course_utils.image.figures import channel_colormap, image_array_diagram, rgb_channels

BOOK_COLUMN_INCHES = 8.0
SMALLEST_FONT_PT = 9.0


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _uniform(r: int, g: int, b: int, shape=(20, 30)) -> np.ndarray:
    img = np.empty(shape + (3,), dtype=np.uint8)
    img[...] = (r, g, b)
    return img


def _channel_colour(fig, column: int, value: int) -> tuple:
    """The RGB colour the channel panel in ``column`` (1 = R, 2 = G, 3 = B) gives to ``value``."""
    panel = fig.axes[column].get_images()[0]
    return tuple(np.round(panel.to_rgba(np.array([[value]]))[0, 0, :3], 3))


def _visible_font_sizes(fig) -> list[float]:
    fig.canvas.draw()
    return [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_rgb_channels_draws_an_empty_channel_black_not_white():
    fig = rgb_channels({"red": _uniform(255, 0, 0)})
    assert _channel_colour(fig, 2, 0) == (0.0, 0.0, 0.0)   # G channel, value 0
    assert _channel_colour(fig, 3, 0) == (0.0, 0.0, 0.0)   # B channel, value 0


def test_rgb_channels_draws_a_full_channel_in_its_own_colour():
    fig = rgb_channels({"white": _uniform(255, 255, 255)})
    assert _channel_colour(fig, 1, 255) == (1.0, 0.0, 0.0)
    assert _channel_colour(fig, 2, 255) == (0.0, 1.0, 0.0)
    assert _channel_colour(fig, 3, 255) == (0.0, 0.0, 1.0)


def test_rgb_channels_has_a_labelled_0_to_255_colourbar_per_channel():
    fig = rgb_channels({"a": _uniform(10, 20, 30), "b": _uniform(200, 100, 0)})
    labels = [ax.get_xlabel() for ax in fig.axes]
    for letter in "RGB":
        assert any(label.startswith(f"{letter} value") for label in labels), labels
    channel_panels = [im for ax in fig.axes for im in ax.get_images() if im.get_array().ndim == 2]
    assert len(channel_panels) == 6
    assert all(im.get_clim() == (0, 255) for im in channel_panels)


def test_rgb_channels_refuses_a_grey_image_with_a_clear_message():
    with pytest.raises(ValueError, match=r"'grey' must be \(H, W, 3\) RGB, got shape \(20, 30\)"):
        rgb_channels({"grey": np.zeros((20, 30), dtype=np.uint8)})


@pytest.mark.parametrize("draw", [
    lambda: rgb_channels({"a": _uniform(1, 2, 3), "b": _uniform(4, 5, 6)}),
    lambda: image_grid([_uniform(9, 9, 9)] * 8, titles=[f"photo {i}" for i in range(8)], suptitle="grid"),
    lambda: image_grid([_uniform(9, 9, 9)] * 10, titles=[str(i) for i in range(10)], ncols=10),  # cells shrink
    lambda: similarity_heatmap(np.eye(12), [f"item {i}" for i in range(12)]),
    lambda: image_array_diagram(_uniform(50, 100, 150)),
], ids=["rgb_channels", "image_grid", "image_grid_10_columns", "similarity_heatmap_12", "image_array_diagram"])
def test_default_figures_fit_the_book_column_with_readable_text(draw):
    fig = draw()
    assert fig.get_size_inches()[0] <= BOOK_COLUMN_INCHES + 1e-9
    assert min(_visible_font_sizes(fig)) >= SMALLEST_FONT_PT


def test_similarity_heatmap_labels_its_colourbar_and_writes_each_value():
    fig = similarity_heatmap(np.array([[1.0, 0.25], [0.25, 1.0]]), ["a", "b"])
    assert "cosine similarity" in [ax.get_ylabel() for ax in fig.axes]
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0.25", "0.25", "1.00", "1.00"]


def test_image_array_diagram_spells_out_the_outlined_pixel_and_the_shape():
    fig = image_array_diagram(_uniform(12, 34, 56, shape=(60, 80)), height=6, width=8, pixel=(2, 3))
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    assert "(R, G, B) = (12, 34, 56)" in texts
    assert "row 2, column 3" in texts
    assert "(6, 8, 3)" in texts
    for name in ("height", "width", "channels"):
        assert name in texts


def test_image_array_diagram_draws_each_channel_slab_black_to_colour():
    fig = image_array_diagram(_uniform(255, 0, 0), height=4, width=5, pixel=(0, 0))
    slabs = [im for im in fig.axes[1].get_images()]
    assert len(slabs) == 3
    colours = {tuple(np.round(im.to_rgba(np.array([[255]]))[0, 0, :3], 3)) for im in slabs}
    assert colours == {(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)}


def test_image_array_diagram_rejects_a_pixel_outside_the_shrunk_image():
    with pytest.raises(ValueError, match="pixel row"):
        image_array_diagram(_uniform(1, 2, 3), height=6, width=8, pixel=(6, 0))
    with pytest.raises(TypeError, match="pixel as a \\(row, column\\) pair"):
        image_array_diagram(_uniform(1, 2, 3), pixel=3)
    with pytest.raises(TypeError, match="height"):
        image_array_diagram(_uniform(1, 2, 3), height=True)


def test_channel_colormap_names_the_valid_channels():
    with pytest.raises(ValueError, match="expected channel 'R', 'G' or 'B', got 'red'"):
        channel_colormap("red")
