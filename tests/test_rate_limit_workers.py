"""The submission limit under gunicorn with two workers: shared through Redis, per worker when Redis is down.

Each test runs the real server (the repository's gunicorn.conf.py, 2 workers, no preload) on a fresh
instance, and posts the real form over separate connections. Ports come from DRILL_PORTS (19000-19999).
Limits are per day: windows are aligned to the clock, and a test must not straddle two of them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests import limit_keys
from tests.drill import Browser, Instance, Sent, body_for, send_one
from tests.servers import Gunicorn, free_port

REDIS_URL = os.environ.get("FEEDBACK_TEST_REDIS_URL", "")


def post_concerns(port: int, slug: str, count: int, start: int = 0) -> list[int]:
    """Post `count` concerns at once, each from a new visitor, once each (no retry); their statuses."""
    def one(index: int) -> int:
        sent = Sent(index=index, marker=str(index), body=body_for("limit", index), named=False)
        send_one(Browser(port), slug, sent, retry=False)
        return sent.status

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(start, start + count)))


@pytest.fixture
def serve(tmp_path, gunicorn):
    """serve(limit, storage_uri) -> a started gunicorn (2 workers) with that submission limit, and its town hall."""
    sites = []

    def start(limit: str, storage_uri: str) -> tuple[Gunicorn, str]:
        instance = Instance(tmp_path / f"site{len(sites)}", SUBMISSION_RATE_LIMIT=limit,
                            RATELIMIT_STORAGE_URI=storage_uri)
        sites.append(instance)
        slug = instance.prepare("Rate limits")
        return gunicorn(instance.env, instance.path.parent / "gunicorn.log", workers=2), slug

    return start


def test_with_redis_the_limit_holds_for_the_whole_deployment(serve):
    if not REDIS_URL:
        pytest.skip("set FEEDBACK_TEST_REDIS_URL to test against a real Redis (.ci/run does)")
    redis.Redis.from_url(REDIS_URL).flushdb()
    server, slug = serve("5 per day", REDIS_URL)
    first = post_concerns(server.port, slug, 3)
    assert first == [200, 200, 200]
    # Every worker dies and new ones start with empty memories: only a shared count can still hold.
    server.kill_every_worker()
    server.wait_for_workers()
    second = post_concerns(server.port, slug, 7, start=3)
    assert sorted(second) == [200, 200] + [429] * 5, second
    # The deployment's counter, as Redis holds it, says the day and nothing finer.
    keys = limit_keys.redis_keys(REDIS_URL)
    assert [key.endpoint for key in keys] == ["public.town_hall"], keys
    assert limit_keys.off_their_window_end(keys) == []


def test_in_memory_the_limit_is_per_worker_which_is_why_redis_is_needed(serve):
    """The control for the test above: without shared storage, new workers forget the count."""
    server, slug = serve("3 per day", "memory://")
    assert post_concerns(server.port, slug, 3) == [200, 200, 200]
    server.kill_every_worker()
    server.wait_for_workers()
    assert 200 in post_concerns(server.port, slug, 3, start=3)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, to stop half-way (the shared one is never touched)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed (Debian's redis-server package; CI has it)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.1)
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def test_when_redis_goes_down_submissions_fall_back_to_per_worker_limits_not_500(serve, private_redis):
    process, url = private_redis
    server, slug = serve("3 per day", url)
    assert sorted(post_concerns(server.port, slug, 5)) == [200, 200, 200, 429, 429]
    process.kill()
    process.wait(timeout=10)
    after = post_concerns(server.port, slug, 10, start=5)
    assert not [status for status in after if status >= 500 or status == 0], after
    # Each worker now counts on its own (3 each): at least one worker's worth, at most both workers'.
    assert 3 <= after.count(200) <= 6 and set(after) <= {200, 429}, after


def test_when_redis_is_unreachable_from_the_start_submissions_are_still_taken(serve):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    server, slug = serve("2 per day", closed)
    statuses = post_concerns(server.port, slug, 6)
    assert not [status for status in statuses if status >= 500 or status == 0], statuses
    assert 2 <= statuses.count(200) <= 4 and set(statuses) <= {200, 429}, statuses
