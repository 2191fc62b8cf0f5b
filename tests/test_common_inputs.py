"""Common input checks over the public lesson callables (like scikit-learn's ``check_estimator``).

Every callable in :data:`VALID` is called with valid arguments, then with one
argument at a time replaced by a value from :data:`BAD`. Each outcome is

- **clear**: a ``TypeError``, ``ValueError`` or ``CourseError`` (or, for a
  path that does not exist, ``FileNotFoundError``) raised inside
  ``course_utils`` whose message names the argument or says what it got;
- **raw**: any other error (raised inside numpy, torch, PIL, librosa ..., or
  of another type);
- **silent**: the call returned although one argument was invalid.

The test asserts no silent outcome and at least 90 % clear ones, and
:func:`test_every_public_lesson_callable_is_covered_or_listed` keeps the
table honest: a new public callable must be added to it or to :data:`NOT_COVERED`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import course_utils
from course_utils.errors import CourseError

BAD = {
    "None": None,
    "NaN": float("nan"),
    "empty array": np.array([]),
    "string": "x",
    "-1": -1,
    "0-d array": np.array(0.5),
    "complex array": np.array([1j, 1.0]),
}


@dataclass
class Case:
    fn: Callable
    valid: Callable[[], dict]
    #: (parameter, bad label) pairs that are valid values for this callable, so returning is right.
    ok: set = field(default_factory=set)


def _u8(*shape):
    return np.zeros(shape, np.uint8)


def _tiny_cnn():
    return nn.Sequential(nn.Conv2d(3, 2, 3), nn.ReLU(), nn.Conv2d(2, 2, 3))


def _png() -> Path:
    path = Path(tempfile.gettempdir()) / "course_common_inputs_red.png"
    if not path.exists():
        Image.new("RGB", (4, 3), "red").save(path)
    return path


def _cases() -> list[Case]:
    from course_utils.audio import mfcc, sound_effects, sounds
    from course_utils.image import io, photos, registry
    from course_utils.joint import contrastive, data
    from course_utils.similarity import cosine_similarity, cosine_similarity_matrix, top_k
    from course_utils.validation import audio_as_float, check_audio, check_sample_rate
    from course_utils.video import clips, frames
    from course_utils.video.embeddings import temporal_embedding
    from course_utils.visual_models import feature_maps, handcrafted, receptive_field, vit

    scene = data.Scene("star", "blue", "large", "right", "brick")
    tone = np.sin(np.arange(4096) / 10.0).astype(np.float32)
    return [
        Case(cosine_similarity, lambda: dict(a=[1.0, 0.0], b=[1.0, 1.0])),
        Case(cosine_similarity_matrix, lambda: dict(x=[[1.0, 0.0], [0.0, 1.0]], y=[[1.0, 1.0]])),
        Case(top_k, lambda: dict(query=[1.0, 0.0], gallery=[[0.0, 1.0], [1.0, 0.0]], k=1)),
        Case(contrastive.recall_at_k, lambda: dict(similarity=np.eye(3), k=1)),
        Case(contrastive.zero_shot_accuracy,
             lambda: dict(item_embeddings=np.eye(2), class_embeddings=np.eye(2), labels=[0, 1])),
        Case(contrastive.symmetric_info_nce, lambda: dict(a=torch.eye(3), b=torch.eye(3), temperature=0.1)),
        Case(data.render_scene, lambda: dict(scene=scene, size=32, seed=0)),
        Case(data.render_scenes, lambda: dict(scenes=[scene], size=32, seed=0)),
        Case(data.caption_scene, lambda: dict(scene=scene, template=0)),
        Case(data.direction_clip, lambda: dict(colour="red", direction="left", n_frames=2, size=16, seed=0)),
        Case(data.caption_clip, lambda: dict(colour="red", direction="left", template=0)),
        Case(clips.moving_square, lambda: dict(n_frames=2, direction="right", height=16, width=16, size=4,
                                               colour=(1, 2, 3), background=(0, 0, 0), margin=0)),
        Case(clips.moving_ball, lambda: dict(n_frames=2, direction="up", height=16, width=16, radius=2,
                                             colour=(1, 2, 3))),
        Case(clips.scene_change, lambda: dict(first=_u8(4, 4, 3), second=_u8(4, 4, 3), n_frames=2)),
        Case(handcrafted.histogram_features, lambda: dict(images=np.zeros((4, 4)), bins=4, max_gradient=0.25)),
        Case(vit.patchify, lambda: dict(images=torch.zeros(1, 3, 4, 4), patch_size=2)),
        Case(vit.unpatchify, lambda: dict(patches=torch.zeros(1, 4, 12), patch_size=2, image_size=(4, 4))),
        Case(vit.position_embedding_2d, lambda: dict(rows=2, cols=2, dim=8)),
        Case(vit.PatchEmbedding, lambda: dict(image_size=4, patch_size=2, channels=3, dim=4, seed=0)),
        Case(vit.SelfAttention, lambda: dict(dim=4, seed=0)),
        Case(feature_maps.filters_as_images, lambda: dict(weight=torch.ones(2, 3, 3, 3))),
        Case(feature_maps.strongest_channels, lambda: dict(fmap=torch.ones(1, 3, 2, 2), k=1)),
        Case(feature_maps.feature_maps,
             lambda: dict(model=_tiny_cnn(), images=torch.zeros(1, 3, 8, 8), layers=["0"])),
        Case(feature_maps.layer_names, lambda: dict(model=_tiny_cnn())),
        Case(receptive_field.ConvLayer, lambda: dict(kernel=3, stride=1, dilation=1, name="c"), ok={("name", "string")}),
        Case(receptive_field.receptive_fields, lambda: dict(layers=[(3, 1)])),
        Case(receptive_field.conv_layers_of, lambda: dict(model=_tiny_cnn())),
        Case(io.to_rgb_image, lambda: dict(image=_u8(2, 2))),
        Case(io.load_image, lambda: dict(path=_png())),
        Case(photos.sample_photo, lambda: dict(name="coins")),
        Case(photos.sample_photos, lambda: dict(names=["coins"]), ok={("names", "empty array")}),
        Case(photos.book_color_patterns, lambda: dict(seed=0, size=4)),
        Case(photos.augment, lambda: dict(image=Image.new("RGB", (8, 8)), kind="flip", seed=0)),
        Case(frames.validate_frames, lambda: dict(frames=_u8(2, 4, 4, 3))),
        Case(frames.frame_indices, lambda: dict(n_frames=10, k=2)),
        Case(temporal_embedding, lambda: dict(frame_embeddings=np.eye(3), motion_weight=1.0)),
        Case(mfcc.mfcc_embedding, lambda: dict(y=tone, sr=22050, n_mfcc=4)),
        Case(mfcc.mfcc_embeddings, lambda: dict(clips=[tone], sr=22050, n_mfcc=4)),
        Case(sounds.note_to_hz, lambda: dict(note="A4")),
        Case(sounds.brass_tone, lambda: dict(freq=440.0, duration=0.05, sr=22050)),
        Case(sounds.flute_tone, lambda: dict(freq=440.0, duration=0.05, sr=22050, seed=0)),
        Case(sounds.clarinet_tone, lambda: dict(freq=440.0, duration=0.05, sr=22050)),
        Case(sounds.plucked_string, lambda: dict(freq=440.0, duration=0.05, sr=22050, seed=0)),
        Case(sounds.noise, lambda: dict(duration=0.05, sr=22050, color="white", seed=0)),
        Case(check_sample_rate, lambda: dict(sr=22050)),
        Case(audio_as_float, lambda: dict(y=tone)),
        Case(check_audio, lambda: dict(y=tone, sr=22050)),
        Case(frames.check_num_frames, lambda: dict(num_frames=4)),
        Case(data.caption_sound, lambda: dict(sound=data.all_sounds()[0], template=0)),
        Case(data.render_sound, lambda: dict(sound=data.all_sounds()[0], sr=8000, seed=0)),
        Case(data.split_by_combination, lambda: dict(scenes=data.all_scenes()[:8], held_out=[("red", "star")])),
        Case(data.mean_pool, lambda: dict(frame_embeddings=np.zeros((2, 3, 4)))),
        Case(sounds.trumpet_phrase, lambda: dict(sr=8000, seed=0)),
        Case(sound_effects.aisfx_blocks, lambda: dict(y=sounds.brass_tone(440.0, duration=0.1), sr=22050)),
        Case(registry.get_spec, lambda: dict(name="resnet50")),
    ]


#: Public lesson callables the table does not call, and why.
NOT_COVERED = {
    # need a pretrained model or a network download
    "load_crepe", "crepe_embedding", "crepe_pitch", "load_hub_audio_model", "load_aisfx", "aisfx_embedding",
    "hub_audio_embedding", "EfficientNetLite0", "lite0_checkpoint", "load_pretrained_lite0", "ImageEncoder",
    "load_image_encoder", "embed_frames", "video_embedding", "prefetch_trumpet", "book_trumpet_path",
    # take a learner's function or a model-building callable rather than data
    "train_model", "prompt_embeddings", "gradient_receptive_field", "phrase",
    "check_loudness_invariant_mfcc", "check_instrument_identifier", "check_nearest_neighbour",
    "check_hardest_edit", "check_multi_positive_loss", "check_prompt_set", "check_stable_frame_count", "check_scene_cut",
    "check_edge_kernel", "check_patchify", "check_conv_depth", "check_pixel_shuffle", "check_training_step",
    # media files on disk (tested with real and damaged files in test_video / test_audio)
    "probe_video", "sample_frames", "write_video", "listen",
    # take no argument, or return fixed data
    "all_scenes", "all_sounds", "book_clips", "photo_names", "list_image_encoders", "offline_mode",
    "torch_hub_checkpoints_dir", "trumpet_available", "pick_device", "clear_cache", "asset_rows",
    "is_available", "instrument_gallery", "quiet_librosa_effects", "one_thread",
    # records filled in by the course's own code, not by a learner
    "AssetStatus", "CheckResult", "ImageModelSpec", "ReceptiveField", "VideoInfo", "Scene", "Sound",
    # the exercise checks' own helpers and the key-results report (tested in test_exercises, test_key_results)
    "raised", "run_answer", "number", "cos",
    "KeyResult", "format_table", "show_results", "show_key_results",
}


def _outcome(fn: Callable, kwargs: dict, param: str, bad: object) -> tuple[str, str]:
    try:
        fn(**kwargs)
    except Exception as exc:  # noqa: BLE001 - classifying every error is the point
        last = traceback.extract_tb(exc.__traceback__)[-1].filename
        inside = f"{Path(course_utils.__file__).parent}" in last
        message = str(exc)
        says = re.search(rf"\b{re.escape(param)}\b", message) or "got" in message or repr(bad) in message
        # a path that does not exist is rightly a FileNotFoundError (an OSError) naming it
        if isinstance(exc, (TypeError, ValueError, CourseError, OSError)) and inside and says:
            return "clear", ""
        return "raw", f"{type(exc).__name__}: {message[:120]} ({Path(last).name})"
    return "silent", ""


@pytest.fixture(scope="module")
def outcomes():
    rows = []
    for case in _cases():
        for param in case.valid():
            default = inspect.signature(case.fn).parameters[param].default
            for label, bad in BAD.items():
                if (param, label) in case.ok or (label == "None" and default is None):
                    continue
                kwargs = case.valid()
                kwargs[param] = bad
                kind, detail = _outcome(case.fn, kwargs, param, bad)
                rows.append((case.fn.__qualname__, param, label, kind, detail))
    return rows


def _summary(rows) -> str:
    counts = Counter(r[3] for r in rows)
    total = len(rows)
    lines = [f"{len({r[0] for r in rows})} callables, {total} calls with one bad argument"]
    lines += [f"  {kind:7s} {counts[kind]:5d}  {100 * counts[kind] / total:5.1f} %" for kind in ("clear", "raw", "silent")]
    lines += [f"  {kind}: {fn}({param}={label}) {detail}" for fn, param, label, kind, detail in rows if kind != "clear"]
    return "\n".join(lines)


def test_valid_example_calls_succeed():
    for case in _cases():
        case.fn(**case.valid())


def test_no_bad_argument_is_silently_accepted(outcomes):
    print(_summary(outcomes))
    silent = [r for r in outcomes if r[3] == "silent"]
    assert not silent, _summary(outcomes)


def test_at_least_90_percent_of_bad_arguments_get_one_clear_sentence(outcomes):
    clear = sum(r[3] == "clear" for r in outcomes)
    assert clear / len(outcomes) >= 0.90, _summary(outcomes)


def _public_lesson_callables() -> set[str]:
    names = set()
    for info in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
        if ".tooling" in info.name or info.name.endswith("figures") or info.name.endswith((".errors", ".validation")):
            continue
        module = importlib.import_module(info.name)
        public = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in public:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == info.name:
                names.add(name)
    return names


def test_every_public_lesson_callable_is_covered_or_listed():
    covered = {case.fn.__name__ for case in _cases()}
    missing = _public_lesson_callables() - covered - NOT_COVERED
    print(f"covered {len(covered)} public lesson callables; not covered: {len(NOT_COVERED)}")
    assert not missing, f"add these to the common-input table or to NOT_COVERED: {sorted(missing)}"
