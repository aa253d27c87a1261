"""Near-duplicates: find submissions that say nearly the same thing, and group them under one representative.

A group is a representative and its members (a DuplicateLink per member); the group's size, 1 + its
members, is how many people raised the point ("raised by 14 people"). There are no chains: a
representative is never itself a member, so grouping a representative under another moves its whole
group, and grouping a member elsewhere moves it.

Members carry the representative's themes. Theme counts in the leadership summary count people, so
each person in a group must carry the group's themes: a submission that joins a group receives the
representative's themes, and tagging a representative later tags its members too
(feedback.services.themes.tagging). Ungrouping leaves the themes a member received in place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import DuplicateLink, Submission
from feedback.sentences import Sentence
from feedback.services.live import sessions as live_sessions
from feedback.services.text import excerpt
from feedback.services.themes import similarity, similarity_index, tagging

MOST = 10  # similar submissions listed at once


class InvalidGrouping(ValueError):
    """A grouping that cannot be made; its first argument, a Sentence, says why to the facilitator."""


@dataclass(frozen=True)
class Related:
    """Another submission, as listed in the near-duplicates panel."""

    id: uuid.UUID
    received_on: date
    status: str
    excerpt: str
    score: float  # 0..1, similarity.jaccard
    representative_id: uuid.UUID | None  # set when it is grouped under some submission
    group_size: int  # 1 + its members

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass(frozen=True)
class Panel:
    representative: Related | None  # what this submission is grouped under, if it is a member
    members: list[Related]  # the near-duplicates grouped under it, if it is a representative
    similar: list[Related]  # similar submissions outside its group, most similar first

    @property
    def group_size(self) -> int:
        return 1 + len(self.members)


def member_counts() -> sa.Select[uuid.UUID, int]:
    """The query of how many members each group has: (representative_id, members), one row per representative.

    A group's size is 1 + members; summaries and exports join or filter this query rather than count links apart.
    """
    return (sa.select(DuplicateLink.representative_id, sa.func.count().label("members"))
            .group_by(DuplicateLink.representative_id))


def is_member(submission_id: orm.QueryableAttribute[uuid.UUID]) -> sa.Exists:
    """In a query: the submission is grouped under a representative (which speaks for it)."""
    return sa.exists().where(DuplicateLink.submission_id == submission_id)


def leads_a_group(submission_id: orm.QueryableAttribute[uuid.UUID]) -> sa.Exists:
    """In a query: the submission is the representative of a group."""
    return sa.exists().where(DuplicateLink.representative_id == submission_id)


def representatives() -> sa.Select[uuid.UUID]:
    """The query of every representative's id, once each (for IN, driven from the few groups)."""
    return sa.select(DuplicateLink.representative_id).distinct()


