"""The disclosure layer: every count anyone but facilitators and admins sees is a released, noisy count.

Method: differential privacy (pure epsilon-DP), released per town hall, as the US Census Bureau released
its 2020 counts. Rules of thumb (hide groups under k, then hide more cells so the hidden ones cannot be
worked out) were broken by a reader who solved the page's equations; the cell-key method (a fixed
perturbation per set of records) shows, between two releases, exactly which cells changed, which names
the group of the person who arrived or was hidden. Differential privacy composes: its guarantee holds
against any combination of everything released, across views, town halls and time.

The guarantee, precisely. Two states of a town hall are neighbours when one has a submission the other
lacks (whatever its text, status, affiliation, themes or group). A release is a randomised function of
the hall's submissions; it is epsilon-differentially private: for every set S of outputs and every pair
of neighbours D, D', P[release(D) in S] <= e^epsilon * P[release(D') in S].

A release of one town hall is four histograms, each given discrete Laplace noise of scale b (OpenDP's
make_laplace over integer vectors; OpenDP samples exactly, from the operating system's random source):

- statuses: received, and published, waiting for review, escalated, hidden by reason (a submission is
  in received and in one status: L1 sensitivity 2, epsilon 2/b);
- affiliations of the published, the configured ones and "Not given" (a published submission is in one
  at most: 1/b);
- themes of the published, each submission counting towards at most C of its themes (its first C by
  theme id: the contribution bound; sensitivity C, epsilon C/b);
- the sizes of near-duplicate groups whose representative is published (1 + published members; a
  member is in one group at most: 1/b). This protects each member; a group's representative is shown
  by its own quote, outside the guarantee (below), and with it leaves its group's cell.

So one release spends epsilon = (4 + C) / b, as OpenDP's privacy maps compute it (basic composition).
A town hall's releases together may spend at most its budget; every release is recorded with the
epsilon it spent and refused when it would go over. Town halls hold disjoint submissions, so releases
of different halls compose in parallel: the view of all town halls adds up each hall's latest release
and costs nothing more. By sequential composition, everything ever released about a town hall, in every
view and export and at every time, is (sum of its releases' epsilon)-differentially private.

Everything computed from released numbers is post-processing and costs nothing: "fewer than k" (a
released value under k: k is a reading aid here, not the protection), shares, changes, sums over town
halls, charts, and which quotes are shown (only under a theme whose released count is at least k,
ranked by released group size).

Defaults (feedback.config): b = 1.5, C = 3, so epsilon = 14/3 (about 4.67) per release and a budget of
14.0 (three releases). Each released count is within 3 of the truth 9 times in 10 (P[|noise| <= t] =
1 - 2 e^(-(t+1)/b) / (1 + e^(-1/b))), and a hidden group of 1 to k-1 cannot be pinned down: the noise
has no bound a reader could subtract.

Outside the guarantee, by design: the text of quotes (published, redacted text its writers submitted
to be read), that a quoted submission carries its theme, that a quoted group has published members
("raised by several people"), and that a quote shown yesterday is gone today (a quote is dropped as
soon as its submission is hidden or withdrawn, without waiting for a release: withdrawal wins). The
staff desk shows facilitators and admins exact counts.

The answers to "did this help?" about the action plan are released the same way, all actions at once:
one histogram of (action, answer) counts, one answer in one cell (sensitivity 1, epsilon 1/b per
release), within a budget of their own (feedback.services.actions.answers). The unit there is one
answer, not one person: a receipt answers once per action, but someone may answer several actions, or
the same action more than once from its page (only the rate limit bounds that).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import opendp.prelude as dp

from feedback.sentences import Sentence

dp.enable_features("contrib")

STATUS, AFFILIATION, THEME, GROUP = "status", "affiliation", "theme", "group"
KINDS = (STATUS, AFFILIATION, THEME, GROUP)
NOT_RELEASED = Sentence("not released yet")


@dataclass(frozen=True)
class Mechanism:
    """The noise's scale b and the theme cap C; what a release spends follows from them."""

    scale: float
    theme_cap: int

    @classmethod
    def from_config(cls, config: Any) -> Mechanism:
        return cls(scale=float(config["SUMMARY_NOISE_SCALE"]), theme_cap=int(config["SUMMARY_THEME_CAP"]))

    def sensitivity(self, kind: str) -> int:
        """How much one submission can move a histogram (L1): received and its status, its capped themes, once."""
        return {STATUS: 2, THEME: self.theme_cap}.get(kind, 1)

    def _measurement(self):
        space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
        return dp.m.make_laplace(*space, scale=self.scale)

    def epsilon(self) -> float:
        """The privacy loss of one release: the sum of the four histograms' (basic composition)."""
        measurement = self._measurement()
        return float(sum(measurement.map(d_in=self.sensitivity(kind)) for kind in KINDS))

    def histogram_epsilon(self, sensitivity: int = 1) -> float:
        """The privacy loss of releasing one histogram whose cells one person moves by sensitivity in all (L1)."""
        return float(self._measurement().map(d_in=sensitivity))

    def noisy_histogram(self, cells: dict[str, int]) -> dict[str, int]:
        """One histogram (cell -> true count) with independent discrete Laplace noise on every cell."""
        keys = list(cells)
        return dict(zip(keys, self._measurement()([cells[key] for key in keys]) if keys else [], strict=True))

    def noisy(self, exact: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        """Each histogram (kind -> cell -> true count) with independent discrete Laplace noise on every cell."""
        return {kind: self.noisy_histogram(exact.get(kind, {})) for kind in KINDS}


def within(scale: float, t: int) -> float:
    """The probability that discrete Laplace noise of this scale is at most t away from 0."""
    p = math.exp(-1 / scale)
    return 1 - 2 * p ** (t + 1) / (1 + p)


def tail_bound(scale: float, probability: float) -> int:
    """The smallest t with P[|noise| > t] <= probability."""
    t = 0
    while 1 - within(scale, t) > probability:
        t += 1
    return t


@dataclass(frozen=True)
class Cell:
    """One displayed number: a released count (or a sum of them), or None where no release holds it."""

    value: int | None
    k: int

    @property
    def released(self) -> bool:
        return self.value is not None

    @property
    def shown(self) -> bool:
        """The number itself is shown: it was released and is at least k."""
        return self.value is not None and self.value >= self.k


def total(cells: Sequence[Cell], k: int) -> Cell:
    """The sum of the released cells (post-processing), or not released when none is."""
    values = [cell.value for cell in cells if cell.value is not None]
    return Cell(sum(values) if values else None, k)


def cell_words(cell: Cell) -> Sentence:
    """A cell in words, as a Sentence a page says in its reader's language: "about N", "fewer than k" (released
    under k), or "not released yet"."""
    if cell.value is None:
        return NOT_RELEASED
    return Sentence("about %(num)s", num=cell.value) if cell.shown else Sentence("fewer than %(num)s", num=cell.k)


def cell_text(cell: Cell) -> str:
    """A cell in English words (cell_words): for spreadsheets, logs and tests."""
    return str(cell_words(cell))


def share(part: Cell, whole: Cell) -> float | None:
    """part / whole when both are shown."""
    if part.shown and whole.shown and whole.value:
        return (part.value or 0) / whole.value
    return None


def change(now: Cell, before: Cell | None) -> int | None:
    """now - before when both are shown."""
    if before is not None and now.shown and before.shown:
        return (now.value or 0) - (before.value or 0)
    return None
