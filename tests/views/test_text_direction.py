"""People's text is shown with dir="auto", so right-to-left writing displays as typed, to everyone who reads it."""

from __future__ import annotations

from html.parser import HTMLParser

from feedback import clock
from feedback.audit import SYSTEM, Actor
from feedback.services.moderation import desk, replies
from tests.browsing import check_receipt
from tests.factories import make_submission, make_theme, make_town_hall
from tests.summary_data import add, group, many, release

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Direction(HTMLParser):
    """Each piece of text on a page, with whether an element around it says dir="auto"."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, bool]] = []
        self.texts: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, dict(attrs).get("dir") == "auto"))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.texts.append((data, any(auto for _, auto in self.open)))


def shown_without_direction(html: str, *words: str) -> dict[str, list[bool]]:
    """For each of words: where it appears on the page, whether it sits in a dir="auto" element."""
    parser = _Direction()
    parser.feed(html)
    return {word: [auto for data, auto in parser.texts if word in data] for word in words}


def assert_marked_auto(html: str, *words: str) -> None:
    found = shown_without_direction(html, *words)
    for word, places in found.items():
        assert places, f"{word!r} is not on the page"
        assert all(places), f"{word!r} is shown without dir=\"auto\" around it"


def _staff_reply(db_session, submission_id, body: str) -> None:
    replies.add_staff_reply(db_session, submission_id, body, by=Actor(SYSTEM), now=clock.now())


def test_the_desk_and_a_submission_page_mark_the_text_redaction_replies_and_duplicates_auto(
        facilitator, db_session, ring):
    hall = make_town_hall(db_session, "Directions")
    theme = make_theme(db_session, "Rota")
    lead = add(db_session, ring, hall, "OriginalWords about the rota.", "published", theme,
               redacted="RedactedWords about the rota.")
    member = add(db_session, ring, hall, "MemberWords about the rota too.", "published", theme)
    group(db_session, lead, member)
    _staff_reply(db_session, lead, "StaffWords in answer.")
    replies.add_submitter_reply(db_session, lead, "AnswerWords from them.", clock.today())

    page = facilitator.get(f"/facilitate/s/{lead}").get_data(as_text=True)
    rows = facilitator.get(f"/facilitate/{hall.slug}").get_data(as_text=True)

    assert_marked_auto(page, "OriginalWords", "RedactedWords", "MemberWords", "StaffWords", "AnswerWords")
    assert_marked_auto(rows, "RedactedWords", "MemberWords")


def test_the_receipt_status_marks_the_text_its_redaction_and_replies_auto(app, db_session, ring):
    hall = make_town_hall(db_session, "Directions")
    receipt = make_submission(db_session, ring, hall, "OriginalWords of mine.")
    desk.redact(db_session, receipt.submission_id, "RedactedWords of mine.", by=Actor(SYSTEM), now=clock.now())
    _staff_reply(db_session, receipt.submission_id, "StaffWords in answer.")

    html = check_receipt(app.test_client(), receipt.code).get_data(as_text=True)

    assert_marked_auto(html, "OriginalWords", "RedactedWords", "StaffWords")


def test_leadership_quotes_on_the_summary_and_the_brief_are_marked_auto(app, leader, db_session, ring):
    hall = make_town_hall(db_session, "Directions")
    theme = make_theme(db_session, "Rota")
    many(db_session, ring, hall, [f"QuotedWords number {i}." for i in range(40)], "published", theme)
    release(app, db_session, hall)  # 40 released: the theme is quoted (noise below -35 has odds under 1e-10)

    for path in (f"/leadership/{hall.slug}", f"/leadership/{hall.slug}/brief"):
        assert_marked_auto(leader.get(path).get_data(as_text=True), "QuotedWords")


def test_the_reveal_page_marks_the_text_auto(facilitator, db_session, ring):
    hall = make_town_hall(db_session, "Directions")
    named = add(db_session, ring, hall, "NamedWords of theirs.", "pending", name="Ada Okafor")

    assert_marked_auto(facilitator.get(f"/facilitate/s/{named}/reveal").get_data(as_text=True), "NamedWords")
