"""The book's printed numbers for 5.1, reproduced with the book's own model.

Runs when torchvision's ResNet50 IMAGENET1K_V1 weights are in torch's hub
cache (``course prefetch``); otherwise it is skipped, saying why.
"""

import pytest

from course_utils.image.photos import book_color_patterns
from course_utils.image.registry import get_spec, is_available, load_image_encoder
from course_utils.similarity import cosine_similarity

pytestmark = pytest.mark.book_reference

needs_resnet50 = pytest.mark.skipif(
    not is_available("resnet50"),
    reason=f"ResNet50 weights not in torch's hub cache ({get_spec('resnet50').checkpoint_path()}); "
           "run `course prefetch` while online to check the book's 5.1 numbers",
)


@needs_resnet50
def test_book_red_orange_and_red_blue_with_resnet50():
    encoder = load_image_encoder("resnet50", device="cpu", download=False)
    red, blue, orange = encoder.embed(list(book_color_patterns(seed=42).values()))
    assert cosine_similarity(red, orange) == pytest.approx(0.898, abs=0.005)
    assert cosine_similarity(red, blue) == pytest.approx(0.717, abs=0.005)
