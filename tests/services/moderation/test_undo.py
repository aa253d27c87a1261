"""Undo of a bulk action: its author puts back what it changed for a few minutes, audited as such."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.models import BulkChange, BulkChangeItem, DuplicateLink, Submission
from feedback.services.moderation import desk, undo
from feedback.services.themes import duplicates, tagging
from tests.browsing import post_form, text
from tests.factories import make_theme, make_town_hall, tag
from tests.services.moderation.desk_pages import add, bulk, statuses
from tests.staff import make_staff, staff_client
from tests.stored import details, events, themes_of

MINUTES = 10


@pytest.fixture
def ada(app):
    return make_staff(app, "facilitator", "ada@example.org", "Ada").actor


@pytest.fixture
def bo(app):
    return make_staff(app, "facilitator", "bo@example.org", "Bo").actor


def publish(db_session, ids, by, now, hall):
    return desk.change_status(db_session, ids, "published", town_hall_id=hall.id, by=by, now=now,
                              undo_minutes=MINUTES)


def latest_change(db_session) -> BulkChange:
    db_session.rollback()
    return db_session.scalars(sa.select(BulkChange).order_by(BulkChange.made_at.desc())).first()


def undo_it(db_session, change_id, by, now, hall):
    return undo.undo(db_session, change_id, town_hall_id=hall.id, by=by, now=now, minutes=MINUTES)


def hidden_reasons(db_session, ids) -> list[str | None]:
    db_session.rollback()
    return [db_session.get(Submission, i).hidden_reason for i in ids]


# --- status changes ---

def test_undo_puts_each_submission_back_to_the_status_and_reason_it_had(db_session, ring, hall, ada):
    now = clock.now()
    ids = [add(db_session, ring, hall), add(db_session, ring, hall, status="hidden"),
           add(db_session, ring, hall, status="escalated")]
    row = db_session.get(Submission, ids[1])
    row.hidden_reason = "spam"
    db_session.commit()
    assert publish(db_session, ids, ada, now, hall) == 3
    assert statuses(db_session, ids) == ["published"] * 3

    done = undo_it(db_session, latest_change(db_session).id, ada, now + timedelta(minutes=2), hall)

    assert done == undo.Undone("status", restored=3, skipped=0)
    assert statuses(db_session, ids) == ["pending", "hidden", "escalated"]
    assert hidden_reasons(db_session, ids) == [None, "spam", None]


def test_undo_is_audited_once_as_such_and_once_per_submission(db_session, ring, hall, ada):
    now = clock.now()
    ids = [add(db_session, ring, hall) for _ in range(2)]
    publish(db_session, ids, ada, now, hall)
    change_id = latest_change(db_session).id
    undo_it(db_session, change_id, ada, now, hall)

    [undone] = events(db_session, "bulk.undone")
    assert undone.actor == "ada@example.org" and undone.submission_id is None
    assert details(undone) == {"bulk": str(change_id), "kind": "status", "restored": 2, "skipped": 0}
    back = [e for e in events(db_session, "status_changed") if "undo" in details(e)]
    assert sorted(e.submission_id for e in back) == sorted(ids)
    for event in back:
        assert details(event) == {"from": "published", "to": "pending", "hidden_reason": None,
                                  "undo": str(change_id)}
        assert event.reason == "Undo of a bulk action"
    assert audit.first_broken_link(db_session) is None


def test_undo_leaves_alone_a_submission_someone_changed_since_and_says_so(db_session, ring, hall, ada, bo):
    now = clock.now()
    ids = [add(db_session, ring, hall) for _ in range(3)]
    publish(db_session, ids, ada, now, hall)
    change_id = latest_change(db_session).id
    desk.change_status(db_session, [ids[0]], "hidden", hidden_reason="abusive", by=bo, now=now)  # same second
    desk.change_status(db_session, [ids[1]], "escalated", note="Formal", by=ada, now=now + timedelta(minutes=1))

    done = undo_it(db_session, change_id, ada, now + timedelta(minutes=2), hall)

    assert (done.restored, done.skipped) == (1, 2)
    assert statuses(db_session, ids) == ["hidden", "escalated", "pending"]
    assert details(events(db_session, "bulk.undone")[0])["skipped"] == 2


def test_a_bulk_action_undone_cannot_be_undone_again(db_session, ring, hall, ada):
    now = clock.now()
    ids = [add(db_session, ring, hall)]
    publish(db_session, ids, ada, now, hall)
    change_id = latest_change(db_session).id
    undo_it(db_session, change_id, ada, now, hall)
    with pytest.raises(undo.CannotUndo, match="already undone"):
        undo_it(db_session, change_id, ada, now, hall)
    assert statuses(db_session, ids) == ["pending"] and len(events(db_session, "bulk.undone")) == 1


def test_a_bulk_action_older_than_the_undo_minutes_cannot_be_undone(db_session, ring, hall, ada):
    now = clock.now()
    ids = [add(db_session, ring, hall)]
    publish(db_session, ids, ada, now, hall)
    with pytest.raises(undo.CannotUndo, match="more than 10 minutes old"):
        undo_it(db_session, latest_change(db_session).id, ada, now + timedelta(minutes=MINUTES, seconds=1), hall)
    assert statuses(db_session, ids) == ["published"] and events(db_session, "bulk.undone") == []


def test_only_the_author_of_a_bulk_action_can_undo_it(db_session, ring, hall, ada, bo):
    now = clock.now()
    ids = [add(db_session, ring, hall)]
    publish(db_session, ids, ada, now, hall)
    with pytest.raises(undo.CannotUndo, match="Only the person who made a bulk action can undo it."):
        undo_it(db_session, latest_change(db_session).id, bo, now, hall)
    assert statuses(db_session, ids) == ["published"]


def test_a_vanished_or_unknown_bulk_action_gets_a_clear_message(db_session, ring, hall, ada):
    now = clock.now()
    publish(db_session, [add(db_session, ring, hall)], ada, now, hall)
    first = latest_change(db_session).id
    elsewhere = make_town_hall(db_session, "Elsewhere")
    for change_id, where in [(uuid.uuid4(), hall), (first, elsewhere)]:
        with pytest.raises(undo.CannotUndo, match="can no longer be undone: bulk actions are kept for 10 minutes"):
            undo_it(db_session, change_id, ada, now, where)
    # A new bulk action deletes those older than the undo minutes: the first one vanishes.
    publish(db_session, [add(db_session, ring, hall)], ada, now + timedelta(minutes=MINUTES + 1), hall)
    db_session.rollback()
    assert db_session.get(BulkChange, first) is None
    with pytest.raises(undo.CannotUndo, match="can no longer be undone"):
        undo_it(db_session, first, ada, now + timedelta(minutes=MINUTES + 1), hall)


def test_a_withdrawn_submission_is_simply_not_there_to_put_back(db_session, ring, hall, ada):
    now = clock.now()
    ids = [add(db_session, ring, hall) for _ in range(2)]
    publish(db_session, ids, ada, now, hall)
    db_session.execute(sa.delete(Submission).where(Submission.id == ids[0]))
    db_session.commit()
    done = undo_it(db_session, latest_change(db_session).id, ada, now, hall)
    assert (done.restored, done.skipped) == (1, 0)
    assert statuses(db_session, ids[1:]) == ["pending"]


def test_a_change_from_a_submission_page_or_a_script_is_not_kept_for_undo(db_session, ring, hall, ada):
    ids = [add(db_session, ring, hall)]
    desk.change_status(db_session, ids, "published", by=ada, now=clock.now())  # no undo_minutes: not a bulk action
    desk.change_status(db_session, ids, "hidden", hidden_reason="spam", by=audit.Actor(audit.SYSTEM),
                       now=clock.now(), undo_minutes=MINUTES)  # no staff member to offer it to
    publish(db_session, ids, ada, clock.now(), hall)
    publish(db_session, ids, ada, clock.now(), hall)  # nothing changes: nothing to undo
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(BulkChange)) == 1


def test_a_refused_bulk_action_keeps_nothing_for_undo(db_session, ring, hall, ada):
    ids = [add(db_session, ring, hall), uuid.uuid4()]
    with pytest.raises(desk.InvalidModeration):
        publish(db_session, ids, ada, clock.now(), hall)
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(BulkChangeItem)) == 0


def test_the_offer_is_made_to_the_author_only_while_it_can_be_taken(db_session, ring, hall, ada, bo):
    now = clock.now()
    publish(db_session, [add(db_session, ring, hall) for _ in range(3)], ada, now, hall)
    change_id = latest_change(db_session).id

    def offer(who, at=now, where=hall):
        return undo.offer(db_session, user_id=who.staff_id, town_hall_id=where.id, now=at, minutes=MINUTES)

    assert offer(ada) == undo.Offer(change_id, "status", 3)
    assert offer(bo) is None
    assert offer(ada, where=make_town_hall(db_session, "Elsewhere")) is None
    assert offer(ada, at=now + timedelta(minutes=MINUTES, seconds=1)) is None
    undo_it(db_session, change_id, ada, now, hall)
    assert offer(ada) is None


# --- tags ---

def test_undoing_a_bulk_tag_takes_off_the_themes_it_gave_near_duplicates_included(db_session, ring, hall, ada):
    now = clock.now()
    pay, safety, rota = (make_theme(db_session, name) for name in ("Pay", "Safety", "Rota"))
    lead, member, plain = (add(db_session, ring, hall) for _ in range(3))
    db_session.add(DuplicateLink(submission_id=member, representative_id=lead))
    db_session.commit()
    tag(db_session, plain, pay)  # had Pay before: keeps it
    tag(db_session, lead, rota)  # and an unrelated theme stays
    assert tagging.bulk_tag(db_session, [lead, plain], [pay.id, safety.id], town_hall_id=hall.id, by=ada, now=now,
                            undo_minutes=MINUTES) == 3
    change = latest_change(db_session)
    assert change.kind == "tag"

    done = undo_it(db_session, change.id, ada, now + timedelta(minutes=1), hall)

    assert done == undo.Undone("tag", restored=3, skipped=0)
    assert themes_of(db_session, lead) == {rota.id}
    assert themes_of(db_session, member) == set()
    assert themes_of(db_session, plain) == {pay.id}
    untagged = {e.submission_id: details(e) for e in events(db_session, "untag")}
    assert untagged == {lead: {"themes": ["Pay", "Safety"], "undo": str(change.id)},
                        member: {"themes": ["Pay", "Safety"], "undo": str(change.id)},
                        plain: {"themes": ["Safety"], "undo": str(change.id)}}
    assert json.loads(events(db_session, "bulk.undone")[0].details)["kind"] == "tag"


def test_undoing_a_bulk_tag_leaves_alone_a_submission_retagged_since(db_session, ring, hall, ada, bo):
    now = clock.now()
    pay, safety = make_theme(db_session, "Pay"), make_theme(db_session, "Safety")
    first, second = add(db_session, ring, hall), add(db_session, ring, hall)
    tagging.bulk_tag(db_session, [first, second], [pay.id], town_hall_id=hall.id, by=ada, now=now,
                     undo_minutes=MINUTES)
    change_id = latest_change(db_session).id
    tagging.set_themes(db_session, first, [pay.id, safety.id], by=bo, now=now + timedelta(seconds=30))

    done = undo_it(db_session, change_id, ada, now + timedelta(minutes=1), hall)

    assert (done.restored, done.skipped) == (1, 1)
    assert themes_of(db_session, first) == {pay.id, safety.id}
    assert themes_of(db_session, second) == set()


def test_undoing_a_bulk_tag_takes_its_themes_off_a_near_duplicate_that_joined_the_group_since(
        db_session, ring, hall, ada, bo):
    now = clock.now()
    pay, safety = make_theme(db_session, "Pay"), make_theme(db_session, "Safety")
    lead, member, newcomer, retagged = (add(db_session, ring, hall) for _ in range(4))
    db_session.add(DuplicateLink(submission_id=member, representative_id=lead))
    db_session.commit()
    tagging.bulk_tag(db_session, [lead], [pay.id], town_hall_id=hall.id, by=ada, now=now, undo_minutes=MINUTES)
    change_id = latest_change(db_session).id
    for joining in (newcomer, retagged):
        duplicates.group(db_session, lead, joining, by=ada, now=now + timedelta(seconds=30))
    tagging.set_themes(db_session, retagged, [pay.id, safety.id], by=bo, now=now + timedelta(seconds=40))
    undo_it(db_session, change_id, ada, now + timedelta(minutes=1), hall)

    assert themes_of(db_session, lead) == themes_of(db_session, member) == themes_of(db_session, newcomer) == set()
    assert themes_of(db_session, retagged) == {pay.id, safety.id}  # someone changed it since: left to a person
    [untag] = [e for e in events(db_session, "untag") if e.submission_id == newcomer]
    assert details(untag)["representative"] == str(lead) and details(untag)["undo"] == str(change_id)


# --- on the desk ---

UNDO_FORM = re.compile(r'<form method="post" action="(/facilitate/[a-z0-9-]+/undo/[0-9a-f-]{36})[^"]*"')


def undo_address(client, slug) -> str | None:
    found = UNDO_FORM.search(client.get(f"/facilitate/{slug}").get_data(as_text=True))
    return found and found.group(1)


def press_undo(client, slug, address):
    return post_form(client, address, f"/facilitate/{slug}")


def test_after_a_bulk_action_its_author_is_offered_undo_and_it_puts_things_back(app, db_session, ring, hall):
    ids = [add(db_session, ring, hall) for _ in range(3)]
    ada, bo = staff_client(app, "facilitator", "ada@example.org"), staff_client(app, "facilitator", "bo@example.org")
    response = bulk(ada, hall.slug, "publish", ids, query="?status=pending")
    page = text(ada.get(response.location))
    assert "3 submissions published." in page
    assert "Your last bulk action changed the status of 3 submissions. You can undo it for 10 minutes" in page
    address = undo_address(ada, hall.slug)
    assert address and undo_address(bo, hall.slug) is None  # only to its author

    response = press_undo(ada, hall.slug, address)

    assert response.status_code == 302 and response.location == f"/facilitate/{hall.slug}"
    assert "Undone: 3 submissions back to the status they had." in text(ada.get(response.location))
    assert statuses(db_session, ids) == ["pending"] * 3
    assert undo_address(ada, hall.slug) is None


def test_the_desk_offering_undo_has_no_id_twice(app, db_session, ring, hall):
    ids = [add(db_session, ring, hall) for _ in range(2)]
    ada = staff_client(app, "facilitator", "ada@example.org")
    bulk(ada, hall.slug, "publish", ids)
    page = ada.get(f"/facilitate/{hall.slug}").get_data(as_text=True)
    assert "Your last bulk action" in page
    given = re.findall(r' id="([^"]+)"', page)
    assert sorted({i for i in given if given.count(i) > 1}) == []


def test_undo_pressed_twice_or_by_someone_else_is_refused_with_a_clear_message(app, db_session, ring, hall):
    ids = [add(db_session, ring, hall) for _ in range(2)]
    ada, bo = staff_client(app, "facilitator", "ada@example.org"), staff_client(app, "admin", "bo@example.org")
    bulk(ada, hall.slug, "publish", ids)
    address = undo_address(ada, hall.slug)

    refused = press_undo(bo, hall.slug, address)
    assert refused.status_code == 409
    assert "Only the person who made a bulk action can undo it." in text(refused)
    assert statuses(db_session, ids) == ["published"] * 2

    assert press_undo(ada, hall.slug, address).status_code == 302
    again = press_undo(ada, hall.slug, address)
    assert again.status_code == 409 and "This bulk action was already undone." in text(again)
    gone = press_undo(ada, hall.slug, f"/facilitate/{hall.slug}/undo/{uuid.uuid4()}")
    assert gone.status_code == 409 and "can no longer be undone" in text(gone)


def test_undo_after_the_undo_minutes_is_refused(app, db_session, ring, hall):
    ids = [add(db_session, ring, hall)]
    ada = staff_client(app, "facilitator", "ada@example.org")
    bulk(ada, hall.slug, "publish", ids)
    address = undo_address(ada, hall.slug)
    db_session.execute(sa.update(BulkChange).values(made_at=clock.now() - timedelta(minutes=MINUTES + 1)))
    db_session.commit()
    assert undo_address(ada, hall.slug) is None
    refused = press_undo(ada, hall.slug, address)
    assert refused.status_code == 409 and "more than 10 minutes old" in text(refused)
    assert statuses(db_session, ids) == ["published"]


def test_the_undo_message_says_how_many_were_left_alone(app, db_session, ring, hall):
    ids = [add(db_session, ring, hall) for _ in range(3)]
    ada, bo = staff_client(app, "facilitator", "ada@example.org"), staff_client(app, "facilitator", "bo@example.org")
    bulk(ada, hall.slug, "publish", ids)
    bulk(bo, hall.slug, "hide", ids[:1], hidden_reason="spam")
    response = press_undo(ada, hall.slug, undo_address(ada, hall.slug))
    assert ("Undone: 2 submissions back to the status they had. 1 submission left alone: it was changed by "
            "someone since the bulk action.") in text(ada.get(response.location))
    assert statuses(db_session, ids) == ["hidden", "pending", "pending"]


def test_a_bulk_tag_on_the_desk_can_be_undone(app, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    ids = [add(db_session, ring, hall) for _ in range(2)]
    ada = staff_client(app, "facilitator", "ada@example.org")
    post_form(ada, f"/facilitate/{hall.slug}/tag", f"/facilitate/{hall.slug}", selected=[str(i) for i in ids],
              themes=[str(pay.id)])
    assert "Your last bulk action tagged 2 submissions." in text(ada.get(f"/facilitate/{hall.slug}"))
    response = press_undo(ada, hall.slug, undo_address(ada, hall.slug))
    assert "Undone: 2 submissions without the themes the bulk tag gave them." in text(ada.get(response.location))
    assert [themes_of(db_session, i) for i in ids] == [set(), set()]


def test_undo_without_its_form_token_changes_nothing(app, db_session, ring, hall):
    ids = [add(db_session, ring, hall)]
    ada = staff_client(app, "facilitator", "ada@example.org")
    bulk(ada, hall.slug, "publish", ids)
    assert ada.post(undo_address(ada, hall.slug)).status_code == 400
    assert statuses(db_session, ids) == ["published"]
