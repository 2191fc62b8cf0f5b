"""Helpers for the course *Image, Audio, and Video Embeddings*.

Importing this package has no side effects: no downloads, no seeds, no
matplotlib settings and no prints. Each idea lives in its own module:

- :mod:`course_utils.models`     the model registry (``load_image_encoder``)
- :mod:`course_utils.images`     turning photos and arrays into model input
- :mod:`course_utils.similarity` cosine similarity and nearest neighbours
- :mod:`course_utils.data`       sample data that ships offline
- :mod:`course_utils.audio`      loading sound, MFCC embeddings, the book's trumpet
- :mod:`course_utils.sounds`     instruments and noises synthesised in code
- :mod:`course_utils.audio_models` learned audio embeddings (CREPE offline, hub models online)
- :mod:`course_utils.video`      reading, sampling and writing video files
- :mod:`course_utils.video_embeddings` frame embeddings pooled into one vector, order-aware pooling
- :mod:`course_utils.clips`      synthetic clips (the book's, moving shapes, scene cuts)
- :mod:`course_utils.features`   feature maps and filters from inside a CNN
- :mod:`course_utils.vit`        patches, position embeddings and self-attention
- :mod:`course_utils.receptive_field` how much of the image a unit sees
- :mod:`course_utils.plotting`   the course's figures
- :mod:`course_utils.report`     key results beside the book's figures
- :mod:`course_utils.regression` the numeric tolerance nbval uses
- :mod:`course_utils.assets`     caches, offline checks and ``course prefetch``
- :mod:`course_utils.cli`        the ``course`` command
"""

__version__ = "0.1.0"