def group_sizes(session: orm.Session, submission_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """1 + the members of each submission (1 for one that leads no group)."""
    sizes = dict.fromkeys(submission_ids, 1)
    if submission_ids:
        query = member_counts().where(DuplicateLink.representative_id.in_(submission_ids))
        sizes.update({representative_id: 1 + n for representative_id, n in session.execute(query)})
    return sizes


def representatives_of(session: orm.Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """The representative of each of these submissions that is a member of a group."""
    query = sa.select(DuplicateLink.submission_id, DuplicateLink.representative_id).where(
        DuplicateLink.submission_id.in_(ids))
    return {member_id: representative_id for member_id, representative_id in session.execute(query)} if ids else {}


def _related(session: orm.Session, mine: frozenset[str], listed: list[Submission]) -> list[Related]:
    ids = [s.id for s in listed]
    links = representatives_of(session, ids)
    sizes = group_sizes(session, ids)
    return [Related(s.id, s.received_on, s.status, excerpt(s.shown_body),
                    similarity.jaccard(mine, similarity.words(s.body)), links.get(s.id), sizes[s.id]) for s in listed]


def _similar(session: orm.Session, submission: Submission, mine: frozenset[str],
             leaving_out: set[uuid.UUID]) -> list[Submission]:
    """The town hall's submissions at least DUPLICATE_AT similar to this one, most similar first.

    Only the index's candidates are read (similarity_index), each checked with the exact similarity.
    """
    # The page's one look-up, shared with the suggestions (tagged ones from RELATED_BANDS), holds every
    # DUPLICATE_BANDS candidate.
    found = similarity_index.look_up(session, submission.town_hall_id, submission.body,
                                     at_least=similarity_index.RELATED_BANDS,
                                     untagged_at_least=similarity_index.DUPLICATE_BANDS, leaving_out=submission.id)
    ids = [sid for sid, bands in found.bands.items() if bands >= similarity_index.DUPLICATE_BANDS]
    if not ids:
        return []
    others = session.scalars(sa.select(Submission).where(Submission.id.in_(ids)))
    scored = [(similarity.jaccard(mine, similarity.words(s.body)), s) for s in others if s.id not in leaving_out]
    scored = [(score, s) for score, s in scored if score >= similarity.DUPLICATE_AT]
    return [s for _score, s in sorted(scored, key=lambda item: (-item[0], item[1].received_on, item[1].id))][:MOST]


def panel(session: orm.Session, submission: Submission) -> Panel:
    """The submission's group (as member or representative) and the similar submissions outside it."""
    mine = similarity.words(submission.body)
    representative_id = session.scalar(sa.select(DuplicateLink.representative_id)
                                       .where(DuplicateLink.submission_id == submission.id))
    lead = representative_id or submission.id
    members = tagging.members_of(session, [lead]).get(lead, [])
    similar = _similar(session, submission, mine, {lead, *members})
    if representative_id is not None:
        representative = _related(session, mine, [session.get_one(Submission, representative_id)])[0]
        return Panel(representative, [], _related(session, mine, similar))
    rows = list(session.scalars(sa.select(Submission).where(Submission.id.in_(members))
                                .order_by(Submission.received_on, Submission.id))) if members else []
    return Panel(None, _related(session, mine, rows), _related(session, mine, similar))


def _check(representative: Submission | None, member: Submission | None, leader_of: uuid.UUID | None) -> None:
    if representative is None or member is None:
        raise InvalidGrouping(Sentence("That submission is no longer here. Reload the page and try again."))
    if representative.id == member.id:
        raise InvalidGrouping(Sentence("A submission cannot be grouped under itself."))
    if representative.town_hall_id != member.town_hall_id:
        raise InvalidGrouping(Sentence("Only submissions to the same town hall can be grouped."))
    if leader_of is not None:
        raise InvalidGrouping(Sentence("This submission is itself grouped under another one: "
                                       "group under that one instead."))


def group(session: orm.Session, representative_id: uuid.UUID, member_id: uuid.UUID, *,
          by: audit.Actor, now: datetime) -> int:
    """Group member (and, if it leads a group, its members) under representative; they receive its themes.

    :returns: how many submissions joined the group (0 when the member was already in it).
    :raises InvalidGrouping: a submission that is gone, itself, another town hall, or a representative that
        is itself a member of a group.
    """
    with writing(session):
        return group_in_write(session, representative_id, member_id, by=by, now=now)


def group_in_write(session: orm.Session, representative_id: uuid.UUID, member_id: uuid.UUID, *,
                   by: audit.Actor, now: datetime) -> int:
    """group() inside the caller's write (a live session's merge changes its question in the same transaction)."""
    locked = {s.id: s for s in session.scalars(sa.select(Submission).order_by(Submission.id).with_for_update()
                                                .where(Submission.id.in_({representative_id, member_id})))}
    representative, member = locked.get(representative_id), locked.get(member_id)
    links = representatives_of(session, [representative_id, member_id])
    _check(representative, member, links.get(representative_id))
    if links.get(member_id) == representative_id:
        return 0
    moving = [member_id] + tagging.members_of(session, [member_id]).get(member_id, [])
    for submission_id in moving:
        link = session.get(DuplicateLink, submission_id)
        moved_from = link.representative_id if link else None
        if link is None:
            session.add(DuplicateLink(submission_id=submission_id, representative_id=representative_id))
        else:
            link.representative_id = representative_id
        audit.record(session, by, audit.Action.DUPLICATE_GROUPED, now=now, submission_id=submission_id,
                     details={"representative": str(representative_id),
                              "moved_from": str(moved_from) if moved_from else None})
    session.flush()
    tagging.carry(session, representative_id, moving, tagging.current_themes(session, representative_id),
                  by=by, now=now)
    # A live question's "raised by N" is on the room's screen: its pages fetch it again.
    live_sessions.bump_for_submissions(session, [representative_id, *moving])
    return len(moving)


def ungroup(session: orm.Session, member_id: uuid.UUID, *, within: uuid.UUID | None = None,
            by: audit.Actor, now: datetime) -> uuid.UUID:
    """Take a submission out of its group; the themes it received stay.

    :param within: when given, the member must be this submission or grouped under it.
    :returns: the representative it was grouped under.
    :raises InvalidGrouping: it is not in that group (any more).
    """
    with writing(session):
        link = session.get(DuplicateLink, member_id, with_for_update=True)
        if link is None or within not in (None, member_id, link.representative_id):
            raise InvalidGrouping(Sentence("That submission is not in this group any more. Reload the page."))
        representative_id = link.representative_id
        session.delete(link)
        audit.record(session, by, audit.Action.DUPLICATE_UNGROUPED, now=now, submission_id=member_id,
                     details={"representative": str(representative_id)})
        live_sessions.bump_for_submissions(session, [representative_id, member_id])
    return representative_id
