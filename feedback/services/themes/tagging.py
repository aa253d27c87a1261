"""Tag submissions with themes from the codebook: one submission at a time or many at once, always by a person.

Near-duplicates carry their representative's themes. Theme counts in the leadership summary count
people, and a group of near-duplicates is several people who raised the same thing, so every member
of a group is tagged too: tagging (or untagging) a representative does the same to its members, and a
submission that joins a group receives the representative's themes (feedback.services.themes.duplicates).
Every one of these goes through carry(), the one place the rule is written.

Archived themes are never offered; a tagging with one that was archived is kept and left alone.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.db import writing
from feedback.models import BulkChangeItem, DuplicateLink, Submission, Tagging, Theme
from feedback.sentences import Sentence
from feedback.services import selection
from feedback.services.moderation import undo  # a module import: undo imports this module too
from feedback.services.themes.codebook_values import safe_colour


class InvalidTagging(ValueError):
    """Tagging that cannot be done; its first argument, a Sentence, says why to the facilitator."""


@dataclass(frozen=True)
class ThemeChip:
    """A theme as shown next to a submission."""

    id: int
    name: str
    colour: str
    archived: bool = False


@dataclass(frozen=True)
class Change:
    """The names of the themes a submission gained and lost."""

    added: list[str]
    removed: list[str]


def themes_of(session: orm.Session, submission_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[ThemeChip]]:
    """Each submission's themes, A to Z, in one query (for a page of desk rows)."""
    ids = list(submission_ids)
    found: dict[uuid.UUID, list[ThemeChip]] = {i: [] for i in ids}
    if not ids:
        return found
    query = (sa.select(Tagging.submission_id, Theme).join(Theme, Theme.id == Tagging.theme_id)
             .where(Tagging.submission_id.in_(ids)).order_by(Theme.name))
    for submission_id, theme in session.execute(query):
        found[submission_id].append(ThemeChip(theme.id, theme.name, safe_colour(theme.colour), theme.archived))
    return found


def live_themes(session: orm.Session, theme_ids: Iterable[int]) -> dict[int, str]:
    """The names of these themes, by id.

    :raises InvalidTagging: one of them does not exist or is archived.
    """
    ids = set(theme_ids)
    query = sa.select(Theme.id, Theme.name).where(Theme.id.in_(ids), Theme.archived.is_(False))
    found = {theme_id: name for theme_id, name in session.execute(query)}
    if len(found) != len(ids):
        raise InvalidTagging(Sentence("Some of the chosen themes are no longer in the codebook. "
                                      "Reload the page and choose again."))
    return found


