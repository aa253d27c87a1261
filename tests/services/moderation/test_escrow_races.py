"""Reveals racing each other, and what request ids can tell over time."""

from __future__ import annotations

import threading

from feedback import audit, clock
from feedback.services.moderation import escrow
from tests.services.moderation.test_escrow import REASON, events, named_submission, requests
from tests.staff import make_staff


def test_two_copies_of_one_reveal_form_sent_at_once_reveal_once(app, monkeypatch):
    """Both threads read the latest request before either writes one, unless the check is serialised."""
    submission_id = named_submission(app)
    facilitator = make_staff(app, "facilitator")
    by = audit.Actor(facilitator.email, facilitator.id)
    seen = 0  # the form as shown: no request of theirs yet
    both_checked = threading.Barrier(2)
    real_open = escrow._open

    def open_when_both_checked(*args):  # each waits (up to 2 s) for the other to pass the check too
        try:
            both_checked.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return real_open(*args)

    monkeypatch.setattr(escrow, "_open", open_when_both_checked)
    outcomes: list[str] = []

    def send() -> None:
        own = app.extensions["feedback_db"]()
        try:
            escrow.reveal(own, app.extensions["feedback_keyring"], submission_id, REASON, by=by, now=clock.now(),
                          seen=seen)
            outcomes.append("revealed")
        except escrow.AlreadySent:
            outcomes.append("already sent")
        finally:
            own.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already sent", "revealed"]
    assert len(events(app, audit.Action.IDENTITY_REVEALED)) == 1 and len(requests(app)) == 1


def test_a_request_id_freed_by_a_withdrawal_is_never_given_again(app):
    """Requests 1 and 2; 2's submission is withdrawn (its requests go with it); the next request is 3, not 2:
    audit events name requests by id, and two naming 2 for two submissions would bracket the withdrawal."""
    from feedback.services.privacy import erasure
    from tests.factories import make_submission, make_town_hall

    ring = app.extensions["feedback_keyring"]
    facilitator = make_staff(app, "facilitator")
    by = audit.Actor(facilitator.email, facilitator.id)
    session = app.extensions["feedback_db"]()
    try:
        hall = make_town_hall(session)
        kept, withdrawn = (make_submission(session, ring, hall, "The rota punishes carers.", name=name,
                                           email=f"{name.lower()}@example.org") for name in ("Ines", "Tomasz"))
        for receipt in (kept, withdrawn):
            escrow.reveal(session, ring, receipt.submission_id, REASON, by=by, now=clock.now())
        assert [r.id for r in requests(app)] == [1, 2]
        assert erasure.withdraw(session, ring, withdrawn.code)
        escrow.reveal(session, ring, kept.submission_id, REASON, by=by, now=clock.now())
    finally:
        session.close()
    assert [r.id for r in requests(app)] == [1, 3]
