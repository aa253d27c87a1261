"""'Did this help?': answers about done actions, and their release to leadership through the disclosure layer.

An answer is stored with no date, no address and no account: the action, one of ANSWERS, an optional
plain-text comment, the hash of its form's one-time token (a double click or a retry is stored once), and,
when it was given from a receipt's status page, a keyed hash of the receipt code and the action
(crypto.answer_receipt_hash). That hash allows one answer per receipt per action and lets a withdrawal,
which is typed the code, delete it; it matches nothing in the submission table (the code is never stored),
so the database cannot tie an answer, or its comment, to the concern or the sealed identity behind it.
Answers from an action's page carry no receipt.

Nobody but facilitators and admins sees a live count or a comment. Leadership reads releases: one noisy
histogram over every published done action x ANSWERS (feedback.services.summary.disclosure), each
release spending histogram_epsilon(1) (one answer is in one cell) of a budget shared by all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import exc, orm

from feedback import audit, crypto
from feedback.config import N_
from feedback.db import AdvisoryLock, advisory_lock, writing
from feedback.models import (
    Action,
    ActionTheme,
    ActionUpdate,
    AnswerRelease,
    HelpAnswer,
    ReleasedAnswer,
    Submission,
    SubmissionStatus,
    Tagging,
    Theme,
)
from feedback.sentences import Sentence
from feedback.services.actions import updates as dated
from feedback.services.actions.progress import DONE
from feedback.services.summary.disclosure import Cell, Mechanism, cell_words

# The labels are English here (CSV, charts); N_ puts them in the catalogs for the forms that ask the question.
ANSWERS = {"helped": N_("It helped"), "somewhat": N_("Somewhat"), "no": N_("No"), "too-early": N_("Too early to say")}
COMMENT_MAX = 1000
BUDGET_SLACK = 1e-9  # epsilons are floats: n x (1/b) must fit a budget that is a multiple of it


class NotAskable(Exception):
    """The action is not a published done action (or not one this receipt's concern is linked to)."""


class AlreadyAnswered(Exception):
    """This receipt already answered about this action; nothing was changed."""


class Refused(Exception):
    """The release was not made; its Sentence says why, for the facilitator."""


def done_actions(session: orm.Session, today: date) -> list[Action]:
    """Every published action (a sub-action only under a published parent) whose public status today is done."""
    actions = {a.id: a for a in session.scalars(sa.select(Action).where(Action.published.is_(True))
                                                .order_by(Action.title, Action.id))}
    public = [a for a in actions.values() if a.parent_id is None or a.parent_id in actions]
    if not public:
        return []
    updates: dict[int, list[ActionUpdate]] = {a.id: [] for a in public}
    for update in session.scalars(sa.select(ActionUpdate).where(ActionUpdate.action_id.in_(list(updates)))):
        updates[update.action_id].append(update)
    return [a for a in public if dated.state(a, updates[a.id], today).status == DONE]


def is_done(session: orm.Session, action_id: int, today: date) -> bool:
    return any(a.id == action_id for a in done_actions(session, today))


def _linked_to_concern(session: orm.Session, action_id: int, concern_hash: bytes) -> bool:
    """Whether the receipt's concern is published and shares a live theme with the action or one of its steps.

    The status page lists a sub-action's parent in its place (actions.public.being_done), so both count.
    """
    steps = sa.select(Action.id).where(sa.or_(Action.id == action_id, Action.parent_id == action_id))
    return session.scalar(
        sa.select(sa.literal(True)).select_from(Submission)
        .join(Tagging, Tagging.submission_id == Submission.id)
        .join(Theme, Theme.id == Tagging.theme_id)
        .join(ActionTheme, ActionTheme.theme_id == Theme.id)
        .where(Submission.receipt_hash == concern_hash, Submission.status == SubmissionStatus.PUBLISHED.value,
               Theme.archived.is_(False), Theme.merged_into_id.is_(None), ActionTheme.action_id.in_(steps))
        .limit(1)) is True


@dataclass(frozen=True)
class Receipt:
    """The receipt an answer is given with, as two keyed hashes of its code (see receipt())."""

    concern_hash: bytes  # the submission's receipt_hash: checks the action is on its concern's themes; never stored
    answer_hash: bytes  # crypto.answer_receipt_hash(code, action): what the answer stores


def receipt(ring: crypto.KeyRing, code: str, action_id: int) -> Receipt | None:
    """The hashes an answer about action_id given with this receipt code is checked and stored with."""
    concern_hash, answer_hash = crypto.receipt_hash(ring, code), crypto.answer_receipt_hash(ring, code, action_id)
    if concern_hash is None or answer_hash is None:
        return None
    return Receipt(concern_hash, answer_hash)


def answered(session: orm.Session, ring: crypto.KeyRing, code: str, action_ids: Iterable[int]) -> set[int]:
    """Those of action_ids this receipt has answered about."""
    by_hash = {crypto.answer_receipt_hash(ring, code, a): a for a in action_ids}
    by_hash.pop(None, None)
    if not by_hash:
        return set()
    return {by_hash[h] for h in session.scalars(sa.select(HelpAnswer.receipt_hash)
                                                .where(HelpAnswer.receipt_hash.in_(list(by_hash))))}


def answered_with(session: orm.Session, ring: crypto.KeyRing, code: str) -> list[bytes]:
    """The stored hashes of every answer this receipt gave (for a withdrawal, which deletes them)."""
    asked = session.scalars(sa.select(HelpAnswer.action_id).where(HelpAnswer.receipt_hash.is_not(None)).distinct())
    hashes = [crypto.answer_receipt_hash(ring, code, a) for a in asked]
    return [h for h in hashes if h is not None]


def _repeated(session: orm.Session, token_hash: bytes | None, answer: str, comment: str) -> bool:
    """Whether this form already stored this very answer (a double click, a retry).

    :raises AlreadyAnswered: it stored a different one (sent again after a change): nothing is changed.
    """
    if token_hash is None:
        return False
    row = session.execute(sa.select(HelpAnswer.answer, HelpAnswer.comment)
                          .where(HelpAnswer.form_token_hash == token_hash)).first()
    if row is None:
        return False
    if (row.answer, row.comment) != (answer, comment):
        raise AlreadyAnswered()
    return True


def give(session: orm.Session, action_id: int, answer: str, comment: str, *, today: date,
         receipt: Receipt | None = None, form_token: str | None = None) -> bool:
    """Store one answer about a done action; with a receipt, only once per action, only on its concern's themes.

    A form token already stored with this answer (a double click, a retried POST) stores nothing more: False,
    and the person is thanked as the first time. True when this call stored the answer.

    :raises NotAskable: the action is not done and public (or, with a receipt, not on its concern's themes).
    :raises AlreadyAnswered: this receipt already answered about this action, or this form already sent a
        different answer; nothing was changed.
    """
    if answer not in ANSWERS or len(comment) > COMMENT_MAX:
        raise ValueError("an answer from ANSWERS and a comment of COMMENT_MAX characters at most")
    token_hash = crypto.answer_form_token_hash(form_token) if form_token else None
    try:
        with writing(session):
            if _repeated(session, token_hash, answer, comment):
                return False
            if not is_done(session, action_id, today):
                raise NotAskable()
            if receipt is not None:
                if not _linked_to_concern(session, action_id, receipt.concern_hash):
                    raise NotAskable()
                if session.scalar(sa.select(sa.literal(True)).where(
                        HelpAnswer.action_id == action_id, HelpAnswer.receipt_hash == receipt.answer_hash)):
                    raise AlreadyAnswered()
            session.add(HelpAnswer(action_id=action_id, answer=answer, comment=comment,
                                   receipt_hash=receipt.answer_hash if receipt else None,
                                   form_token_hash=token_hash))
            session.flush()
    except exc.IntegrityError:
        pass  # handled below, once the failed transaction is rolled back
    else:
        return True
    # Another POST stored first: this form's (a double click, another worker) or this receipt's (another tab).
    try:
        repeated = _repeated(session, token_hash, answer, comment)
    finally:
        session.rollback()  # never leave the session inside (on PostgreSQL: an aborted) transaction
    if repeated:
        return False
    raise AlreadyAnswered()


@dataclass(frozen=True)
class Live:
    """The exact answers about one action, for facilitators and admins only: counts and comments."""

    counts: dict[str, int]  # answer -> how many
    comments: list[tuple[str, str]]  # (answer, comment), in id order (random, never arrival order)


def live(session: orm.Session, action_id: int) -> Live:
    counts = dict.fromkeys(ANSWERS, 0)
    for answer, n in session.execute(sa.select(HelpAnswer.answer, sa.func.count())
                                     .where(HelpAnswer.action_id == action_id).group_by(HelpAnswer.answer)):
        counts[answer] = n
    comments = [(answer, comment) for answer, comment in session.execute(
        sa.select(HelpAnswer.answer, HelpAnswer.comment)
        .where(HelpAnswer.action_id == action_id, HelpAnswer.comment != "").order_by(HelpAnswer.id))]
    return Live(counts, comments)


@dataclass(frozen=True)
class Budget:
    spent: float
    total: float
    per_release: float

    @property
    def releases_left(self) -> int:
        return int((max(self.total - self.spent, 0.0) + BUDGET_SLACK) // self.per_release)


def budget(session: orm.Session, mechanism: Mechanism, total: float) -> Budget:
    spent = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(AnswerRelease.epsilon), 0.0)))
    return Budget(float(spent or 0.0), total, mechanism.histogram_epsilon(1))


