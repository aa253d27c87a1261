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
one pass, and rule 3 only looks again at the totals a newly hidden cell belongs to.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

SMALL = "small"
PROTECT = "protect"

K = TypeVar("K", bound=Hashable)  # a cell's key: any hashable value, the same kind throughout one table


def suppress(values: Mapping[K, int], k: int, *, outers: Callable[[K], Iterable[K]],
             partitions: Iterable[tuple[K, list[K]]]) -> dict[K, str]:
    """Why each hidden key is hidden (SMALL or PROTECT); keys not in the answer may be shown.

    values: every group's size. outers(key): the larger groups that hold the key's group. partitions:
    (total, parts) where the parts' groups are disjoint and together make the total's group.
    """
    hidden = {key: SMALL for key, value in values.items() if 0 < value < k}
    for inner, value in values.items():
        # An empty group needs no check: its difference from a shown group is that group, 0 or >= k.
        if not value or inner in hidden:
            continue
        for outer in outers(inner):
            if outer not in hidden and 0 < values[outer] - value < k:
                hidden[inner] = PROTECT
                break
    partitions = list(partitions)
    touching = defaultdict(list)  # key -> the partitions it is the total or a part of
    for index, (total, parts) in enumerate(partitions):
        for key in (total, *parts):
            touching[key].append(index)
    queue, queued = deque(range(len(partitions))), set(range(len(partitions)))
    while queue:
        index = queue.popleft()
        queued.discard(index)
        total, parts = partitions[index]
        if total in hidden:
            continue
        hidden_sum = values[total] - sum(values[p] for p in parts if p not in hidden)
        if 0 < hidden_sum < k:
            newly = _complement(values, hidden, parts) or total
            hidden[newly] = PROTECT
            for again in touching[newly]:
                if again not in queued:
                    queue.append(again)
                    queued.add(again)
    return hidden


def _complement(values: Mapping[K, int], hidden: Mapping[K, str], parts: list[K]) -> K | None:
    """The smallest shown non-zero part (the least lost by hiding it), or None."""
    shown = [p for p in parts if p not in hidden and values[p] > 0]
    return min(shown, key=lambda p: values[p]) if shown else None
