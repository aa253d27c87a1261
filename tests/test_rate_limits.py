"""Submission rate limits: a friendly 429 that keeps the text, no client address in the storage, and no time.

What the storage holds must neither tie one client's requests on two endpoints (a submission to its
withdrawal, say) nor say when in its window a counter's first request came.
"""

from __future__ import annotations

import os
import time

import pytest
import redis
import sqlalchemy as sa

from feedback.models import Submission
from tests import limit_keys
from tests.browsing import check_receipt, post_form, receipt_code, send_concern
from tests.factories import make_town_hall

REDIS_URL = os.environ.get("FEEDBACK_TEST_REDIS_URL", "")
ADDRESS = "198.51.100.23"
# A minute and a day window on every endpoint a submitter uses.
WINDOWS = {"SUBMISSION_RATE_LIMIT": "20 per minute;300 per day", "RECEIPT_RATE_LIMIT": "20 per minute;100 per day"}
SUBMITTER_ENDPOINTS = {"public.town_hall", "receipts.check", "receipts.reply", "receipts.withdraw"}


def count(app) -> int:
    session = app.extensions["feedback_db"]()
    try:
        return session.scalar(sa.select(sa.func.count()).select_from(Submission))
    finally:
        session.close()


def client_from(app, address: str = ADDRESS):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def one_submitter_does_everything(app) -> None:
    """From one address: submit, check the receipt, answer, withdraw."""
    hall = make_town_hall(app.extensions["feedback_db"]())
    client = client_from(app)
    code = receipt_code(send_concern(client, hall.slug))
    assert check_receipt(client, code).status_code == 200
    post_form(client, "/receipt/reply", "/receipt", code=code, answer="Ward 7B, mostly at night.")
    assert post_form(client, "/receipt/withdraw", "/receipt", code=code, confirm="y").status_code == 200


def assert_nothing_links_or_dates_the_requests(keys: list[limit_keys.LimitKey]) -> None:
    assert {key.endpoint for key in keys if key.period == 86400} == SUBMITTER_ENDPOINTS, keys
    assert limit_keys.clients_under_two_endpoints(keys) == {}
    assert limit_keys.clients_under_two_windows(keys) == {}
    assert limit_keys.off_their_window_end(keys) == []


# Windows are aligned to the clock, so a test that must stay inside one window uses a day's.
def test_over_the_limit_a_friendly_page_keeps_the_text_and_nothing_is_stored(make_app):
    app = make_app(SUBMISSION_RATE_LIMIT="2 per day")
    hall = make_town_hall(app.extensions["feedback_db"]())
    client = client_from(app)
    for n in range(2):
        assert send_concern(client, hall.slug, f"Concern {n}").status_code == 200
    response = send_concern(client, hall.slug, "Third one, <kept> in full")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Please wait a few minutes" in page
    assert "Third one, &lt;kept&gt; in full</textarea>" in page
    assert count(app) == 2
    assert send_concern(client_from(app, "198.51.100.99"), hall.slug, "Another person").status_code == 200


def test_reading_the_form_is_not_limited(make_app):
    app = make_app(SUBMISSION_RATE_LIMIT="1 per day")
    hall = make_town_hall(app.extensions["feedback_db"]())
    client = client_from(app)
    assert all(client.get(f"/t/{hall.slug}").status_code == 200 for _ in range(5))


def test_the_limit_storage_never_holds_the_client_address(make_app):
    app = make_app(SUBMISSION_RATE_LIMIT="5 per minute")
    hall = make_town_hall(app.extensions["feedback_db"]())
    send_concern(client_from(app), hall.slug)
    keys = list(app.extensions["feedback_limiter"].storage.storage)
    assert keys, "the limiter stored nothing"
    assert not [key for key in keys if ADDRESS in key or "198-51-100" in key]


def test_in_memory_no_counter_ties_two_endpoints_to_one_client_or_dates_its_first_request(make_app):
    app = make_app(**WINDOWS)
    one_submitter_does_everything(app)
    storage = app.extensions["feedback_limiter"].storage
    assert_nothing_links_or_dates_the_requests(limit_keys.memory_keys(storage, time.time()))


def test_when_redis_is_unreachable_submissions_still_go_through(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", SUBMISSION_RATE_LIMIT="5 per minute")
    hall = make_town_hall(app.extensions["feedback_db"]())
    assert send_concern(client_from(app), hall.slug).status_code == 200
    assert count(app) == 1


def test_the_fallback_while_redis_is_down_keeps_no_time_either(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", **WINDOWS)
    one_submitter_does_everything(app)
    fallback = app.extensions["feedback_limiter"]._fallback_storage
    assert_nothing_links_or_dates_the_requests(limit_keys.memory_keys(fallback, time.time()))


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        pytest.skip("set FEEDBACK_TEST_REDIS_URL to test against a real Redis (.ci/run does)")
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def test_with_redis_the_limit_holds_across_workers_and_keeps_no_address(make_app, redis_url):
    workers = [make_app(RATELIMIT_STORAGE_URI=redis_url, SUBMISSION_RATE_LIMIT="3 per day") for _ in range(2)]
    hall = make_town_hall(workers[0].extensions["feedback_db"]())
    statuses = [send_concern(client_from(workers[n % 2]), hall.slug, f"Concern {n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
    assert keys and not [key for key in keys if ADDRESS in key]


def test_in_redis_no_key_ties_two_endpoints_to_one_client_or_dates_its_first_request(make_app, redis_url):
    """The attack this answers: a key's PTTL gave its first hit to the ms, and one pseudonym tied endpoints."""
    app = make_app(RATELIMIT_STORAGE_URI=redis_url, **WINDOWS)
    one_submitter_does_everything(app)
    assert_nothing_links_or_dates_the_requests(limit_keys.redis_keys(redis_url))


def test_only_storages_that_keep_no_time_are_accepted(make_app):
    with pytest.raises(ValueError, match="memory:// or redis://"):
        make_app(RATELIMIT_STORAGE_URI="memcached://127.0.0.1:11211")


def test_an_app_wide_default_limit_still_applies_to_every_page(make_app):
    app = make_app(RATELIMIT_DEFAULT="2 per day")
    client = client_from(app)
    assert [client.get("/receipt").status_code for _ in range(3)] == [200, 200, 429]


def test_without_app_wide_limits_pages_skip_the_limiter_and_views_keep_theirs(make_app):
    app = make_app(SUBMISSION_RATE_LIMIT="1 per day")
    limiter = app.extensions["feedback_limiter"]
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    hall = make_town_hall(app.extensions["feedback_db"]())
    client = client_from(app)
    assert [send_concern(client, hall.slug, f"Concern {n}").status_code for n in range(2)] == [200, 429]
