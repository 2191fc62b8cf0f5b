"""The contrastive-learning helpers of chapter 5.6: the loss against a hand computation, the retrieval
metrics on matrices worked out by hand, seeded training that repeats itself, and the figures."""

import math

import matplotlib
import numpy as np
import pytest
import torch

from course_utils.joint.contrastive import (
    prompt_embeddings,
    recall_at_k,
    symmetric_info_nce,
    train_model,
    zero_shot_accuracy,
)
from course_utils.joint.figures import plot_loss_curves, plot_similarity_matrices

matplotlib.use("Agg")


def hand_info_nce(a, b, t):
    """The symmetric InfoNCE written out with Python floats: -log softmax of the diagonal, rows and columns."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    n = len(a)
    s = [[sum(a[i][k] * b[j][k] for k in range(a.shape[1])) / t for j in range(n)] for i in range(n)]
    rows = cols = 0.0
    for i in range(n):
        m = max(s[i])
        rows += -(s[i][i] - m - math.log(sum(math.exp(x - m) for x in s[i])))
        col = [s[j][i] for j in range(n)]
        m = max(col)
        cols += -(s[i][i] - m - math.log(sum(math.exp(x - m) for x in col)))
    return (rows / n + cols / n) / 2


def unit(n, d, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.nn.functional.normalize(torch.randn(n, d, generator=g), dim=-1)


# ----------------------------------------------------------------------------- the loss

@pytest.mark.parametrize("n, d, t", [(5, 3, 0.1), (8, 16, 0.07), (3, 2, 2.0)])
def test_info_nce_matches_a_direct_computation(n, d, t):
    a, b = unit(n, d, 1), unit(n, d, 2)
    assert float(symmetric_info_nce(a, b, t)) == pytest.approx(hand_info_nce(a, b, t), rel=1e-5)


def test_info_nce_of_the_identity_at_temperature_one_is_log_of_one_plus_two_over_e():
    # three orthogonal pairs: each row's softmax gives the match e / (e + 2)
    assert float(symmetric_info_nce(torch.eye(3), torch.eye(3), 1.0)) == pytest.approx(math.log(1 + 2 / math.e))


def test_info_nce_is_symmetric_in_its_two_sides():
    a, b = unit(6, 4, 3), unit(6, 4, 4)
    assert float(symmetric_info_nce(a, b, 0.2)) == pytest.approx(float(symmetric_info_nce(b, a, 0.2)), rel=1e-6)


def test_info_nce_counts_both_directions():
    a, b = unit(6, 4, 5), unit(6, 4, 6)
    one_way = float(torch.nn.functional.cross_entropy(a @ b.T / 0.1, torch.arange(6)))
    assert abs(float(symmetric_info_nce(a, b, 0.1)) - one_way) > 1e-3


def test_a_single_pair_costs_nothing():
    a = unit(1, 8, 7)
    assert float(symmetric_info_nce(a, unit(1, 8, 8), 0.07)) == pytest.approx(0.0, abs=1e-7)


def test_info_nce_stays_finite_for_huge_logits():
    a, b = unit(6, 5, 9), unit(6, 5, 10)
    loss = float(symmetric_info_nce(a, b, 1e-4))          # logits up to ±10 000
    assert math.isfinite(loss)
    assert loss == pytest.approx(hand_info_nce(a, b, 1e-4), rel=1e-5)


def test_lower_loss_when_pairs_match():
    a = unit(16, 8, 11)
    assert float(symmetric_info_nce(a, a, 0.07)) < float(symmetric_info_nce(a, unit(16, 8, 12), 0.07))


@pytest.mark.parametrize("a, b, t, error", [
    (torch.ones(3, 2), torch.ones(4, 2), 0.1, ValueError),
    (torch.ones(3), torch.ones(3), 0.1, ValueError),
    (torch.ones(3, 2), torch.ones(3, 2), 0.0, ValueError),
    (torch.ones(3, 2), torch.ones(3, 2), -1.0, ValueError),
    (np.ones((3, 2)), np.ones((3, 2)), 0.1, TypeError),
])
def test_info_nce_rejects_bad_inputs(a, b, t, error):
    with pytest.raises(error):
        symmetric_info_nce(a, b, t)


# ----------------------------------------------------------------------------- metrics

def test_recall_at_k_on_a_matrix_worked_out_by_hand():
    s = np.array([[0.9, 0.1, 0.0],     # query 0: its item first
                  [0.8, 0.5, 0.1],     # query 1: its item second
                  [0.7, 0.6, 0.2]])    # query 2: its item third
    assert recall_at_k(s, 1) == pytest.approx(1 / 3)
    assert recall_at_k(s, 2) == pytest.approx(2 / 3)
    assert recall_at_k(s, 3) == pytest.approx(1.0)
    assert recall_at_k(s, 10) == pytest.approx(1.0)


def test_recall_counts_a_tie_as_a_coin_flip():
    s = np.array([[0.5, 0.5, 0.5],     # three-way tie: a hit at k=1 one time in three
                  [0.0, 1.0, 0.0],
                  [0.0, 0.0, 1.0]])
    assert recall_at_k(s, 1) == pytest.approx((1 / 3 + 1 + 1) / 3)
    assert recall_at_k(s, 2) == pytest.approx((2 / 3 + 1 + 1) / 3)


def test_identical_items_score_chance():
    s = np.ones((8, 8))
    assert recall_at_k(s, 1) == pytest.approx(1 / 8)
    assert recall_at_k(s, 5) == pytest.approx(5 / 8)


def test_extra_gallery_items_are_distractors_for_every_query():
    s = np.array([[0.5, 0.1, 0.9, 0.2],    # query 0: one distractor (column 2) above its item
                  [0.1, 0.8, 0.3, 0.7]])   # query 1: its item first
    assert recall_at_k(s, 1) == pytest.approx(1 / 2)
    assert recall_at_k(s, 2) == pytest.approx(1.0)
    assert recall_at_k(np.ones((2, 8)), 1) == pytest.approx(1 / 8)   # chance is k / M, not k / N


def test_recall_rejects_fewer_items_than_queries_or_nan_scores():
    with pytest.raises(ValueError, match="M >= N"):
        recall_at_k(np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        recall_at_k(np.array([[np.nan, 0.0], [0.0, 1.0]]))
    with pytest.raises(ValueError):
        recall_at_k(np.eye(2), k=0)


def test_zero_shot_accuracy_by_hand():
    items = np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7], [0.6, 0.8]])
    classes = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert zero_shot_accuracy(items, classes, [0, 1, 0, 1]) == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    assert zero_shot_accuracy(items, classes, [1, 0, 1, 0]) == pytest.approx((0 + 0 + 0.5 + 0) / 4)


def test_zero_shot_accuracy_rejects_bad_labels():
    with pytest.raises(ValueError, match="labels"):
        zero_shot_accuracy(np.eye(2), np.eye(2), [0, 2])
    with pytest.raises(ValueError, match="same D"):
        zero_shot_accuracy(np.eye(2), np.eye(3), [0, 1])


def test_prompt_embeddings_average_each_class_then_scale_to_unit_length():
    table = {"a cat": [1.0, 0.0], "the cat": [0.0, 1.0], "a dog": [3.0, 0.0], "the dog": [3.0, 0.0]}
    vectors = prompt_embeddings(["a {}", "the {}"], ["cat", "dog"], lambda texts: np.array([table[t] for t in texts]))
    np.testing.assert_allclose(vectors, [[2 ** -0.5, 2 ** -0.5], [1.0, 0.0]])
    with pytest.raises(ValueError, match="one"):
        prompt_embeddings(["a cat"], ["cat"], lambda texts: np.ones((len(texts), 2)))


# ----------------------------------------------------------------------------- training

def tiny_task():
    """Two towers that must align 12 random vectors with 12 one-hot 'captions'."""
    x = unit(12, 6, 20)

    class Towers(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(6, 4)
            self.b = torch.nn.Embedding(12, 4)

    def batch_loss(model, rng):
        i = torch.from_numpy(rng.choice(12, size=6, replace=False))
        norm = torch.nn.functional.normalize
        return symmetric_info_nce(norm(model.a(x[i]), dim=-1), norm(model.b(i), dim=-1), 0.1)

    return Towers, batch_loss


def test_training_with_the_same_seed_repeats_exactly():
    build, batch_loss = tiny_task()
    first, losses_1 = train_model(build, batch_loss, steps=30, lr=0.05, seed=3)
    second, losses_2 = train_model(build, batch_loss, steps=30, lr=0.05, seed=3)
    assert losses_1 == losses_2
    for p, q in zip(first.parameters(), second.parameters()):
        assert torch.equal(p, q)
    _, other = train_model(build, batch_loss, steps=30, lr=0.05, seed=4)
    assert other != losses_1


def test_training_lowers_the_loss_and_zero_steps_keeps_the_initial_weights():
    build, batch_loss = tiny_task()
    model, losses = train_model(build, batch_loss, steps=150, lr=0.05, seed=0)
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
    untrained, none = train_model(build, batch_loss, steps=0, seed=0)
    torch.manual_seed(0)
    fresh = build()
    assert none == [] and all(torch.equal(p, q) for p, q in zip(untrained.parameters(), fresh.parameters()))
    assert not model.training


def test_training_restores_the_thread_count():
    build, batch_loss = tiny_task()
    before = torch.get_num_threads()
    train_model(build, batch_loss, steps=2, seed=0)
    assert torch.get_num_threads() == before


def test_training_rejects_bad_arguments():
    build, batch_loss = tiny_task()
    with pytest.raises(TypeError):
        train_model(build, batch_loss, steps=2.5)
    with pytest.raises(ValueError):
        train_model(build, batch_loss, steps=2, lr=0)
    with pytest.raises(TypeError, match="Module"):
        train_model(lambda: "model", batch_loss, steps=1)


# ----------------------------------------------------------------------------- issue 15, defects 3, 5 and 8

@pytest.mark.parametrize("spoil", ["nan", "inf"])
def test_info_nce_refuses_non_finite_embeddings(spoil):
    a, b = unit(4, 3, 0), unit(4, 3, 1)
    a[2, 1] = float(spoil)
    with pytest.raises(ValueError, match=r"^a contains NaN or infinite values \(first at flat index 7 of 12\)"):
        symmetric_info_nce(a, b)


@pytest.mark.parametrize("scale, t", [(1.0, 1e-40), (1e20, 0.07)])
def test_info_nce_refuses_similarities_that_overflow_instead_of_returning_nan(scale, t):
    a, b = unit(4, 3, 0) * scale, unit(4, 3, 1) * scale
    with pytest.raises(ValueError, match="overflow to infinity; scale the embeddings to unit length"):
        symmetric_info_nce(a, b, temperature=t)


def test_training_stops_at_the_first_non_finite_loss_and_names_the_step():
    build, batch_loss = tiny_task()
    calls = []

    def counted(model, rng):
        calls.append(1)
        return batch_loss(model, rng) if len(calls) < 4 else torch.tensor(float("nan"), requires_grad=True)

    with pytest.raises(ValueError, match=r"training diverged: the loss of step 4 of 50 is nan"):
        train_model(build, counted, steps=50, lr=0.05)
    assert len(calls) == 4                              # nothing ran after the bad step


def test_training_with_a_huge_learning_rate_raises_instead_of_returning_nan_weights():
    def build():
        return torch.nn.Linear(2, 1)

    def loss(model, rng):
        return model(torch.ones(1, 2)).pow(2).sum() * 1e30

    with pytest.raises(ValueError, match=r"training diverged: .*step \d+.*lr=1e\+10"):
        train_model(build, loss, steps=20, lr=1e10)


def test_training_leaves_the_callers_random_state_alone_and_builds_the_seeded_model():
    build, batch_loss = tiny_task()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    model, losses = train_model(build, batch_loss, steps=5, lr=0.05, seed=3)
    assert torch.equal(torch.get_rng_state(), state)
    # the same run written out by hand: seed, build, Adam on one thread; the weights agree bit for bit
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(3)
        by_hand = build()
        rng = np.random.default_rng(3)
        optimiser = torch.optim.Adam(by_hand.parameters(), lr=0.05)
        hand_losses = []
        for _ in range(5):
            loss = batch_loss(by_hand, rng)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            hand_losses.append(float(loss.detach()))
    finally:
        torch.set_num_threads(threads)
    assert losses == hand_losses
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), by_hand.parameters()))


def test_prompt_embeddings_refuse_a_bare_string_of_classes():
    with pytest.raises(TypeError, match="expected classes as a list of strings, got the bare string 'cat'"):
        prompt_embeddings(["a {}"], "cat", lambda texts: np.ones((len(texts), 2)))


@pytest.mark.parametrize("row, problem", [([np.nan, 1.0], r"embed_text\(the prompts of 'dog'\) contains NaN or infinite"),
                                          ([0.0, 0.0], "rows for the prompts of 'dog', got an all-zero row")])
def test_prompt_embeddings_refuse_nan_or_zero_text_embeddings(row, problem):
    table = {"a cat": [1.0, 0.0], "a dog": row}
    with pytest.raises(ValueError, match=problem):
        prompt_embeddings(["a {}"], ["cat", "dog"], lambda texts: np.array([table[t] for t in texts]))


# ----------------------------------------------------------------------------- figures

def test_similarity_heatmaps_share_one_colour_scale_and_fit_the_page():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    fig = plot_similarity_matrices({"before": rng.uniform(-0.2, 0.2, (4, 4)), "after": np.eye(4)},
                                   ["a", "b", "c", "d"])
    limits = {im.get_clim() for ax in fig.axes for im in ax.get_images()}
    assert limits == {(-1.0, 1.0)}
    assert fig.get_size_inches()[0] <= 8 and fig.dpi <= 100
    assert any(ax.get_label() == "<colorbar>" and ax.get_ylabel() == "cosine similarity" for ax in fig.axes)
    plt.close(fig)
    with pytest.raises(ValueError):
        plot_similarity_matrices({"x": np.eye(3)}, ["a", "b"])


def test_similarity_heatmaps_saved_as_inline_stay_within_800_px():
    # Jupyter's inline backend saves with bbox_inches="tight", which adds 0.1 in of padding on each side:
    # an 8-inch figure came back 810 px wide in chapter 5.6.
    import io

    import matplotlib.pyplot as plt

    labels = [f"a {size} {shape} that is {colour}" for shape, colour in
              [("circle", "yellow"), ("square", "red"), ("triangle", "green"), ("star", "blue")]
              for size in ("small", "large")]
    fig = plot_similarity_matrices({"before training": np.zeros((8, 8)), "after training": np.eye(8)}, labels,
                                   title="8 held-out pictures × their captions: the diagonal emerges")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    width = int.from_bytes(buffer.getvalue()[16:20], "big")
    assert width <= 800


def test_loss_curve_shows_the_guessing_level():
    import matplotlib.pyplot as plt

    fig = plot_loss_curves({"loss": np.linspace(5, 1, 100)}, guessing={"loss": math.log(64)})
    ax = fig.axes[0]
    assert any(np.allclose(line.get_ydata(), math.log(64)) for line in ax.get_lines())
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    plt.close(fig)
    with pytest.raises(ValueError):
        plot_loss_curves({"loss": [1.0]})


def test_loss_curve_starts_at_step_1_with_the_first_loss_unsmoothed():
    # A moving average would start at step 20 and hide the first steps, where the loss sits above guessing.
    import matplotlib.pyplot as plt

    losses = [9.0, 8.0] + [2.0] * 98
    fig = plot_loss_curves({"loss": losses})
    x, y = fig.axes[0].get_lines()[0].get_data()
    assert x[0] == 1 and y[0] == 9.0 and len(y) == 100
    plt.close(fig)
