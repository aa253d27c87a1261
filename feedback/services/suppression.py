"""Small-group protection: which counts may be shown, so that no group of fewer than k people shows.

Three rules, applied in this order to one table of counts (every view is cut from the same table, so
two views can never be compared to work out a cell that one of them hides):

1. Primary: a count of 1 to k-1 is hidden ("small"). Zero is shown: it is nobody.
2. Differences: when a group and a larger group that holds it are both shown, their difference is a
   group of people too; when it is 1 to k-1, the smaller group is hidden ("protect").
3. Totals: when a total is shown and its parts are a partition of it (statuses of the received, town
   halls of an instance, affiliations of the published), the hidden parts add up to the total minus
   the shown ones; when that sum is 1 to k-1, the smallest shown non-zero part is hidden too
   ("protect"), or the total itself when no part is left. Repeated until nothing changes.

Rules 2 and 3 only ever hide more, and hiding never makes a shown difference appear, so rule 2 needs
one pass and rule 3 ends when a pass hides nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

SMALL = "small"
PROTECT = "protect"


def suppress(values: Mapping[Hashable, int], k: int, *, nested: Iterable[tuple[Hashable, Hashable]],
             partitions: Iterable[tuple[Hashable, list[Hashable]]]) -> dict[Hashable, str]:
    """Why each hidden key is hidden (SMALL or PROTECT); keys not in the answer may be shown.

    values: every group's size. nested: (group, larger group holding it) pairs. partitions:
    (total, parts) where the parts' groups are disjoint and together make the total's group.
    """
    hidden = {key: SMALL for key, value in values.items() if 0 < value < k}
    for inner, outer in nested:
        if inner in hidden or outer in hidden:
            continue
        if 0 < values[outer] - values[inner] < k:
            hidden[inner] = PROTECT
    partitions = list(partitions)
    changed = True
    while changed:
        changed = False
        for total, parts in partitions:
            if total in hidden:
                continue
            hidden_sum = values[total] - sum(values[p] for p in parts if p not in hidden)
            if 0 < hidden_sum < k:
                hidden[_complement(values, hidden, parts) or total] = PROTECT
                changed = True
    return hidden


def _complement(values: Mapping[Hashable, int], hidden: Mapping[Hashable, str], parts: list[Hashable]):
    """The smallest shown non-zero part (the least lost by hiding it), or None."""
    shown = [p for p in parts if p not in hidden and values[p] > 0]
    return min(shown, key=lambda p: values[p]) if shown else None
