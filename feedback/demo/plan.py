"""Loading the demo's action plan (feedback.demo.plan_content): actions linked to the demo's themes and town
halls, published (two left as drafts), each with its dated timeline, and answers to "did this help?" about
the done one, released once to leadership. Every change goes through the plan's services, so each is in the
audit log.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from feedback import audit
from feedback.config import Defaults
from feedback.demo.content import TOWN_HALLS
from feedback.demo.plan_content import ANSWERS, PLAN, RECEIPT_ANSWERS, DemoAction, all_actions
from feedback.models import Action, ActionTheme, Role, Submission, SubmissionStatus, Tagging, Theme, TownHall
from feedback.services.actions import answers, plan, progress, updates
from feedback.services.actions.progress import Status
from feedback.services.summary.disclosure import Mechanism

DEMO_ACTOR = audit.Actor(audit.SYSTEM)
ACTION_TITLES = [a.title for a in all_actions()]
DEFAULT_STATUSES = progress.statuses(Defaults.ACTION_STATUSES)
LEADER, FACILITATOR = Role.LEADER.value, Role.FACILITATOR.value


def loaded(session: orm.Session) -> bool:
    """Whether the demo plan is there (any of its actions: it is loaded once, whatever people changed since)."""
    return bool(session.scalar(sa.select(sa.func.count()).select_from(Action)
                               .where(Action.title.in_(ACTION_TITLES))))


def _day(today: date, days: int | None) -> date | None:
    return None if days is None else today + timedelta(days=days)


def _values(demo: DemoAction, parent_id: int | None, today: date) -> plan.ActionValues:
    return plan.ActionValues(title=demo.title, description=demo.description, owner=demo.owner,
                             status=demo.status, progress_from=demo.progress_from, progress=0,
                             parent_id=parent_id, target_on=_day(today, demo.target_day),
                             next_update_due=_day(today, demo.next_update_due), wont_do_reason="",
                             versions=demo.versions)


def _link(session: orm.Session, action_id: int, demo: DemoAction, theme_ids: Mapping[str, int],
          hall_ids: Mapping[int, int], role: str, now: datetime) -> None:
    """Link the action to its themes and town halls (those still there, on a demo people have tried out)."""
    targets = [(plan.THEME, theme_ids.get(name)) for name in demo.themes]
    targets += [(plan.TOWN_HALL, hall_ids.get(index)) for index in demo.town_halls]
    for kind, target_id in targets:
        if target_id is not None:
            plan.set_link(session, action_id, kind, str(target_id), True, role=role, by=DEMO_ACTOR, now=now)


def _post_timeline(session: orm.Session, action_id: int, demo: DemoAction, known: Mapping[str, Status],
                   today: date, now: datetime) -> None:
    """Post the action's updates in the order of their days.

    updates.post dates an update on the day it is given as `today` and refuses a publish date before it, so a
    past update is posted with its own day as the service's `today` (the demo's clock on the day a leader wrote
    it): its written_on and publish_on are that day and its changes apply as they would have then. Its audit
    event carries `now`, the moment the demo actually wrote it, so the audit log keeps its true order. A
    scheduled update (a day after today) is written today and publishes on its day.
    """
    for update in sorted(demo.updates, key=lambda u: u.day):
        written = today + timedelta(days=min(update.day, 0))
        new = updates.NewUpdate(text=update.text, status=update.status, progress=update.progress,
                                publish_on=today + timedelta(days=update.day),
                                next_update_due=_day(today, update.next_update_due))
        updates.post(session, action_id, new, known, role=LEADER, by=DEMO_ACTOR, now=now, today=written)


def _load_action(session: orm.Session, demo: DemoAction, parent_id: int | None, theme_ids: Mapping[str, int],
                 hall_ids: Mapping[int, int], known: Mapping[str, Status], today: date, now: datetime) -> int:
    # A leader writes what is published; a facilitator drafted the two that are still drafts.
    role = LEADER if demo.published else FACILITATOR
    action = plan.create(session, _values(demo, parent_id, today), known, role=role, by=DEMO_ACTOR, now=now,
                         today=today + timedelta(days=demo.created_day))
    action_id = action.id
    _link(session, action_id, demo, theme_ids, hall_ids, role, now)
    if demo.published:
        plan.set_published(session, action_id, True, role=LEADER, by=DEMO_ACTOR, now=now)
    _post_timeline(session, action_id, demo, known, today, now)
    return action_id


def _receipt_hashes(session: orm.Session, action_id: int, hall_id: int | None, count: int) -> list[bytes]:
    """The receipts of published demo concerns from the town hall that share a theme with the action."""
    on_themes = sa.select(ActionTheme.theme_id).where(ActionTheme.action_id == action_id)
    tagged = sa.select(Tagging.submission_id).where(Tagging.theme_id.in_(on_themes))
    return list(session.scalars(
        sa.select(Submission.receipt_hash)
        .where(Submission.town_hall_id == hall_id, Submission.status == SubmissionStatus.PUBLISHED.value,
               Submission.id.in_(tagged), Submission.receipt_hash.is_not(None))
        .order_by(Submission.id).limit(count)))


def _answer_did_it_help(session: orm.Session, action_id: int, hall_id: int | None, today: date, now: datetime,
                        mechanism: Mechanism, total_budget: float) -> None:
    """Answer "did this help?" about the done action, as receipt holders on its themes and visitors of its page
    would, then release the answers once, as a facilitator would, so leadership has numbers."""
    receipts: list[bytes | None] = list(_receipt_hashes(session, action_id, hall_id, RECEIPT_ANSWERS))
    receipts += [None] * (len(ANSWERS) - len(receipts))
    for (answer, comment), receipt_hash in zip(ANSWERS, receipts, strict=True):
        # The demo keeps no receipt codes, so its answers' own hashes are random: unlinkable, as a real one is.
        keys = answers.Receipt(receipt_hash, secrets.token_bytes(32)) if receipt_hash else None
        answers.give(session, action_id, answer, comment, today=today, receipt=keys)
    answers.release(session, mechanism=mechanism, total_budget=total_budget, by=DEMO_ACTOR, now=now)


def load_plan(session: orm.Session, today: date, now: datetime, *, mechanism: Mechanism, total_budget: float,
              known: Mapping[str, Status] = DEFAULT_STATUSES) -> dict[str, int]:
    """Write the demo's action plan, once, with the answers to "did this help?" about its done action, released
    with the mechanism and budget given (the app's: SUMMARY_*); returns the ids of the actions written by title
    (empty: the plan was already there).

    The demo's town halls and themes are found by their titles and names, so the plan can also be added to a
    demo instance loaded before the demo had one.
    """
    if loaded(session):
        return {}
    halls = {title: hall_id for title, hall_id in session.execute(
        sa.select(TownHall.title, TownHall.id).where(TownHall.title.in_([h.title for h in TOWN_HALLS])))}
    hall_ids = {index: halls[h.title] for index, h in enumerate(TOWN_HALLS) if h.title in halls}
    theme_ids = {name: theme_id for name, theme_id in session.execute(
        sa.select(Theme.name, Theme.id).where(Theme.archived.is_(False)))}
    written: dict[str, int] = {}
    for top in PLAN:
        written[top.title] = parent_id = _load_action(session, top, None, theme_ids, hall_ids, known, today, now)
        for sub in top.sub_actions:
            written[sub.title] = _load_action(session, sub, parent_id, theme_ids, hall_ids, known, today, now)
    for demo in all_actions():
        if demo.asks_did_it_help:
            _answer_did_it_help(session, written[demo.title], hall_ids.get(demo.town_halls[0]), today, now,
                                mechanism, total_budget)
    return written
