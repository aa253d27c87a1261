"""The integer model of what the reader knows, solved with HiGHS (highspy).

Every unknown is a whole number from 0 to BIG. A Linear constraint is a row lower <= expr <= upper; a
ZeroOrAtLeast ("not shown": 0 or at least k) gets a binary z with k z <= expr <= BIG z. A group is
pinned when its smallest and largest values under everything the reader knows are equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from tests.attack.reader import BIG, Group, Knowledge, Linear, ZeroOrAtLeast


@dataclass(frozen=True)
class Range:
    group: Group
    truth: int
    low: int
    high: int

    @property
    def pinned(self) -> bool:
        return self.low == self.high


class Infeasible(AssertionError):
    """The system has no solution: with the truth fixed, the reader's model is unsound."""


class System:
    def __init__(self, know: Knowledge, fixed: dict | None = None) -> None:
        self.keys = sorted(know.variables, key=repr)
        self.index = {key: i for i, key in enumerate(self.keys)}
        lower = [0.0] * len(self.keys)
        upper = [float(BIG)] * len(self.keys)
        for key, value in (fixed or {}).items():
            if key in self.index:
                lower[self.index[key]] = upper[self.index[key]] = float(value)
        rows: list[tuple[dict[int, float], float, float]] = []
        inf = highspy.kHighsInf
        for c in know.constraints:
            coefs = {self.index[key]: float(v) for key, v in c.expr.items()}
            if isinstance(c, Linear):
                rows.append((coefs, -inf if c.lower is None else float(c.lower),
                             inf if c.upper is None else float(c.upper)))
            elif isinstance(c, ZeroOrAtLeast):
                z = len(lower)
                lower.append(0.0)
                upper.append(1.0)
                rows.append(({**coefs, z: -float(c.k)}, 0.0, inf))  # expr >= k z
                rows.append(({**coefs, z: -float(BIG)}, -inf, 0.0))  # expr <= BIG z
            else:  # pragma: no cover
                raise TypeError(c)
        self.columns = len(lower)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.columns, len(rows)
        lp.col_cost_ = np.zeros(self.columns)
        lp.col_lower_, lp.col_upper_ = np.array(lower), np.array(upper)
        lp.row_lower_ = np.array([r[1] for r in rows])
        lp.row_upper_ = np.array([r[2] for r in rows])
        starts, indices, values = [0], [], []
        for coefs, _, _ in rows:
            for i, v in sorted(coefs.items()):
                indices.append(i)
                values.append(v)
            starts.append(len(indices))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=np.float64)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * self.columns
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.setOptionValue("mip_abs_gap", 0.0)
        self.highs.setOptionValue("threads", 1)
        self.highs.passModel(lp)

    def _optimum(self, expr: dict, sense) -> int | None:
        costs = np.zeros(self.columns)
        for key, v in expr.items():
            costs[self.index[key]] += v
        self.highs.changeColsCost(self.columns, np.arange(self.columns, dtype=np.int32), costs)
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        assert status == highspy.HighsModelStatus.kOptimal, self.highs.modelStatusToString(status)
        return round(self.highs.getInfo().objective_function_value)

    def feasible(self) -> bool:
        return self._optimum({}, highspy.ObjSense.kMinimize) is not None

    def range(self, expr: dict) -> tuple[int, int]:
        low = self._optimum(expr, highspy.ObjSense.kMinimize)
        high = self._optimum(expr, highspy.ObjSense.kMaximize)
        if low is None or high is None:
            raise Infeasible("the reader's system has no solution")
        return low, high


def value(expr: dict, truth: dict) -> int:
    return round(sum(v * truth[key] for key, v in expr.items()))


def violated(know: Knowledge, truth: dict) -> list[str]:
    """The constraints the truth breaks (each is a reader's mistake: an unsound reading)."""
    broken = []
    for c in know.constraints:
        got = value(c.expr, truth)
        if isinstance(c, Linear):
            if (c.lower is not None and got < c.lower - 1e-9) or (c.upper is not None and got > c.upper + 1e-9):
                broken.append(f"{c.why}: the truth is {got}, the reader allows {c.lower}..{c.upper}")
        elif not (got == 0 or got >= c.k):
            broken.append(f"{c.why}: the truth is {got}, the reader allows 0 or at least {c.k}")
    return broken


def attack(know: Knowledge, truth: dict, k: int) -> tuple[list[Range], list[str]]:
    """(the range of every small group, what the truth breaks): each group of 1 to k-1, or each change of
    1 to k-1 people, minimised and maximised under everything the reader knows."""
    missing = [key for key in know.variables if key not in truth]
    assert not missing, f"no truth for {missing[:5]}"
    broken = violated(know, truth)
    if not broken:
        assert System(know, fixed=truth).feasible(), "the planted truth does not satisfy the reader's system"
    system = System(know)
    assert system.feasible(), "the reader's system has no solution at all"
    found = []
    for group in know.groups:
        true = value(group.expr, truth)
        if 1 <= abs(true) <= k - 1 and group.expr:
            low, high = system.range(group.expr)
            found.append(Range(group, true, low, high))
    return found, broken
