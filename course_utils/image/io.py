"""Turning photos, files and arrays into clean RGB images for a model.

Every image encoder in :mod:`course_utils.image.registry` goes through
:func:`to_rgb_image` first, so the rules for odd inputs live in one place:

- an RGB ``PIL.Image`` is used as is; grayscale, palette and CMYK are converted to RGB;
- RGBA, LA and transparent P are composited onto white, as a viewer shows them;
- 16-bit images (``I;16``, ``I``, uint16) are scaled to 8 bits (65535 → 255), never guessed from the values;
- arrays ``(H, W[, 1|3|4])``: uint8 as above, floats must lie in [0, 1] (scaled by 255), other integers in 0‥255;
- a path is opened with PIL; a missing, empty, corrupt or too-large file raises one clear error, and so
  does a URL (nothing is downloaded);
- EXIF orientation is applied, so a phone photo is embedded upright, as a viewer shows it;
- anything else raises a ``ValueError`` / ``TypeError`` saying what was received and what is expected.
"""

from __future__ import annotations

import io
import re
import struct
from os import PathLike
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from course_utils.validation import check_array, check_scalar, check_unit_range

ImageLike = Union[Image.Image, np.ndarray, str, PathLike]

#: A string that starts like a URL (``https://``, ``s3://``, ``data:`` ...); ``Path`` turns ``//`` into ``/``.
_URL = re.compile(r"^(?:https?|ftp|s3|gs|file|data):/?", re.IGNORECASE)
#: EXIF tag 0x0112: how the camera was held; 1 means "as stored".
_EXIF_ORIENTATION = 0x0112

#: The ISO base-media "brands" of HEIC/HEIF photos (bytes 8-12 of the file, after "ftyp").
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avci"}


def load_image(path: str | PathLike) -> Image.Image:
    """Open an image file and return it as an RGB ``PIL.Image``, upright as viewers show it (EXIF orientation).

    Parameters
    ----------
    path : str or Path
        A file PIL can read (PNG, JPEG, TIFF, WebP, ...).

    Returns
    -------
    PIL.Image.Image
        Fully loaded, mode ``"RGB"``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If ``path`` is a URL (nothing is downloaded), or the file is empty,
        not a readable image, or larger than PIL's decompression-bomb limit.

    Examples
    --------
    >>> import tempfile, os
    >>> from PIL import Image
    >>> p = os.path.join(tempfile.mkdtemp(), "red.png")
    >>> Image.new("RGB", (4, 3), "red").save(p)
    >>> load_image(p).size
    (4, 3)
    """
    text = str(check_scalar(path, "path", (str, PathLike)))
    path = Path(path)
    if not path.exists():
        if _URL.match(text):
            raise ValueError(
                f"expected a local image file, got the URL {text!r}; the course does not fetch URLs, "
                "so download the file first (urllib.request.urlretrieve(url, 'photo.jpg')) and pass its path"
            )
        raise FileNotFoundError(f"image file not found: {text!r}")
    if path.is_dir():
        raise ValueError(f"expected an image file, got a folder: {path}")
    data = path.read_bytes()
    if not data:
        raise ValueError(f"image file is empty (0 bytes): {path}; re-download or re-export it")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return to_rgb_image(img)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
            raise ValueError(
                f"{path} is a HEIC/HEIF photo (an iPhone's default), which PIL cannot open by itself; export it as "
                "JPEG, or pip install pillow-heif and run pillow_heif.register_heif_opener() before loading"
            ) from None
        reason = re.sub(r" at 0x[0-9a-fA-F]+", "", str(exc))          # no memory addresses in the message
        raise ValueError(
            f"could not read {path} as an image ({type(exc).__name__}: {reason}); "
            "the file is corrupt or not an image format PIL supports"
        ) from None
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        raise ValueError(
            f"{path} is too large to open safely ({size}, more than twice PIL's limit "
            f"Image.MAX_IMAGE_PIXELS = {Image.MAX_IMAGE_PIXELS:,}, which guards against decompression bombs); "
            "if you trust the file, raise the limit first: `from PIL import Image; Image.MAX_IMAGE_PIXELS = None`"
        ) from None


def _rgb_from_array(arr: np.ndarray) -> Image.Image:
    shape = "(H, W), (H, W, 3) or (H, W, 4)"
    arr = check_array(arr, "image", ndim=(2, 3), kinds="fiub", shape=shape)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 3 and arr.shape[2] not in (3, 4):
        raise ValueError(f"expected image as a {shape} array, got shape {arr.shape}; for a batch, pass a list")
    if arr.dtype == np.uint8:
        u8 = arr
    elif arr.dtype == bool:
        u8 = arr.astype(np.uint8) * 255
    elif arr.dtype == np.uint16:
        u8 = np.round(arr.astype(np.float64) / 257.0).astype(np.uint8)
    elif np.issubdtype(arr.dtype, np.floating):
        check_unit_range(arr, "float image arrays")
        u8 = np.round(arr * 255.0).astype(np.uint8)
    else:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi > 255:
            raise ValueError(
                f"integer image arrays must hold values 0-255, got {arr.dtype} values in [{lo}, {hi}]; "
                "pass uint8 (or uint16 for 16-bit images)"
            )
        u8 = arr.astype(np.uint8)
    if u8.ndim == 2:
        return Image.fromarray(np.ascontiguousarray(u8), mode="L").convert("RGB")
    if u8.shape[2] == 4:
        return _flatten_alpha(Image.fromarray(np.ascontiguousarray(u8), mode="RGBA"))
    return Image.fromarray(np.ascontiguousarray(u8), mode="RGB")


def _flatten_alpha(img: Image.Image) -> Image.Image:
    rgba = img.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def to_rgb_image(image: ImageLike) -> Image.Image:
    """Return one image (PIL image, array or path) as an 8-bit RGB ``PIL.Image``; see the module table.

    Examples
    --------
    >>> import numpy as np
    >>> to_rgb_image(np.zeros((2, 3), dtype=np.uint8)).mode
    'RGB'
    """
    if isinstance(image, (str, PathLike)):
        return load_image(image)
    if isinstance(image, Image.Image):
        if image.width == 0 or image.height == 0:
            raise ValueError(f"expected a non-empty image, got size {image.size}")
        try:  # EXIF orientation: phones store pixels as the sensor saw them and record how the phone was held
            turned = image.getexif().get(_EXIF_ORIENTATION, 1) not in (1, None)
        except (OSError, ValueError, SyntaxError, struct.error):  # a malformed EXIF block: keep the pixels as stored
            turned = False
        if turned:
            image = ImageOps.exif_transpose(image)
        mode = image.mode
        if mode == "RGB":
            return image
        if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
            return _flatten_alpha(image)
        if mode.startswith("I;16") or mode in ("I", "F"):
            arr = np.asarray(image)
            if mode != "F":  # PIL opens 16-bit PNG and TIFF as "I;16" or "I": always 0-65535, whatever the content
                if arr.min() < 0 or arr.max() > 65535:
                    raise ValueError(
                        f"expected a 32-bit integer ('I') image to hold 16-bit values 0-65535, "
                        f"got values in [{arr.min()}, {arr.max()}]"
                    )
                arr = arr.astype(np.uint16)
            return _rgb_from_array(arr)
        return image.convert("RGB")
    if isinstance(image, np.ndarray):
        return _rgb_from_array(image)
    raise TypeError(f"expected a PIL image, a numpy array or a file path, got {type(image).__name__}")
