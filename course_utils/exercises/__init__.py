"""Checks for the chapter exercises: call one on your answer and read what it says.

A check *recomputes* what your answer claims (it calls your function on new inputs, or redoes the
measurement) and returns a :class:`CheckResult`, which prints what is right, or what is off and what to
look at next.

=====  ======================================  ==========================================
ch.    check                                   exercise
=====  ======================================  ==========================================
5.1    :func:`check_nearest_neighbour`         reverse image lookup as a function
5.1    :func:`check_hardest_edit`              which edit moves an embedding most
5.2    :func:`check_loudness_invariant_mfcc`   an MFCC embedding that ignores loudness
5.2    :func:`check_instrument_identifier`     name the instrument of a quiet new clip
5.3    :func:`check_stable_frame_count`        the frame count K where the embedding settles
5.3    :func:`check_scene_cut`                 find a hard cut with frame embeddings
5.4    :func:`check_edge_kernel`               a 3 × 3 filter for diagonal edges
5.4    :func:`check_patchify`                  cut images into ViT tokens by hand
5.4    :func:`check_conv_depth`                how deep a CNN must be to see a region
5.4b   :func:`check_training_step`             one forward, loss, backward, step update
5.4b   :func:`check_pixel_shuffle`             one pixel permutation for every image
5.6    :func:`check_multi_positive_loss`       InfoNCE with duplicate captions as right answers
5.6    :func:`check_prompt_set`                prompts for zero-shot classification
=====  ======================================  ==========================================
"""

from course_utils.exercises.audio import check_instrument_identifier, check_loudness_invariant_mfcc
from course_utils.exercises.base import FAILED_PREFIX, PASSED_PREFIX, CheckResult
from course_utils.exercises.images import check_hardest_edit, check_nearest_neighbour
from course_utils.exercises.joint import check_multi_positive_loss, check_prompt_set
from course_utils.exercises.learning import check_pixel_shuffle, check_training_step
from course_utils.exercises.video import check_scene_cut, check_stable_frame_count
from course_utils.exercises.visual_models import check_conv_depth, check_edge_kernel, check_patchify

__all__ = [
    "CheckResult", "PASSED_PREFIX", "FAILED_PREFIX", "check_nearest_neighbour", "check_hardest_edit",
    "check_loudness_invariant_mfcc", "check_instrument_identifier", "check_stable_frame_count", "check_scene_cut",
    "check_edge_kernel", "check_patchify", "check_conv_depth", "check_training_step", "check_pixel_shuffle",
    "check_multi_positive_loss", "check_prompt_set",
]
