"""The exercise checks of chapter 5.4b pass a right answer and name what is wrong in each common wrong one."""

import numpy as np
import pytest
import torch.nn.functional as F

from course_utils.exercises import check_pixel_shuffle, check_training_step


def right_step(model, optimiser, images, labels):
    loss = F.cross_entropy(model(images), labels)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


def no_zero_grad(model, optimiser, images, labels):
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimiser.step()
    return loss.item()


def no_step(model, optimiser, images, labels):
    loss = F.cross_entropy(model(images), labels)
    optimiser.zero_grad()
    loss.backward()
    return loss.item()


def loss_after_update(model, optimiser, images, labels):
    right_step(model, optimiser, images, labels)
    return F.cross_entropy(model(images), labels).item()


def test_the_right_training_step_passes():
    assert check_training_step(right_step).passed


@pytest.mark.parametrize("answer,hint", [(no_zero_grad, "zero_grad"), (no_step, "optimiser.step()"),
                                         (loss_after_update, "before the update"),
                                         (lambda *args: None, "return loss.item()"),
                                         (lambda *args: 1 / 0, "ZeroDivisionError")])
def test_a_wrong_training_step_fails_with_its_hint(answer, hint):
    result = check_training_step(answer)
    assert not result.passed and hint in result.message


def test_one_permutation_from_the_seed_passes():
    assert check_pixel_shuffle(lambda x, seed: x[:, np.random.default_rng(seed).permutation(x.shape[1])]).passed


def shuffle_in_place(x, seed):
    np.random.default_rng(seed).shuffle(x.T)
    return x


@pytest.mark.parametrize("answer,hint", [
    (lambda x, seed: x, "stay where they were"),
    (lambda x, seed: np.stack([r[np.random.default_rng(seed + i).permutation(64)] for i, r in enumerate(x)]),
     "not all shuffled the same way"),
    (lambda x, seed: x[:, np.random.default_rng(0).permutation(64)], "come from the seed"),
    (shuffle_in_place, "changed the images passed in"),
    (lambda x, seed: x[:, :32], "expected an array shaped"),
    (lambda x, seed: np.clip(x[:, ::-1] * 2, 0, 1), "lost or changed pixel values"),
])
def test_a_wrong_shuffle_fails_with_its_hint(answer, hint):
    result = check_pixel_shuffle(answer)
    assert not result.passed and hint in result.message, result.message


def test_a_cyclic_shift_by_the_seed_fails():
    result = check_pixel_shuffle(lambda x, seed: np.roll(x, seed, axis=1))
    assert not result.passed and "side by side" in result.message, result.message
