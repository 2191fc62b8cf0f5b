"""Helpers for the course *Image, Audio, and Video Embeddings*.

Importing this package has no side effects: no downloads, no seeds, no
matplotlib settings and no prints. Each idea lives in its own module:

- :mod:`course_utils.models`     the model registry (``load_image_encoder``)
- :mod:`course_utils.images`     turning photos and arrays into model input
- :mod:`course_utils.similarity` cosine similarity and nearest neighbours
- :mod:`course_utils.data`       sample data that ships offline
- :mod:`course_utils.plotting`   the course's figures
- :mod:`course_utils.assets`     caches, offline checks and ``course prefetch``
- :mod:`course_utils.cli`        the ``course`` command
"""

__version__ = "0.1.0"
