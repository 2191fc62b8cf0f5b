"""How visual models learn (chapter 5.4).

- :mod:`course_utils.visual_models.feature_maps`     feature maps and filters from inside a CNN
- :mod:`course_utils.visual_models.vit`              patches, position embeddings and self-attention
- :mod:`course_utils.visual_models.receptive_field`  how much of the image a unit sees
- :mod:`course_utils.visual_models.handcrafted`      intensity and gradient histograms, the transfer baseline
"""
