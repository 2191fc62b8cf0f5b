"""Common input checks over the public lesson callables (like scikit-learn's ``check_estimator``).

Every callable in :data:`VALID` is called with valid arguments, then with one
argument at a time replaced by a value from :data:`BAD`. Each outcome is

- **clear**: a ``TypeError``, ``ValueError`` or ``CourseError`` (or, for a
  path that does not exist, ``FileNotFoundError``) raised inside
  ``course_utils`` whose message names the argument or says what it got; or,
  from an exercise check, a failed :class:`CheckResult` whose message does so
  (a check answers a learner's wrong answer with a result, not an error);
- **raw**: any other error (raised inside numpy, torch, PIL, librosa ..., or
  of another type), or a failed check that does not say what it got;
- **silent**: the call returned (a check: passed) although one argument was invalid.

Models load once per session (the course's own caches); media files are made in a temporary folder.

The test asserts no silent outcome and at least 90 % clear ones, and
:func:`test_every_public_lesson_callable_is_covered_or_listed` keeps the
table honest: a new public callable must be added to it or to :data:`NOT_COVERED`.
"""

from __future__ import annotations

import contextlib
import functools
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
from course_utils.exercises.base import CheckResult

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


@functools.cache
def _encoder():
    from course_utils.image.registry import load_image_encoder

    return load_image_encoder("efficientnet_lite0", device="cpu", download=False)


@functools.cache
def _tmp() -> tempfile.TemporaryDirectory:
    """One temporary folder for the media files the table writes, removed when the session ends."""
    return tempfile.TemporaryDirectory(prefix="course_common_inputs_")


@functools.cache
def _mp4() -> Path:
    from course_utils.video.writer import write_video

    frames = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    return write_video(Path(_tmp().name) / "clip.mp4", frames, fps=4)


class _ColourEncoder:
    """An encoder for the exercise checks that need one: each image's mean colour (fast, unlike a CNN)."""

    def embed(self, images) -> np.ndarray:
        return np.array([np.asarray(Image.fromarray(i) if isinstance(i, np.ndarray) else i, float).mean(axis=(0, 1))
                         + 1.0 for i in images])


def _linear_loss(model: nn.Module, rng: np.random.Generator) -> torch.Tensor:
    return model(torch.as_tensor(rng.random((2, 2)), dtype=torch.float32)).pow(2).mean()


def _fake_text(texts: list[str]) -> np.ndarray:
    return np.array([[len(t), 1.0] for t in texts])


def _aisfx_checkpoint() -> Path:
    from aisfx.models import cnn2d

    return Path(cnn2d.__file__).parent / "checkpoint.pth"


def _png() -> Path:
    path = Path(tempfile.gettempdir()) / "course_common_inputs_red.png"
    if not path.exists():
        Image.new("RGB", (4, 3), "red").save(path)
    return path


