"""What each message says: counts and links only, never a submission's text, id, quote or identity.

A message is written when it is queued, with its links starting with BASE; the sender puts MAIL_BASE_URL
in its place (so a changed MAIL_BASE_URL applies to mail already queued).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

BASE = "{base}"
SIGNATURE = "\n\nYou chose this message in Town Hall Feedback: change what you are told at " + BASE + \
    "/account/notifications\n"


class Kind:
    """The kinds of message (OutgoingMail.kind), as the admin page names them."""

    ESCALATIONS = "escalations"
    ANSWERS = "answers"
    REVEAL_REQUESTS = "reveal_requests"
    DAILY_DIGEST = "daily_digest"
    REPLY_TO_SUBMITTER = "reply_to_submitter"


LABELS = {
    Kind.ESCALATIONS: "Escalations (to staff)",
    Kind.ANSWERS: "Answers waiting for a reply (to staff)",
    Kind.REVEAL_REQUESTS: "Reveal requests (to staff)",
    Kind.DAILY_DIGEST: "Daily digest (to staff)",
    Kind.REPLY_TO_SUBMITTER: "A reply is waiting (to a named submitter)",
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


@dataclass(frozen=True)
class HallCount:
    """A number of submissions in one town hall (its slug and title are shown to staff only)."""

    slug: str
    title: str
    count: int


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def desk_link(slug: str, query: str = "") -> str:
    """A town hall's desk (feedback.views.facilitate.desk), with a filter."""
    return f"{BASE}/facilitate/{quote(slug)}{'?' + query if query else ''}"


def _hall_lines(halls: list[HallCount], query: str) -> str:
    return "\n".join(f"- {h.title}: {h.count}\n  {desk_link(h.slug, query)}" for h in halls)


def escalations(halls: list[HallCount]) -> Message:
    total = sum(h.count for h in halls)
    return Message(
        subject=f"{_plural(total, 'submission was', 'submissions were')} escalated",
        body=f"A colleague escalated {_plural(total, 'submission', 'submissions')}. By town hall, with the "
             f"desk showing escalated submissions:\n\n{_hall_lines(halls, 'status=escalated')}" + SIGNATURE)


def answers(new: int, waiting: list[HallCount]) -> Message:
    total = sum(h.count for h in waiting)
    return Message(
        subject=f"{_plural(total, 'answer is', 'answers are')} waiting for a reply",
        body=f"Submitters sent {_plural(new, 'new answer', 'new answers')} since the last message. "
             f"{_plural(total, 'thread waits', 'threads wait')} for a reply now. By town hall, with the desk "
             f"showing threads waiting for our answer:\n\n{_hall_lines(waiting, 'unanswered=y')}" + SIGNATURE)


def reveal_request() -> Message:
    return Message(
        subject="A reveal request is waiting for your decision",
        body="A colleague asked to reveal a named submitter's identity; a second facilitator or admin must "
             f"approve or deny it. The requests waiting for a decision:\n\n{BASE}/facilitate/reveals" + SIGNATURE)


def daily_digest(day_label: str, halls: list[HallCount]) -> Message:
    total = sum(h.count for h in halls)
    return Message(
        subject=f"{_plural(total, 'new submission', 'new submissions')} on {day_label}",
        body=f"{_plural(total, 'submission was', 'submissions were')} received on {day_label}. By town hall, "
             f"with its desk:\n\n{_hall_lines(halls, '')}" + SIGNATURE)


def reply_to_submitter() -> Message:
    return Message(
        subject="There is a reply for you",
        body="There is a reply for you about what you sent to Town Hall Feedback; check it with your receipt:\n\n"
             f"{BASE}/receipt\n\nYou get this message because you gave your email and allowed us to contact "
             "you. This message holds nothing of what you wrote.\n")


def filled(text: str, base_url: str) -> str:
    """A stored subject or body with its links made absolute."""
    return text.replace(BASE, base_url.rstrip("/"))
