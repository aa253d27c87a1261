"""What each message says: counts and links only, never a submission's text, id, quote or identity.

A message is written when it is queued, in its recipient's language (wording.say), with its links starting with
BASE; the sender puts MAIL_BASE_URL in its place (so a changed MAIL_BASE_URL applies to mail already queued).
Each sentence is a whole gettext message (its numbers as %(num)s), never glued from pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from feedback.sentences import PluralSentence, Sentence
from feedback.services.notify.wording import say

BASE = "{base}"
SIGNATURE = Sentence("You chose this message in Town Hall Feedback: change what you are told at %(url)s",
                     url=BASE + "/account/notifications")


class Kind:
    """The kinds of message (OutgoingMail.kind), as the admin page names them."""

    ESCALATIONS = "escalations"
    ANSWERS = "answers"
    REVEAL_REQUESTS = "reveal_requests"
    DAILY_DIGEST = "daily_digest"
    REPLY_TO_SUBMITTER = "reply_to_submitter"


# The admin page says them with feedback.i18n.explain (str() of each is the English).
LABELS = {
    Kind.ESCALATIONS: Sentence("Escalations (to staff)"),
    Kind.ANSWERS: Sentence("Answers waiting for a reply (to staff)"),
    Kind.REVEAL_REQUESTS: Sentence("Reveal requests (to staff)"),
    Kind.DAILY_DIGEST: Sentence("Daily digest (to staff)"),
    Kind.REPLY_TO_SUBMITTER: Sentence("A reply is waiting (to a named submitter)"),
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


def desk_link(slug: str, query: str = "") -> str:
    """A town hall's desk (feedback.views.facilitate.desk), with a filter."""
    return f"{BASE}/facilitate/{quote(slug)}{'?' + query if query else ''}"


def _hall_lines(halls: list[HallCount], query: str) -> str:
    return "\n".join(f"- {h.title}: {h.count}\n  {desk_link(h.slug, query)}" for h in halls)


def _to_staff(language: str | None, *sentences: Sentence | PluralSentence, listing: str) -> str:
    """A staff message's body: its sentences, the listing, and the signature."""
    lead = " ".join(say(sentence, language) for sentence in sentences)
    return f"{lead}\n\n{listing}\n\n{say(SIGNATURE, language)}\n"


def escalations(halls: list[HallCount], language: str | None = None) -> Message:
    total = sum(h.count for h in halls)
    return Message(
        subject=say(PluralSentence("%(num)s submission was escalated", "%(num)s submissions were escalated",
                                   total), language),
        body=_to_staff(language,
                       PluralSentence("A colleague escalated %(num)s submission.",
                                      "A colleague escalated %(num)s submissions.", total),
                       Sentence("By town hall, with the desk showing escalated submissions:"),
                       listing=_hall_lines(halls, "status=escalated")))


def answers(new: int, waiting: list[HallCount], language: str | None = None) -> Message:
    total = sum(h.count for h in waiting)
    return Message(
        subject=say(PluralSentence("%(num)s answer is waiting for a reply", "%(num)s answers are waiting for a reply",
                                   total), language),
        body=_to_staff(language,
                       PluralSentence("Submitters sent %(num)s new answer since the last message.",
                                      "Submitters sent %(num)s new answers since the last message.", new),
                       PluralSentence("%(num)s thread waits for a reply now.", "%(num)s threads wait for a reply now.",
                                      total),
                       Sentence("By town hall, with the desk showing threads waiting for our answer:"),
                       listing=_hall_lines(waiting, "unanswered=y")))


def reveal_request(language: str | None = None) -> Message:
    return Message(
        subject=say(Sentence("A reveal request is waiting for your decision"), language),
        body=_to_staff(language,
                       Sentence("A colleague asked to reveal a named submitter's identity; a second facilitator or "
                                "admin must approve or deny it. The requests waiting for a decision:"),
                       listing=f"{BASE}/facilitate/reveals"))


def daily_digest(day_label: str, halls: list[HallCount], language: str | None = None) -> Message:
    total = sum(h.count for h in halls)
    return Message(
        subject=say(PluralSentence("%(num)s new submission on %(day)s", "%(num)s new submissions on %(day)s", total,
                                   day=day_label), language),
        body=_to_staff(language,
                       PluralSentence("%(num)s submission was received on %(day)s.",
                                      "%(num)s submissions were received on %(day)s.", total, day=day_label),
                       Sentence("By town hall, with its desk:"),
                       listing=_hall_lines(halls, "")))


def reply_to_submitter(language: str | None = None) -> Message:
    """To a named submitter who allowed contact, in the language they wrote in."""
    check = say(Sentence("There is a reply for you about what you sent to Town Hall Feedback; check it with your "
                         "receipt:"), language)
    why = say(Sentence("You get this message because you gave your email and allowed us to contact you. This "
                       "message holds nothing of what you wrote."), language)
    return Message(subject=say(Sentence("There is a reply for you"), language),
                   body=f"{check}\n\n{BASE}/receipt\n\n{why}\n")


def filled(text: str, base_url: str) -> str:
    """A stored subject or body with its links made absolute."""
    return text.replace(BASE, base_url.rstrip("/"))