def _cases() -> list[Case]:
    from course_utils.audio import learned, mfcc, playback, sound_effects, sounds
    from course_utils.exercises import audio, images, joint, learning, search, video, visual_models
    from course_utils.image import io, photos, registry
    from course_utils.joint import contrastive, data
    from course_utils.search import ann, media, store
    from course_utils.similarity import cosine_similarity, cosine_similarity_matrix, top_k
    from course_utils.validation import audio_as_float, check_audio, check_sample_rate
    from course_utils.video import clips, frames, reader, writer
    from course_utils.video.embeddings import embed_frames, temporal_embedding, video_embedding
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
        Case(registry.is_available, lambda: dict(name="efficientnet_lite0")),
        Case(registry.pick_device, lambda: dict(preference="cpu")),
        Case(sounds.instrument_gallery, lambda: dict(sr=8000, seed=0)),
        Case(sounds.phrase, lambda: dict(tone=sounds.clarinet_tone, notes=[("C4", 0.25)], tempo_bpm=150.0, sr=8000,
                                         transpose=0),
             ok={("transpose", "-1")}),
        Case(playback.listen, lambda: dict(clips={"tone": tone}, sr=22050)),
        Case(receptive_field.gradient_receptive_field, lambda: dict(fn=nn.Conv2d(1, 1, 3), image_size=5, channels=1)),
        Case(contrastive.train_model, lambda: dict(build=lambda: nn.Linear(2, 1), batch_loss=_linear_loss, steps=2,
                                                   lr=0.01, seed=0)),
        Case(contrastive.prompt_embeddings, lambda: dict(templates=["a {}"], classes=["cat"], embed_text=_fake_text)),
        # the offline models, loaded once (module-scoped caches)
        Case(registry.load_image_encoder, lambda: dict(name="efficientnet_lite0", device="cpu", download=False)),
        Case(_encoder().embed, lambda: dict(images=_u8(8, 8, 3), batch_size=1)),
        Case(_encoder().embed_one, lambda: dict(image=_u8(8, 8, 3))),
        Case(_encoder().preprocess, lambda: dict(images=_u8(8, 8, 3))),
        Case(_encoder().embed_tensor, lambda: dict(x=torch.zeros(1, 3, 32, 32))),
        Case(_encoder().classify, lambda: dict(images=_u8(8, 8, 3), top=1)),
        # resize=False: the frames' own 8 x 8 pixels go through the network, which keeps each call short
        Case(embed_frames, lambda: dict(frames=_u8(2, 8, 8, 3), encoder=_encoder(), batch_size=2, progress=False,
                                        resize=False)),
        Case(video_embedding, lambda: dict(frames_or_path=_u8(2, 8, 8, 3), encoder=_encoder(), num_frames=2,
                                           resize=False)),
        Case(learned.crepe_embedding, lambda: dict(y=tone, sr=16000, hop_s=0.01)),
        Case(learned.crepe_pitch, lambda: dict(y=tone, sr=16000)),
        Case(sound_effects.aisfx_embedding, lambda: dict(y=tone, sr=22050, peak_normalise=True)),
        Case(sound_effects.load_aisfx, lambda: dict(checkpoint=_aisfx_checkpoint())),
        # media on disk, made in a temporary folder
        Case(reader.probe_video, lambda: dict(path=_mp4())),
        Case(reader.sample_frames, lambda: dict(path=_mp4(), num_frames=2, method="seek")),
        Case(writer.write_video, lambda: dict(path=Path(_tmp().name) / "out.mp4", frames=_u8(2, 16, 16, 3),
                                              fps=4, codec="mpeg4", gop_size=2)),
        # the exercise checks: a learner's answer (a function or a value) in, a CheckResult out
        Case(audio.check_loudness_invariant_mfcc, lambda: dict(fn=lambda y, sr: mfcc.mfcc_embedding(y, sr), sr=8000)),
        Case(audio.check_instrument_identifier, lambda: dict(identify=lambda y, sr: "flute", sr=8000)),
        Case(images.check_nearest_neighbour,
             lambda: dict(lookup=lambda image: "grey", originals={"grey": Image.new("RGB", (8, 8), "grey")})),
        Case(images.check_hardest_edit,
             lambda: dict(answer="grey", similarity=np.eye(3), labels=["p", "p (grey)", "p (rotate)"],
                          encoder=_ColourEncoder(), originals={"p": Image.new("RGB", (8, 8), "red")})),
        Case(joint.check_multi_positive_loss, lambda: dict(fn=lambda a, b, labels, t: torch.tensor(0.0))),
        Case(joint.check_prompt_set,
             lambda: dict(prompts={c: [f"a {c} shape"] for c in joint.CATALOGUE_COLOURS},
                          embed_pictures=lambda x: np.ones((len(x), 2)), embed_text=_fake_text, target=0.8)),
        Case(learning.check_training_step, lambda: dict(fn=lambda model, optimiser, images, labels: 0.0)),
        Case(learning.check_pixel_shuffle, lambda: dict(fn=lambda images, seed: images.copy())),
        Case(video.check_stable_frame_count,
             lambda: dict(k=1, frames=_u8(2, 8, 8, 3), encoder=_ColourEncoder(), threshold=0.995)),
        Case(video.check_scene_cut, lambda: dict(find_cut=lambda frames: 1, seed=0)),
        Case(visual_models.check_edge_kernel, lambda: dict(kernel=np.ones((3, 3)), direction="horizontal")),
        Case(visual_models.check_patchify, lambda: dict(fn=vit.patchify)),
        Case(visual_models.check_conv_depth, lambda: dict(n_layers=2, target=5, kernel=3, stride=1)),
        # 5.8 and course search: small collections, a tiny index, a file made on disk
        Case(ann.unit_rows, lambda: dict(vectors=np.eye(3))),
        Case(ann.isotropic_vectors, lambda: dict(n=4, dim=3, seed=0)),
        Case(ann.clustered_vectors, lambda: dict(n=4, dim=3, n_clusters=2, spread=1.0, seed=0)),
        Case(ann.real_like_vectors, lambda: dict(reference=_vectors(20, 3), n=4, seed=0)),
        Case(ann.load_glove, lambda: dict(n=10)),
        Case(ann.exact_search, lambda: dict(data=_vectors(20, 4), queries=_vectors(2, 4, seed=1), k=3)),
        Case(ann.recall_at_k, lambda: dict(found=np.array([[0, 1]]), truth=np.array([[1, 2]]))),
        Case(ann.queries_per_second, lambda: dict(index=_hnsw(), queries=_vectors(2, 4, seed=1), k=2, repeats=1)),
        Case(ann.index_bytes, lambda: dict(index=_hnsw())),
        Case(ann.build_hnsw, lambda: dict(data=_vectors(20, 4), m=4, ef_construction=8)),
        Case(ann.build_ivf, lambda: dict(data=_vectors(300, 4), nlist=2, seed=0, pq_bytes=2)),
        Case(search.check_ef_search, lambda: dict(index=_hnsw(), collection=_vectors(400, 4), ef_search=16)),
        Case(search.check_duplicate_threshold, lambda: dict(threshold=0.5, embed_images=_ColourEncoder().embed)),
        Case(media.detect_modality, lambda: dict(path=_png()), ok={("path", "string")}),
        Case(store.SearchIndex, lambda: dict(db=Path(_tmp().name) / "db", create=True), ok={("db", "string")}),
    ]


