"""The exercise checks of chapter 5.6 accept correct answers and explain the typical wrong ones.

The prompt check is given a tiny hand-made joint space instead of the trained model: a picture is
embedded as its shape's mean colour, a caption as the mean of its colour words' RGB values, so the
check's logic is tested without Lite0 or training.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.exercises import check_multi_positive_loss, check_prompt_set
from course_utils.exercises import joint as joint_checks

RGB = {"red": (1.0, 0.0, 0.0), "green": (0.0, 1.0, 0.0), "blue": (0.0, 0.0, 1.0), "yellow": (1.0, 1.0, 0.0)}


def correct(a, b, labels, t):
    # -log of the summed softmax probability of every right answer, written with explicit loops
    s = (a @ b.T / t).double()
    total = 0.0
    for logits in (s, s.T):
        for i in range(len(labels)):
            right = [j for j in range(len(labels)) if labels[j] == labels[i]]
            total += -(torch.logsumexp(logits[i, right], 0) - torch.logsumexp(logits[i], 0))
    return total / (2 * len(labels))


def single_positive(a, b, labels, t):   # the chapter's info_nce: duplicates count as wrong answers
    logits = a @ b.T / t
    y = torch.arange(len(a))
    return (F.cross_entropy(logits, y) + F.cross_entropy(logits.T, y)) / 2


def test_a_correct_loss_passes():
    result = check_multi_positive_loss(correct)
    assert result.passed, result.message


def test_the_single_positive_info_nce_fails_and_is_named():
    # right on the batch without duplicates, wrong wherever a caption is true of two pictures
    result = check_multi_positive_loss(single_positive)
    assert not result.passed and "single-positive" in result.message


def test_averaging_the_positives_log_probabilities_is_named():
    def mean_of_logs(a, b, labels, t):
        s = a @ b.T / t
        right = (labels[:, None] == labels[None, :]).float()
        rows = -(torch.log_softmax(s, 1) * right).sum(1) / right.sum(1)
        cols = -(torch.log_softmax(s.T, 1) * right).sum(1) / right.sum(1)
        return (rows.mean() + cols.mean()) / 2

    result = check_multi_positive_loss(mean_of_logs)
    assert not result.passed and "summed probability" in result.message


def test_one_direction_only_is_named():
    def rows_only(a, b, labels, t):
        s = a @ b.T / t
        right = labels[:, None] == labels[None, :]
        return (torch.logsumexp(s, 1) - torch.logsumexp(s.masked_fill(~right, -torch.inf), 1)).mean()

    result = check_multi_positive_loss(rows_only)
    assert not result.passed and "one direction" in result.message


def test_adding_instead_of_averaging_and_forgetting_the_temperature_are_named():
    assert "twice" in check_multi_positive_loss(lambda a, b, y, t: 2 * correct(a, b, y, t)).message
    assert "temperature" in check_multi_positive_loss(lambda a, b, y, t: correct(a, b, y, 1.0)).message


def test_a_naive_softmax_that_overflows_is_caught():
    def naive(a, b, labels, t):
        e = torch.exp(a @ b.T / t)
        right = labels[:, None] == labels[None, :]
        rows = -torch.log((e * right).sum(1) / e.sum(1)).mean()
        cols = -torch.log((e.T * right).sum(1) / e.sum(0)).mean()
        return (rows + cols) / 2

    result = check_multi_positive_loss(naive)
    assert not result.passed and "overflow" in result.message


def test_a_loss_that_raises_or_returns_a_vector_is_explained():
    assert "raised" in check_multi_positive_loss(lambda a, b, y, t: 1 / 0).message
    assert "one number" in check_multi_positive_loss(lambda a, b, y, t: (a * b).sum(dim=1)).message


def embed_pictures(pictures):
    out = []
    for p in np.asarray(pictures, dtype=float) / 255:
        saturated = p.max(axis=2) - p.min(axis=2) > 0.25
        out.append(p[saturated].mean(axis=0))
    out = np.array(out)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def embed_text(texts):
    out = []
    for t in texts:
        known = [RGB[w] for w in t.split() if w in RGB]
        out.append(np.mean(known, axis=0) if known else np.zeros(3))
    out = np.array(out)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def test_prompts_in_the_models_words_pass():
    prompts = {"crimson": ["a red shape"], "emerald": ["green"], "navy": ["a blue one", "blue"], "gold": ["yellow"]}
    result = check_prompt_set(prompts, embed_pictures, embed_text)
    assert result.passed, result.message
    assert "0.25" in result.message                # the bare labels are at chance, and the message says so


def test_prompts_the_model_cannot_read_are_explained():
    prompts = {label: [f"a photo of a {label}"] for label in ["crimson", "emerald", "navy", "gold"]}
    result = check_prompt_set(prompts, embed_pictures, embed_text)
    assert not result.passed and "same vector" in result.message


def test_wrong_colours_fail_with_the_accuracy():
    prompts = {"crimson": ["blue"], "emerald": ["red"], "navy": ["yellow"], "gold": ["green"]}
    result = check_prompt_set(prompts, embed_pictures, embed_text)
    assert not result.passed and "0.00" in result.message


def test_missing_labels_or_bad_prompt_lists_are_explained():
    assert "one entry per catalogue label" in check_prompt_set({"crimson": ["red"]}, embed_pictures, embed_text).message
    bad = {"crimson": "red", "emerald": ["green"], "navy": ["blue"], "gold": ["yellow"]}
    assert "list of prompt strings" in check_prompt_set(bad, embed_pictures, embed_text).message


# ---------------------------------------------------------------- issue 15, defects 5 and 9

GOOD_PROMPTS = {"crimson": ["red"], "emerald": ["green"], "navy": ["blue"], "gold": ["yellow"]}


@pytest.mark.parametrize("target, error", [(-1, ValueError), (0, ValueError), (1.5, ValueError), ("0.8", TypeError)])
def test_prompt_check_refuses_a_target_outside_zero_to_one(target, error):
    with pytest.raises(error, match="target"):
        check_prompt_set(GOOD_PROMPTS, embed_pictures, embed_text, target=target)


def forever(*args):
    while True:
        pass


def test_a_loss_that_never_returns_is_stopped(monkeypatch):
    monkeypatch.setattr(joint_checks, "LOSS_SECONDS", 0.5)
    result = check_multi_positive_loss(forever)
    assert not result.passed and "ran for more than 0.5 s and was stopped" in result.message


def test_embedding_functions_that_never_return_are_stopped(monkeypatch):
    monkeypatch.setattr(joint_checks, "EMBEDDING_SECONDS", 0.5)
    result = check_prompt_set(GOOD_PROMPTS, embed_pictures, forever)
    assert not result.passed and "embedding functions ran for more than 0.5 s" in result.message


def test_a_loss_that_swallows_every_exception_is_still_stopped(monkeypatch):
    monkeypatch.setattr(joint_checks, "LOSS_SECONDS", 0.5)

    def stubborn(a, b, labels, t):
        while True:
            try:
                while True:
                    pass
            except Exception:
                pass

    assert "was stopped" in check_multi_positive_loss(stubborn).message
