"""Releases: a facilitator releases a town hall's numbers; leadership reads releases, never live counts.

A release counts the hall's submissions exactly (four GROUP BYs), adds noise through the disclosure
layer (feedback.services.summary.disclosure), picks the quotes from the released numbers, and stores it
all with the privacy loss it spent, in one audited transaction. A release that would take the hall over
its budget is refused. Each release is dated; the latest one per hall is what every leadership view and
export shows, so reloading or comparing views shows the same numbers until the next release.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import AdvisoryLock, advisory_lock, writing
from feedback.models import (
    HIDDEN_REASONS,
    DuplicateLink,
    HiddenReason,
    Release,
    ReleasedCount,
    ReleasedQuote,
    Submission,
    SubmissionStatus,
    Tagging,
    Theme,
    TownHall,
)
from feedback.sentences import Sentence
from feedback.services.summary.disclosure import AFFILIATION, GROUP, STATUS, THEME, Mechanism
from feedback.services.themes import duplicates

PUBLISHED = SubmissionStatus.PUBLISHED.value
RECEIVED = "received"
STATUS_KEYS = (PUBLISHED, "pending", "escalated", *(f"hidden:{r}" for r in HIDDEN_REASONS))
NOT_GIVEN = "Not given"  # the affiliation of people who gave none (or one no longer configured)
QUOTES_PER_THEME = 3
BUDGET_SLACK = 1e-9  # epsilons are floats: 3 x 14/3 must fit a budget of 14.0


class Refused(Exception):
    """The release was not made; the message (a Sentence) says why, for the facilitator."""


@dataclass(frozen=True)
class Budget:
    spent: float
    total: float
    per_release: float

    @property
    def remaining(self) -> float:
        return max(self.total - self.spent, 0.0)

    @property
    def releases_left(self) -> int:
        return int((self.remaining + BUDGET_SLACK) // self.per_release)


def budget(session: orm.Session, town_hall_id: int, mechanism: Mechanism, total: float) -> Budget:
    spent = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Release.epsilon), 0.0))
                           .where(Release.town_hall_id == town_hall_id))
    return Budget(float(spent or 0.0), total, mechanism.epsilon())


def exact_counts(session: orm.Session, town_hall_id: int, *, theme_cap: int,
                 affiliations: list[str]) -> dict[str, dict[str, int]]:
    """The hall's true histograms, every cell present (zeros too): the disclosure layer's input."""
    status_counts = dict.fromkeys((RECEIVED, *STATUS_KEYS), 0)
    for status, reason, n in session.execute(
            sa.select(Submission.status, Submission.hidden_reason, sa.func.count())
            .where(Submission.town_hall_id == town_hall_id)
            .group_by(Submission.status, Submission.hidden_reason)):
        status_counts[RECEIVED] += n
        if status == SubmissionStatus.HIDDEN.value:
            status_counts[f"hidden:{reason if reason in HIDDEN_REASONS else HiddenReason.OTHER.value}"] += n
        else:
            status_counts[status] += n
    published = (Submission.town_hall_id == town_hall_id, Submission.status == PUBLISHED)
    affiliation_counts = dict.fromkeys([*affiliations, NOT_GIVEN], 0)
    for affiliation, n in session.execute(sa.select(Submission.affiliation, sa.func.count())
                                          .where(*published).group_by(Submission.affiliation)):
        affiliation_counts[affiliation if affiliation in affiliation_counts else NOT_GIVEN] += n
    theme_counts = {str(theme_id): 0 for theme_id in session.scalars(sa.select(Theme.id))}
    rank = sa.func.row_number().over(partition_by=Tagging.submission_id, order_by=Tagging.theme_id)
    capped = (sa.select(Tagging.theme_id, rank.label("rank")).join(Submission, Submission.id == Tagging.submission_id)
              .where(*published).subquery())
    for theme_id, n in session.execute(sa.select(capped.c.theme_id, sa.func.count())
                                       .where(capped.c.rank <= theme_cap).group_by(capped.c.theme_id)):
        theme_counts[str(theme_id)] = n
    return {STATUS: status_counts, AFFILIATION: affiliation_counts, THEME: theme_counts,
            GROUP: {str(r): size for r, size in _group_sizes(session, town_hall_id).items()}}


def _group_sizes(session: orm.Session, town_hall_id: int) -> dict[uuid.UUID, int]:
    """1 + published members, for each published representative of the hall with a published member."""
    member = orm.aliased(Submission)
    query = (sa.select(DuplicateLink.representative_id, sa.func.count())
             .join(member, member.id == DuplicateLink.submission_id)
             .join(Submission, Submission.id == DuplicateLink.representative_id)
             .where(member.status == PUBLISHED, Submission.status == PUBLISHED,
                    Submission.town_hall_id == town_hall_id)
             .group_by(DuplicateLink.representative_id))
    return {representative: 1 + n for representative, n in session.execute(query)}


def _quotes(session: orm.Session, town_hall_id: int, released: dict[str, dict[str, int]],
            k: int) -> list[tuple[int, uuid.UUID]]:
    """(theme, submission) to quote: under themes released at k or more, the largest released groups first,
    then single submissions in id order (random, never arrival order); never a grouped member.

    Always QUOTES_PER_THEME of a theme or none: showing one or two would tell exactly how many published
    submissions carry the theme, whatever the released count says (a reader who counts quotes could pin
    a theme of 1 or 2 the noise lifted to k).

    Reads only what it may pick: the groups' representatives (few), and per theme the first few single
    submissions by id, walking the (theme, submission) index and stopping there.
    """
    themes = [int(t) for t, value in released[THEME].items() if value >= k]
    if not themes:
        return []
    sizes = {uuid.UUID(r): value for r, value in released[GROUP].items()}
    candidate = (Submission.town_hall_id == town_hall_id, Submission.status == PUBLISHED,
                 ~duplicates.is_member(Submission.id))
    led: dict[int, list[uuid.UUID]] = defaultdict(list)
    for start in range(0, len(sizes), 500):  # in batches: a parameter list has a limit
        batch = list(sizes)[start:start + 500]
        for theme_id, submission_id in session.execute(
                sa.select(Tagging.theme_id, Tagging.submission_id)
                .join(Submission, Submission.id == Tagging.submission_id)
                .where(Tagging.submission_id.in_(batch), Tagging.theme_id.in_(themes), *candidate)):
            led[theme_id].append(submission_id)
    member = orm.aliased(Submission)
    leads_published_group = (sa.select(DuplicateLink.submission_id)
                             .join(member, member.id == DuplicateLink.submission_id)
                             .where(DuplicateLink.representative_id == Submission.id, member.status == PUBLISHED)
                             .exists())
    chosen = []
    for theme_id in themes:
        groups = sorted(led[theme_id], key=lambda s: (-sizes[s], str(s)))[:QUOTES_PER_THEME]
        singles: list[uuid.UUID] = []
        if len(groups) < QUOTES_PER_THEME:
            singles = list(session.scalars(
                sa.select(Tagging.submission_id).join(Submission, Submission.id == Tagging.submission_id)
                .where(Tagging.theme_id == theme_id, *candidate, ~leads_published_group)
                .order_by(Tagging.submission_id).limit(QUOTES_PER_THEME - len(groups))))
        picked = [*groups, *singles]
        if len(picked) == QUOTES_PER_THEME:  # fewer would be exactly how many there are: a count, unreleased
            chosen += [(theme_id, s) for s in picked]
    return chosen


def release(session: orm.Session, hall: TownHall, *, mechanism: Mechanism, total_budget: float, k: int,
            affiliations: list[str], by: audit.Actor, now: datetime, after: int | None = None) -> Release:
    """Release the hall's numbers now, spending mechanism.epsilon() of its budget.

    after: the number of the latest release the facilitator saw (0: none); when another was made since
    (a double click, a colleague), nothing is spent. Checked under the lock, so two at once cannot both pass.

    :raises Refused: the release would take the town hall over its budget, or one was made since `after`.
    """
    hall_id, slug = hall.id, hall.slug
    with writing(session):
        advisory_lock(session, AdvisoryLock.RELEASES)
        latest_number = session.scalar(sa.select(sa.func.max(Release.number))
                                       .where(Release.town_hall_id == hall_id)) or 0
        if after is not None and latest_number != after:
            raise Refused(Sentence("Release %(number)s was made after this page was shown (a second press, or a "
                                   "colleague), so nothing was released again. Read the numbers below, and release "
                                   "again only if you mean to.", number=latest_number))
        left = budget(session, hall_id, mechanism, total_budget)
        if left.releases_left < 1:
            raise Refused(Sentence("%(title)s has spent its privacy budget (%(spent)s of %(total)s): its numbers "
                                   "cannot be released again, so what leadership sees stays as it is.",
                                   title=hall.title, spent=format(left.spent, "g"), total=format(left.total, "g")))
        released = mechanism.noisy(exact_counts(session, hall_id, theme_cap=mechanism.theme_cap,
                                                affiliations=affiliations))
        number = latest_number + 1
        made = Release(town_hall_id=hall_id, number=number, released_on=now.date(), epsilon=left.per_release,
                       scale=mechanism.scale, theme_cap=mechanism.theme_cap)
        session.add(made)
        session.flush()
        quoted = _quotes(session, hall_id, released, k)
        session.add_all(ReleasedCount(release_id=made.id, kind=kind, key=key, value=value)
                        for kind, cells in released.items() if kind != GROUP for key, value in cells.items())
        session.add_all(ReleasedQuote(release_id=made.id, theme_id=theme_id, submission_id=s, position=i,
                                      raised_by=released[GROUP].get(str(s)))
                        for i, (theme_id, s) in enumerate(quoted))
        audit.record(session, by, audit.Action.SUMMARY_RELEASED, now=now,
                     details={"town_hall": slug, "release": number, "epsilon": left.per_release,
                              "spent": left.spent + left.per_release, "budget": left.total})
    return made


@dataclass(frozen=True)
class Stored:
    """A hall's latest release as stored: its noisy counts by kind and key, and its quotes."""

    town_hall_id: int
    number: int
    released_on: date
    epsilon: float
    counts: dict[str, dict[str, int]]
    quotes: dict[int, list[tuple[uuid.UUID, str, str | None]]]  # theme -> (id, body, redacted), still published
    # counts[GROUP] holds the released group size of each quoted representative (from its quote rows)