def _vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _hnsw():
    from course_utils.search import ann

    return ann.build_hnsw(_vectors(400, 4), m=4)


#: Public lesson callables the table does not call, and why.
NOT_COVERED = {
    # need a network download (the Hugging Face hub, librosa's trumpet)
    "load_hub_audio_model", "hub_audio_embedding", "prefetch_trumpet",
    # take no argument
    "load_crepe", "EfficientNetLite0", "lite0_checkpoint", "load_pretrained_lite0", "book_trumpet_path",
    "all_scenes", "all_sounds", "book_clips", "photo_names", "list_image_encoders", "offline_mode",
    "torch_hub_checkpoints_dir", "trumpet_available", "clear_cache", "asset_rows", "quiet_librosa_effects",
    "one_thread",
    # records filled in by the course's own code
    "AssetStatus", "CheckResult", "ImageModelSpec", "ReceptiveField", "VideoInfo", "Scene", "Sound",
    # helpers the exercise checks call with values they made themselves
    "raised", "answer_problem", "run_answer", "number", "cos",
    # the key results a chapter reports, filled in by its notebook (NaN refused: tests/test_key_results.py)
    "KeyResult", "format_table", "show_results", "show_key_results",
    # course search's own parts, reached only through SearchIndex and the CLI (tests/test_search_cli.py):
    # a lock (a context manager), the vector stores, records, and the encoders it builds for itself
    "index_lock", "FaissBackend", "QdrantBackend", "Embedder", "Hit", "IndexSummary", "course_embedders",
}


def _says(message: str, param: str, bad: object) -> bool:
    return bool(re.search(rf"\b{re.escape(param)}\b", message)) or "got" in message or repr(bad) in message


def _outcome(fn: Callable, kwargs: dict, param: str, bad: object) -> tuple[str, str]:
    try:
        result = fn(**kwargs)
    except Exception as exc:  # noqa: BLE001 - classifying every error is the point
        last = traceback.extract_tb(exc.__traceback__)[-1].filename
        inside = f"{Path(course_utils.__file__).parent}" in last
        message = str(exc)
        # a path that does not exist is rightly a FileNotFoundError (an OSError) naming it
        if isinstance(exc, (TypeError, ValueError, CourseError, OSError)) and inside and _says(message, param, bad):
            return "clear", ""
        return "raw", f"{type(exc).__name__}: {message[:120]} ({Path(last).name})"
    # an exercise check answers a bad answer with a failed result, which must say what it got
    if isinstance(result, CheckResult) and not result.passed:
        return ("clear", "") if _says(result.message, param, bad) else ("raw", f"CheckResult: {result.message[:120]}")
    return "silent", ""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    rows = []
    # a bad value may be a valid relative path ("x"): anything it creates lands in a temporary folder
    with contextlib.chdir(tmp_path_factory.mktemp("cwd")):
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
        if ".tooling" in info.name or info.name.endswith(("figures", ".errors", ".validation")):
            continue
        module = importlib.import_module(info.name)
        public = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in public:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == info.name:
                names.add(name)
    return names


def test_every_public_lesson_callable_is_covered_or_listed():
    covered = {case.fn.__qualname__.split(".")[0] for case in _cases()}   # a method covers its class
    missing = _public_lesson_callables() - covered - NOT_COVERED
    print(f"covered {len(covered)} public lesson callables; not covered: {len(NOT_COVERED)}")
    assert not missing, f"add these to the common-input table or to NOT_COVERED: {sorted(missing)}"
