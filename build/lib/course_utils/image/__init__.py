"""Images as vectors (chapter 5.1).

- :mod:`course_utils.image.io`        photos and arrays as model input (``load_image``, ``to_rgb_image``)
- :mod:`course_utils.image.photos`    real photos that ship offline, their edits, the book's colour patterns
- :mod:`course_utils.image.registry`  the image models: ``load_image_encoder``, each model's transform,
  categories, size, source and licence, and ImageNet's class names
- :mod:`course_utils.image.encoder`   ``ImageEncoder``: images in, vectors out (``embed``, ``classify``)
- :mod:`course_utils.image.efficientnet_lite`  EfficientNet-Lite0 written out in PyTorch
- :mod:`course_utils.image.figures`   an image as a 3-D array (Figure 5.1) and its channels (Figure 5.2)
"""