def latest(session: orm.Session) -> dict[int, Stored]:
    """Every town hall's latest release, by town hall id (halls never released are left out)."""
    newest = (sa.select(Release.town_hall_id, sa.func.max(Release.number).label("number"))
              .group_by(Release.town_hall_id).subquery())
    releases = session.scalars(sa.select(Release).join(
        newest, sa.and_(newest.c.town_hall_id == Release.town_hall_id, newest.c.number == Release.number))).all()
    by_id = {r.id: r for r in releases}
    if not by_id:
        return {}
    counts: dict[int, dict[str, dict[str, int]]] = {r: defaultdict(dict) for r in by_id}
    for release_id, kind, key, value in session.execute(
            sa.select(ReleasedCount.release_id, ReleasedCount.kind, ReleasedCount.key, ReleasedCount.value)
            .where(ReleasedCount.release_id.in_(list(by_id)))):
        counts[release_id][kind][key] = value
    quotes: dict[int, dict[int, list]] = {r: defaultdict(list) for r in by_id}
    for release_id, theme_id, submission_id, body, redacted, raised_by in session.execute(
            sa.select(ReleasedQuote.release_id, ReleasedQuote.theme_id, Submission.id, Submission.body,
                      Submission.redacted_body, ReleasedQuote.raised_by)
            .join(Submission, Submission.id == ReleasedQuote.submission_id)
            .where(ReleasedQuote.release_id.in_(list(by_id)), Submission.status == PUBLISHED)
            .order_by(ReleasedQuote.release_id, ReleasedQuote.position)):
        quotes[release_id][theme_id].append((submission_id, body, redacted))
        if raised_by is not None:
            counts[release_id][GROUP][str(submission_id)] = raised_by
    return {r.town_hall_id: Stored(r.town_hall_id, r.number, r.released_on, r.epsilon,
                                   {kind: dict(cells) for kind, cells in counts[r.id].items()},
                                   dict(quotes[r.id])) for r in releases}