def exact_counts(session: orm.Session, action_ids: list[int]) -> dict[tuple[int, str], int]:
    """The true histogram: a cell for every (action, answer), zeros too."""
    cells = {(action_id, answer): 0 for action_id in action_ids for answer in ANSWERS}
    if action_ids:
        for action_id, answer, n in session.execute(
                sa.select(HelpAnswer.action_id, HelpAnswer.answer, sa.func.count())
                .where(HelpAnswer.action_id.in_(action_ids)).group_by(HelpAnswer.action_id, HelpAnswer.answer)):
            if (action_id, answer) in cells:
                cells[(action_id, answer)] = n
    return cells


def latest_number(session: orm.Session) -> int:
    """The number of the latest answer release (0: none yet)."""
    return session.scalar(sa.select(sa.func.max(AnswerRelease.number))) or 0


def release(session: orm.Session, *, mechanism: Mechanism, total_budget: float, by: audit.Actor,
            now: datetime, after: int | None = None) -> AnswerRelease:
    """Release the answers about every published done action now, with noise, spending histogram_epsilon(1).

    after: the number of the latest answer release the facilitator saw (0: none); when another was made
    since (a double click, a colleague), nothing is spent. Checked under the lock, so two at once cannot both pass.

    :raises Refused: the answers' budget is spent, no published action is done, or a release was made since `after`.
    """
    with writing(session):
        advisory_lock(session, AdvisoryLock.RELEASES)
        latest = latest_number(session)
        if after is not None and latest != after:
            raise Refused(Sentence("Answer release %(number)s was made after this page was shown (a second press, "
                                   "or a colleague), so nothing was released again. Read the answers below, and "
                                   "release again only if you mean to.", number=latest))
        left = budget(session, mechanism, total_budget)
        if left.releases_left < 1:
            raise Refused(Sentence("The answers to “Did this help?” have spent their privacy budget (%(spent)s of "
                                   "%(total)s): they cannot be released again, so what leadership sees stays as it "
                                   "is.", spent=format(left.spent, "g"), total=format(left.total, "g")))
        action_ids = [a.id for a in done_actions(session, now.date())]
        if not action_ids:
            raise Refused(Sentence("No published action is done yet, so there are no answers to release."))
        exact = exact_counts(session, action_ids)
        noisy = mechanism.noisy_histogram({f"{a}:{answer}": n for (a, answer), n in exact.items()})
        number = latest + 1
        made = AnswerRelease(number=number, released_on=now.date(), epsilon=left.per_release, scale=mechanism.scale)
        session.add(made)
        session.flush()
        session.add_all(ReleasedAnswer(release_id=made.id, action_id=a, answer=answer, value=noisy[f"{a}:{answer}"])
                        for a, answer in exact)
        audit.record(session, by, audit.Action.ANSWER_RELEASED, now=now,
                     details={"release": number, "epsilon": left.per_release,
                              "spent": left.spent + left.per_release, "budget": left.total})
    return made


@dataclass(frozen=True)
class Released:
    """The latest answer release: its number and date, and per action its counts in words (answer -> Sentence)."""

    number: int
    released_on: date
    actions: dict[int, dict[str, Sentence]]  # "about N", "fewer than k"


def latest(session: orm.Session, k: int) -> Released | None:
    """The latest release of the answers, or None before the first."""
    made = session.scalar(sa.select(AnswerRelease).order_by(AnswerRelease.number.desc()).limit(1))
    if made is None:
        return None
    values: dict[int, dict[str, int]] = {}
    for row in session.scalars(sa.select(ReleasedAnswer).where(ReleasedAnswer.release_id == made.id)):
        values.setdefault(row.action_id, {})[row.answer] = row.value
    return Released(made.number, made.released_on,
                    {a: {answer: cell_words(Cell(cells.get(answer), k)) for answer in ANSWERS}
                     for a, cells in values.items()})
