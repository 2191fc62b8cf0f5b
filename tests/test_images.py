"""Image input rules: every odd input is a correct RGB image or one clear error."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from course_utils.image.io import load_image, to_rgb_image


def test_rgb_pil_is_returned_unchanged():
    img = Image.new("RGB", (5, 4), (10, 20, 30))
    assert to_rgb_image(img) is img


def test_grayscale_is_copied_to_three_channels():
    out = np.asarray(to_rgb_image(Image.new("L", (3, 2), 77)))
    assert out.shape == (2, 3, 3)
    assert (out == 77).all()


def test_rgba_is_composited_on_white():
    arr = np.zeros((2, 2, 4), dtype=np.uint8)
    arr[0, 0] = (255, 0, 0, 255)      # opaque red stays red
    arr[1, 1] = (0, 0, 0, 0)          # fully transparent black shows the white background
    out = np.asarray(to_rgb_image(Image.fromarray(arr, "RGBA")))
    assert tuple(out[0, 0]) == (255, 0, 0)
    assert tuple(out[1, 1]) == (255, 255, 255)


def test_palette_image_keeps_its_colours():
    pal = Image.new("RGB", (4, 4), (0, 128, 255)).convert("P", palette=Image.Palette.ADAPTIVE)
    assert pal.mode == "P"
    out = np.asarray(to_rgb_image(pal))
    assert np.abs(out.astype(int) - [0, 128, 255]).max() <= 2


def test_16_bit_image_is_scaled_not_clipped():
    arr = np.array([[0, 32896, 65535]], dtype=np.uint16)
    img = Image.fromarray(arr)
    assert img.mode.startswith("I;16")
    out = np.asarray(to_rgb_image(img))[0, :, 0]
    assert out.tolist() == [0, 128, 255]


def test_uint16_array_is_scaled():
    out = np.asarray(to_rgb_image(np.full((2, 2, 3), 65535, dtype=np.uint16)))
    assert (out == 255).all()


def test_float_array_in_unit_range_is_scaled_by_255():
    out = np.asarray(to_rgb_image(np.full((2, 2, 3), 0.5, dtype=np.float32)))
    assert (out == 128).all()


def test_float_array_outside_unit_range_is_rejected():
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\].*divide by 255"):
        to_rgb_image(np.full((2, 2, 3), 200.0))


def test_int64_array_in_byte_range_is_accepted_and_out_of_range_rejected():
    ok = np.asarray(to_rgb_image(np.full((2, 2, 3), 200, dtype=np.int64)))
    assert (ok == 200).all()
    with pytest.raises(ValueError, match="values 0-255"):
        to_rgb_image(np.full((2, 2, 3), 300, dtype=np.int64))


def test_nan_array_is_rejected():
    arr = np.zeros((2, 2, 3), dtype=np.float32)
    arr[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        to_rgb_image(arr)


@pytest.mark.parametrize("shape", [(10,), (5, 5, 7), (2, 2, 2), (1, 2, 3, 3, 1)])
def test_non_image_array_shapes_are_rejected(shape):
    with pytest.raises(ValueError, match=r"expected image as a \(H, W\), \(H, W, 3\) or \(H, W, 4\) array, got shape"):
        to_rgb_image(np.zeros(shape, dtype=np.uint8))


def test_empty_array_is_rejected():
    with pytest.raises(ValueError, match="empty array"):
        to_rgb_image(np.zeros((0, 5, 3), dtype=np.uint8))


def test_non_image_object_is_rejected():
    with pytest.raises(TypeError, match="expected a PIL image, a numpy array or a file path, got dict"):
        to_rgb_image({"not": "an image"})


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="image file not found"):
        load_image(tmp_path / "nope.jpg")


def test_empty_file_raises_clear_error(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_image(path)


def test_corrupt_file_raises_clear_error(tmp_path):
    good = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(good, format="PNG")
    path = tmp_path / "truncated.png"
    path.write_bytes(good.getvalue()[:60])
    with pytest.raises(ValueError, match="corrupt or not an image"):
        load_image(path)


def test_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("hello")
    with pytest.raises(ValueError, match="could not read"):
        load_image(path)


def test_file_round_trip(tmp_path):
    path = tmp_path / "blue.png"
    Image.new("RGB", (7, 3), (0, 0, 255)).save(path)
    img = to_rgb_image(path)
    assert img.size == (7, 3) and img.getpixel((0, 0)) == (0, 0, 255)


def _write_sideways_jpeg(path, upright_pixels: np.ndarray) -> None:
    """Store ``upright_pixels`` as a phone does when held upright: turned on their side, EXIF orientation 6."""
    stored = np.rot90(upright_pixels, k=1)  # 90° anticlockwise: orientation 6 says "turn 90° clockwise to view"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.ascontiguousarray(stored)).save(path, format="JPEG", quality=95, exif=exif.tobytes())


def _looks_upright(pixels: np.ndarray) -> bool:
    """Red band on top, blue lower left, black lower right (away from the edges JPEG blurs)."""
    def near(region, colour):
        return np.abs(region.reshape(-1, 3).mean(axis=0) - colour).max() < 20
    return (pixels.shape == (40, 24, 3) and near(pixels[:8], (255, 0, 0))
            and near(pixels[14:, :10], (0, 0, 255)) and near(pixels[14:, 14:], (0, 0, 0)))


def _upright_test_pixels() -> np.ndarray:
    pixels = np.zeros((40, 24, 3), dtype=np.uint8)  # portrait: 40 rows, 24 columns
    pixels[:10] = (255, 0, 0)                        # red band along the top edge
    pixels[10:, :12] = (0, 0, 255)                   # blue on the lower left
    return pixels


def test_jpeg_with_exif_orientation_is_loaded_upright_as_viewers_show_it(tmp_path):
    upright = _upright_test_pixels()
    path = tmp_path / "portrait.jpg"
    _write_sideways_jpeg(path, upright)
    with Image.open(path) as raw:
        assert raw.size == (40, 24)  # as stored: on its side
    assert _looks_upright(upright)
    assert _looks_upright(np.asarray(load_image(path)).astype(float))


def test_pil_image_opened_from_a_rotated_jpeg_is_turned_upright_too(tmp_path):
    upright = _upright_test_pixels()
    path = tmp_path / "portrait.jpg"
    _write_sideways_jpeg(path, upright)
    with Image.open(path) as img:
        assert _looks_upright(np.asarray(to_rgb_image(img)).astype(float))


def test_orientation_is_applied_once_and_untagged_images_are_left_alone():
    tagged = Image.new("RGB", (4, 2))
    tagged.getexif()[0x0112] = 8
    once = to_rgb_image(tagged)
    assert once.size == (2, 4) and to_rgb_image(once) is once


def test_image_over_the_decompression_bomb_limit_says_how_to_allow_it(tmp_path, monkeypatch):
    path = tmp_path / "huge.png"
    Image.new("RGB", (30, 30)).save(path)               # 900 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # stands in for a 20 000 × 20 000 file
    expected = r"too large to open safely \(900 pixels.*Image.MAX_IMAGE_PIXELS = None"
    with pytest.raises(ValueError, match=expected) as info:
        load_image(path)
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("url", ["https://example.com/cat.jpg", "http://example.com/a.png", "s3://bucket/key.png"])
def test_url_is_refused_with_a_hint_to_download_first(url):
    with pytest.raises(ValueError, match=r"got the URL .*does not fetch URLs, so download the file first"):
        load_image(url)
    with pytest.raises(ValueError, match="does not fetch URLs"):
        to_rgb_image(url)


def test_32_bit_integer_images_are_read_as_16_bit_whatever_their_maximum():
    # the scale used to be guessed from the data: max 255 gave mean 127, max 256 gave mean 0.5
    for top in (255, 256):
        arr = np.full((4, 4), top, np.int32)
        img = Image.fromarray(arr, mode="I")
        assert img.mode == "I"
        expected = round(top / 257)
        assert np.asarray(to_rgb_image(img)).mean() == expected


def test_an_iphone_heic_photo_is_named_with_its_fix(tmp_path):
    heic = tmp_path / "IMG_0001.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200))   # an ISO-BMFF header, brand heic
    with pytest.raises(ValueError, match="HEIC/HEIF photo") as err:
        load_image(heic)
    assert "pillow-heif" in str(err.value) and "0x" not in str(err.value)


def test_an_unreadable_image_names_no_memory_address(tmp_path):
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"not an image at all" * 10)
    with pytest.raises(ValueError, match="corrupt or not an image format") as err:
        load_image(junk)
    assert " at 0x" not in str(err.value)