def members_of(session: orm.Session, representative_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The near-duplicates grouped under each of these representatives (those that lead a group)."""
    ids = list(representative_ids)
    groups: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if ids:
        query = (sa.select(DuplicateLink.representative_id, DuplicateLink.submission_id)
                 .where(DuplicateLink.representative_id.in_(ids)).order_by(DuplicateLink.submission_id))
        for representative_id, member_id in session.execute(query):
            groups[representative_id].append(member_id)
    return dict(groups)


def add(session: orm.Session, submission_ids: Iterable[uuid.UUID], names: dict[int, str], *,
        by: audit.Actor, now: datetime, details: dict | None = None) -> set[uuid.UUID]:
    """Tag submissions with themes they lack, inside the caller's write; one "tag" event per submission.

    :returns: the submissions that gained a theme.
    """
    ids = sorted(set(submission_ids))
    if not ids or not names:
        return set()
    present = {(submission_id, theme_id) for submission_id, theme_id in session.execute(sa.select(
        Tagging.submission_id, Tagging.theme_id).where(Tagging.submission_id.in_(ids), Tagging.theme_id.in_(names)))}
    changed = set()
    for submission_id in ids:
        new = [theme_id for theme_id in names if (submission_id, theme_id) not in present]
        if not new:
            continue
        session.add_all(Tagging(submission_id=submission_id, theme_id=theme_id) for theme_id in new)
        audit.record(session, by, audit.Action.TAG, now=now, submission_id=submission_id,
                     details={"themes": sorted(names[t] for t in new), **(details or {})})
        changed.add(submission_id)
    session.flush()
    return changed


def remove(session: orm.Session, submission_ids: Iterable[uuid.UUID], names: dict[int, str], *,
           by: audit.Actor, now: datetime, details: dict | None = None) -> set[uuid.UUID]:
    """Untag submissions, inside the caller's write; one "untag" event per submission that had a theme."""
    ids = sorted(set(submission_ids))
    if not ids or not names:
        return set()
    present = defaultdict(list)
    for submission_id, theme_id in session.execute(sa.select(Tagging.submission_id, Tagging.theme_id).where(
            Tagging.submission_id.in_(ids), Tagging.theme_id.in_(names))):
        present[submission_id].append(theme_id)
    for submission_id, theme_ids in sorted(present.items()):
        session.execute(sa.delete(Tagging).where(Tagging.submission_id == submission_id,
                                                 Tagging.theme_id.in_(theme_ids)))
        audit.record(session, by, audit.Action.UNTAG, now=now, submission_id=submission_id,
                     details={"themes": sorted(names[t] for t in theme_ids), **(details or {})})
    return set(present)


def current_themes(session: orm.Session, submission_id: uuid.UUID) -> dict[int, str]:
    """The names of a submission's themes that are in use (not archived), by id."""
    query = (sa.select(Theme.id, Theme.name).join(Tagging, Tagging.theme_id == Theme.id)
             .where(Tagging.submission_id == submission_id, Theme.archived.is_(False)))
    return {theme_id: name for theme_id, name in session.execute(query)}


def carry(session: orm.Session, representative_id: uuid.UUID, member_ids: Iterable[uuid.UUID],
          adding: dict[int, str], removing: dict[int, str] | None = None, *, by: audit.Actor,
          now: datetime) -> set[uuid.UUID]:
    """Give members the themes their representative gained (and take those it lost); the members that changed.

    Inside the caller's write; each member's "tag" or "untag" event names the representative it follows.
    """
    ids, follow = sorted(set(member_ids)), {"representative": str(representative_id)}
    changed = add(session, ids, adding, by=by, now=now, details=follow)
    return changed | remove(session, ids, removing or {}, by=by, now=now, details=follow)


def carry_to_members(session: orm.Session, representative_ids: Iterable[uuid.UUID], adding: dict[int, str],
                     removing: dict[int, str] | None = None, *, by: audit.Actor, now: datetime) -> set[uuid.UUID]:
    """carry() to the members of each of these that leads a group (locked first); the members that changed."""
    changed: set[uuid.UUID] = set()
    for representative_id, members in members_of(session, representative_ids).items():
        locked = [member.id for member in _lock(session, members)]
        changed |= carry(session, representative_id, locked, adding, removing, by=by, now=now)
    return changed


def _lock(session: orm.Session, submission_ids: Iterable[uuid.UUID],
          town_hall_id: int | None = None) -> list[Submission]:
    """Lock the submissions (in id order, so two writers never wait on each other crosswise)."""
    query = (sa.select(Submission).where(Submission.id.in_(set(submission_ids)))
             .order_by(Submission.id).with_for_update())
    if town_hall_id is not None:
        query = query.where(Submission.town_hall_id == town_hall_id)
    return list(session.scalars(query))


def set_themes(session: orm.Session, submission_id: uuid.UUID, theme_ids: Iterable[int], *,
               by: audit.Actor, now: datetime) -> Change:
    """Make a submission's (non-archived) themes exactly these; its near-duplicates follow if it leads a group.

    :raises InvalidTagging: a theme that is not offered, or a submission that no longer exists.
    """
    with writing(session):
        return set_themes_in_write(session, submission_id, theme_ids, by=by, now=now)


def set_themes_in_write(session: orm.Session, submission_id: uuid.UUID, theme_ids: Iterable[int], *,
                        by: audit.Actor, now: datetime) -> Change:
    """set_themes() inside the caller's write (one_step.save saves the themes with the rest in one transaction)."""
    wanted = live_themes(session, theme_ids)
    if not _lock(session, [submission_id]):
        raise InvalidTagging(Sentence("This submission is no longer here."))
    current = current_themes(session, submission_id)
    adding = {i: name for i, name in wanted.items() if i not in current}
    removing = {i: name for i, name in current.items() if i not in wanted}
    add(session, [submission_id], adding, by=by, now=now)
    remove(session, [submission_id], removing, by=by, now=now)
    carry_to_members(session, [submission_id], adding, removing, by=by, now=now)
    return Change(sorted(adding.values()), sorted(removing.values()))


def bulk_tag(session: orm.Session, submission_ids: Iterable[uuid.UUID], theme_ids: Iterable[int], *,
             town_hall_id: int, by: audit.Actor, now: datetime, undo_minutes: int | None = None) -> int:
    """Tag every selected submission (and the near-duplicates of any that leads a group) with these themes.

    All or none; one "tag" event per submission that gained a theme, naming the themes.

    :param undo_minutes: when given (the desk, a staff member), keep which submission gained which theme,
        near-duplicates included, so that its author can undo the tagging for that long.
    :returns: how many submissions gained a theme (those that had them all are left alone).
    :raises InvalidTagging: no selection or no theme, too many, a theme not offered, or a submission that
        no longer exists (or is in another town hall).
    """
    ids, wanted = set(submission_ids), set(theme_ids)
    if problem := selection.problem(ids):
        raise InvalidTagging(problem)
    if not wanted:
        raise InvalidTagging(Sentence("Choose at least one theme to tag the selected submissions with."))
    with writing(session):
        names = live_themes(session, wanted)
        if len(_lock(session, ids, town_hall_id)) != len(ids):
            raise InvalidTagging(Sentence("Some of the selected submissions are no longer here. "
                                          "Reload the page and try again."))
        reached = ids.union(*members_of(session, ids).values())
        before = _taggings(session, reached, names)
        changed = add(session, ids, names, by=by, now=now)
        changed |= carry_to_members(session, ids, names, by=by, now=now)
        if changed and undo_minutes is not None and by.staff_id is not None:
            gained = sorted(_taggings(session, reached, names) - before)
            undo.keep(session, undo.TAG, [BulkChangeItem(submission_id=s, theme_id=t) for s, t in gained],
                      user_id=by.staff_id, town_hall_id=town_hall_id, now=now, minutes=undo_minutes)
    return len(changed)


def _taggings(session: orm.Session, submission_ids: set[uuid.UUID],
              names: dict[int, str]) -> set[tuple[uuid.UUID, int]]:
    """Which of these submissions carry which of these themes, as (submission, theme) pairs."""
    query = sa.select(Tagging.submission_id, Tagging.theme_id).where(Tagging.submission_id.in_(submission_ids),
                                                                     Tagging.theme_id.in_(names))
    return {(submission_id, theme_id) for submission_id, theme_id in session.execute(query)}
