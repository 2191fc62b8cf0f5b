"""Helpers for the course *Image, Audio, and Video Embeddings*.

Importing it has no side effects (no downloads, seeds, matplotlib settings or prints). Two halves, with
arrows pointing one way (tooling imports lesson helpers, never the reverse):

What the notebooks import (the lessons' API), one package per chapter's domain:

- :mod:`course_utils.image`          5.1: photos as input, the offline photos, the model registry
  (``load_image_encoder``), ``ImageEncoder``, EfficientNet-Lite0, figures of an image as an array
- :mod:`course_utils.audio`          5.2: loading sound, the book's MFCC embedding, the book's trumpet,
  listening, synthesised instruments (``sounds``), learned audio models (``learned``), figures
- :mod:`course_utils.video`          5.3: reading, sampling and writing video, clip embeddings, clips made
  by code, Figure 5.5
- :mod:`course_utils.visual_models`  5.4: feature maps, the Vision Transformer's pieces, receptive fields,
  hand-crafted features
- :mod:`course_utils.joint`          5.6: captioned data made by code, contrastive training and metrics, figures
- :mod:`course_utils.exercises`      checks for the chapter exercises, one module per chapter

and what every domain shares:

- :mod:`course_utils.validation`     the one rule for inputs (``check_scalar``, array, audio checks)
- :mod:`course_utils.assets`         the one error for a missing asset, offline mode, caches
- :mod:`course_utils.similarity`     cosine similarity and nearest neighbours
- :mod:`course_utils.figures`        similarity heatmaps and picture grids
- :mod:`course_utils.key_results`    measured numbers with their tolerances, and each chapter's key results

What runs the course (:mod:`course_utils.tooling`): the ``course`` command, the chapter runner, the HTML
book, student copies, ``course doctor`` and how nbval compares outputs.
"""

__version__ = "0.1.0"
