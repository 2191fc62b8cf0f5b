"""Joint embeddings: words, pictures and sounds in one space (chapter 5.6).

- :mod:`course_utils.joint.data`         pictures, sounds and clips made by code, with captions
- :mod:`course_utils.joint.contrastive`  symmetric InfoNCE, seeded training, recall@k, zero-shot accuracy
- :mod:`course_utils.joint.figures`      similarity matrices and training losses
"""
