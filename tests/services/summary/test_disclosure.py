"""The disclosure layer's mechanism: calibrated discrete Laplace noise, its privacy loss, and how cells read."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from feedback.services.summary import disclosure
from feedback.services.summary.disclosure import AFFILIATION, GROUP, STATUS, THEME, Cell, Mechanism

DRAWS = 20_000


def test_one_release_spends_what_opendp_computes_for_four_histograms():
    assert Mechanism(scale=1.5, theme_cap=3).epsilon() == pytest.approx((2 + 1 + 3 + 1) / 1.5)
    assert Mechanism(scale=2.0, theme_cap=1).epsilon() == pytest.approx((2 + 1 + 1 + 1) / 2.0)


def test_the_theme_cap_is_the_theme_histograms_sensitivity():
    mechanism = Mechanism(scale=1.0, theme_cap=4)
    assert [mechanism.sensitivity(kind) for kind in (STATUS, AFFILIATION, THEME, GROUP)] == [2, 1, 4, 1]


def test_noise_is_added_to_every_cell_independently_and_no_cell_is_left_exact():
    exact = {STATUS: {f"s{i}": 10 for i in range(100)}, THEME: {f"t{i}": 0 for i in range(100)}}
    released = Mechanism(scale=1.5, theme_cap=3).noisy(exact)
    assert set(released[STATUS]) == set(exact[STATUS]) and set(released[THEME]) == set(exact[THEME])
    moved = [released[STATUS][key] != 10 for key in exact[STATUS]]
    # P(noise = 0) is about 0.32 per cell: 100 cells all exact has probability about 1e-50.
    assert 40 < sum(moved) < 95
    assert any(value < 0 for value in released[THEME].values())  # noise is not clipped: zeros go both ways


def test_the_noise_follows_the_stated_distribution():
    """Draws of one cell: zero mean, and P(|noise| <= 3) as disclosure.within says (well within 5 sigma)."""
    mechanism = Mechanism(scale=1.5, theme_cap=3)
    draws = mechanism.noisy({AFFILIATION: {str(i): 20 for i in range(DRAWS)}})[AFFILIATION].values()
    noise = [value - 20 for value in draws]
    assert abs(sum(noise) / DRAWS) < 5 * math.sqrt(4.4 / DRAWS)
    expected = disclosure.within(1.5, 3)
    observed = sum(abs(n) <= 3 for n in noise) / DRAWS
    assert abs(observed - expected) < 5 * math.sqrt(expected * (1 - expected) / DRAWS)


def test_neighbouring_counts_are_indistinguishable_within_e_to_the_epsilon():
    """The guarantee, observed: a count of 1 and of 2 give every output with likelihoods within e^(1/b)."""
    mechanism = Mechanism(scale=1.5, theme_cap=3)
    draws = 2 * DRAWS
    one = Counter(mechanism.noisy({GROUP: {str(i): 1 for i in range(draws)}})[GROUP].values())
    two = Counter(mechanism.noisy({GROUP: {str(i): 2 for i in range(draws)}})[GROUP].values())
    bound = math.exp(1 / 1.5)
    for output in range(-1, 5):  # outputs seen often enough (thousands of times) to be 7 sigma from the margin
        ratio = one[output] / two[output]
        assert 1 / (bound * 1.25) < ratio < bound * 1.25, (output, one[output], two[output])


def test_tail_bound_is_the_smallest_t_with_that_tail():
    t = disclosure.tail_bound(1.5, 1e-9)
    assert 1 - disclosure.within(1.5, t) <= 1e-9 < 1 - disclosure.within(1.5, t - 1)


@pytest.mark.parametrize(("value", "text"), [(None, "not released yet"), (-2, "fewer than 5"), (4, "fewer than 5"),
                                             (5, "about 5"), (87, "about 87")])
def test_a_cell_reads_about_n_or_fewer_than_k(value, text):
    assert disclosure.cell_text(Cell(value, 5)) == text


def test_shares_changes_and_totals_come_from_released_numbers_only():
    assert disclosure.share(Cell(10, 5), Cell(40, 5)) == 0.25
    assert disclosure.share(Cell(4, 5), Cell(40, 5)) is None
    assert disclosure.change(Cell(12, 5), Cell(9, 5)) == 3 and disclosure.change(Cell(12, 5), Cell(3, 5)) is None
    assert disclosure.total([Cell(3, 5), Cell(None, 5), Cell(4, 5)], 5) == Cell(7, 5)
    assert disclosure.total([Cell(None, 5)], 5) == Cell(None, 5)


def test_one_histogram_spends_sensitivity_over_scale_and_keeps_its_cells():
    mechanism = Mechanism(scale=2.0, theme_cap=3)
    assert mechanism.histogram_epsilon() == pytest.approx(0.5) and mechanism.histogram_epsilon(3) == pytest.approx(1.5)
    released = mechanism.noisy_histogram({"a": 40, "b": 0})
    assert set(released) == {"a", "b"} and all(isinstance(v, int) for v in released.values())
    assert mechanism.noisy_histogram({}) == {}
