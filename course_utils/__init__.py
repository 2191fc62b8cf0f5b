"""Helpers for the course *Image, Audio, and Video Embeddings*.

Importing this package has no side effects: no downloads, no seeds, no
matplotlib settings and no prints. Two halves, with arrows pointing one way
(tooling imports lesson helpers, never the reverse):

What the notebooks import (the lessons' API), one module per idea:

- :mod:`course_utils.validation`    the one rule for inputs (``check_scalar``, array, audio checks)
- :mod:`course_utils.assets`        the one error for a missing asset, offline mode, caches
- :mod:`course_utils.images`        turning photos and arrays into model input
- :mod:`course_utils.photos`        real photos that ship offline, and their edits
- :mod:`course_utils.models`        the image-model registry (``load_image_encoder``)
- :mod:`course_utils.image_encoder` images in, vectors out (``ImageEncoder.embed``, ``classify``)
- :mod:`course_utils.model_spec`    what the registry knows about one model (transform, sizes, categories, licence)
- :mod:`course_utils.imagenet`      ImageNet-1k class names and pixel statistics
- :mod:`course_utils.image_arrays`  an image as a 3-D array: Figure 5.1 and channel colour maps
- :mod:`course_utils.efficientnet_lite` EfficientNet-Lite0 written out in PyTorch
- :mod:`course_utils.similarity`    cosine similarity and nearest neighbours
- :mod:`course_utils.audio`         loading sound, the book's MFCC embedding, the book's trumpet, listening
- :mod:`course_utils.sounds`        instruments and noises synthesised in code
- :mod:`course_utils.audio_models`  learned audio embeddings (CREPE offline, hub models online)
- :mod:`course_utils.video`         reading, sampling and writing video files (gathers
  :mod:`~course_utils.video_frames`, :mod:`~course_utils.video_reader`, :mod:`~course_utils.video_writer`)
- :mod:`course_utils.video_embeddings` frame embeddings pooled into one vector, order-aware pooling
- :mod:`course_utils.video_diagrams` Figure 5.5: sample → embed → average, drawn
- :mod:`course_utils.clips`         synthetic clips (the book's, moving shapes, scene cuts)
- :mod:`course_utils.feature_maps`  feature maps and filters from inside a CNN
- :mod:`course_utils.vit`           patches, position embeddings and self-attention
- :mod:`course_utils.receptive_field` how much of the image a unit sees
- :mod:`course_utils.handcrafted`   hand-crafted intensity and gradient histograms, the transfer-learning baseline
- :mod:`course_utils.captioned_data` pictures, sounds and clips made by code, with captions (5.6)
- :mod:`course_utils.contrastive`   symmetric InfoNCE, retrieval metrics and figures for joint embeddings (5.6)
- :mod:`course_utils.plotting`      the course's figures
- :mod:`course_utils.key_results`   each chapter's key results beside the book's figures
- :mod:`course_utils.exercises`     checks for the chapter exercises

What runs the course (:mod:`course_utils.tooling`): the ``course`` command,
the chapter runner, the HTML book, student copies, ``course doctor`` and
nbval's numeric tolerance.
"""

__version__ = "0.1.0"
