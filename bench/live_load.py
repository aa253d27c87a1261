"""Load a live session over loopback: 1,000 audience browsers polling, one presenter screen, questions asked and
approved at a steady rate, votes arriving; how long an approved question takes to reach every screen.

    .venv/bin/python bench/live_load.py [--clients 1000] [--duration 60] [--databases sqlite postgresql]

For each database (a fresh SQLite file; a fresh PostgreSQL database `bench_live`) the script starts
`gunicorn -c gunicorn.conf.py` (the config's default workers, Redis as the rate-limit storage) on
127.0.0.1, makes a town hall and a facilitator account (the CLI's `create-user`), starts a live session and
a presenter link (feedback/services/live/sessions.py), and logs the facilitator in through the login form.
Then, for --duration seconds:

- N audience browsers (--clients), each with a cookie jar of its own: one GET of /live/<code> (session
  cookie, CSRF token from <meta name="csrf-token">, voter cookie), then GET /live/<code>/feed about every
  LIVE_POLL_SECONDS (0.9 to 1.1 times it, as static/js/live.js) with If-None-Match, each from a random moment
  within the first period;
- one presenter screen polling /present/<token>/feed the same way;
- questions at --ask-rate per second, each from a random audience browser through its page's ask form
  (a fresh GET of the page for the one-time form token, then the POST; the POST is timed: intake latency);
- a moderator polling the queue (/facilitate/live/<id>/feed, every --moderator-every seconds) and
  approving each new question as it appears, with the page's own approve form; the moment each approve
  answer returns is its approval time;
- votes at --vote-rate per second from random browsers for questions they have seen, a share of them
  (--repeat-share) repeats of a vote the browser already gave, which must count nothing.

After the asks stop, the moderator approves what is left and the screens keep polling for --grace seconds
after the last approval. Printed: for each approved question and each audience browser, the delay from
approval to the first poll answer containing `id="q-<uuid>"` (p50, p99, max, share within 3 s; never
seen counts as late), the presenter's delays, intake p50/p99, errors (any answer that is not 2xx, 3xx or
304, any connection error or timeout), lost questions (a receipt, but not in the database or never in the
moderator's queue), votes (stored per question = distinct browser/question pairs that got an answer;
repeats added nothing; the audience feed shows the stored counts), the server's CPU (utime + stime of the
gunicorn master and workers over the run, in cores) and memory (RSS and PSS summed over its processes, at
the end and the highest sampled), PostgreSQL's backends' CPU for the run's database, the load generator's
own CPU, and the whole machine's. The per-network limits (every LIVE_*_RATE_LIMIT: questions, votes, new
voter cookies; and the vote burst) are lifted for the run: every browser here is 127.0.0.1; the limiter
still counts every ask and vote in Redis.

With --runs N each database is benchmarked N times, each run on a fresh database and server, and the aims are
judged on the runs' asks and (question, browser) pairs taken together: the p99 of one run's 60 asks is its
slowest ask, of five runs' 300 the fourth slowest. --jitter 0 has every screen wait exactly the period between
polls, as the page's script did before it drew each wait.

Needs, for PostgreSQL, a server that lets this user create a database (--postgres-url) and Redis
(--ratelimit-storage). Everything listens on and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.intake_wrk import Server, cpu_seconds, fresh_postgres, machine, start_server  # noqa: E402
from feedback import audit, clock, crypto, keyfile  # noqa: E402
from feedback.config import Defaults  # noqa: E402
from feedback.db import AUDIT_KEY, make_engine  # noqa: E402
from feedback.models import LiveQuestion, LiveVote, StaffUser, Submission  # noqa: E402
from feedback.services.intake import town_halls  # noqa: E402
from feedback.services.live import sessions  # noqa: E402

POLL_JITTER = 0.1  # each wait between polls is 1 +- this times the period, as static/js/live.js's JITTER
QUESTION_ID = re.compile(rb'\bid="q-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')
UUID = rb"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
# The presenter screen marks its queue's items id="p-<uuid>" and the one on screen data-question="<uuid>".
PRESENTER_ID = re.compile(rb'(?:\bid="[pq]-|\bdata-question=")' + UUID + rb'"')
QUESTION_TAG = re.compile(rb'<li\b[^>]*\bid="q-([0-9a-f-]{36})"[^>]*>')
DATA_VOTES = re.compile(rb'\bdata-votes="(\d+)"')
META_CSRF = re.compile(r'<meta\b[^>]*\bname="csrf-token"[^>]*>')
CONTENT = re.compile(r'\bcontent="([^"]*)"')
RECEIPT = re.compile(r'id="receipt-code"[^>]*>\s*([^<\s]+)\s*<')
APPROVE = re.compile(r"/facilitate/live/q/([0-9a-f-]{36})/approve$")
MARKER = re.compile(r"\bLQ(\d+)x([0-9a-f]{6})\b")
WORDS = ("why does the call schedule on the wards keep giving the same residents the worst rotations and what "
         "will leadership do about the comments on accents in handover that people from our group keep "
         "reporting since the last town hall when we were told things would change").split()
AIM_SECONDS = 3.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000, help="audience browsers [1000]")
    parser.add_argument("--duration", type=float, default=60, help="seconds of asking, approving and voting [60]")
    parser.add_argument("--ask-rate", type=float, default=1.0, help="questions asked per second [1]")
    parser.add_argument("--vote-rate", type=float, default=10.0, help="votes per second [10]")
    parser.add_argument("--repeat-share", type=float, default=0.1,
                        help="share of votes that repeat one the same browser already gave [0.1]")
    parser.add_argument("--poll", type=float, default=None,
                        help="seconds between a screen's polls [the app's LIVE_POLL_SECONDS]")
    parser.add_argument("--jitter", type=float, default=POLL_JITTER,
                        help="each wait between a screen's polls is drawn from 1 +- this times the period [0.1, as "
                             "static/js/live.js; 0: every screen waits exactly the period, as before 5bb403b]")
    parser.add_argument("--moderator-every", type=float, default=0.5,
                        help="seconds between the moderator queue's polls [0.5]")
    parser.add_argument("--grace", type=float, default=8.0,
                        help="seconds the screens keep polling after the last approval [8]")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds before a request counts as failed [30: gunicorn's worker timeout; a browser's "
                             "fetch waits longer]")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"], help="[sqlite postgresql]")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_live",
                        help="a database this run may drop and recreate [.../bench_live]")
    parser.add_argument("--ratelimit-storage", default="redis://127.0.0.1:6379/13",
                        help="FEEDBACK_RATELIMIT_STORAGE_URI [redis://127.0.0.1:6379/13]")
    parser.add_argument("--workers", type=int, default=None, help="GUNICORN_WORKERS [the config's default]")
    parser.add_argument("--port", type=int, default=18300, help="gunicorn listens here [18300]")
    parser.add_argument("--seed", type=int, default=15, help="random seed [15]")
    parser.add_argument("--runs", type=int, default=1,
                        help="runs per database, each on a fresh database and server; with more than one, the aims "
                             "are judged on the runs' asks and (question, browser) pairs taken together [1]")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the figures here")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after the run, time N audience feed answers of each kind in this process (CPU time; "
                             "304, cached 200, rendered 200) and print cProfile's top functions of a render [0: no]")
    parser.add_argument("--calibrate", type=float, default=0, metavar="SECONDS",
                        help="before the load, SECONDS of back-to-back GETs (16 connections) of each of: the feed "
                             "answered 304, answered 200, a static file, and a bare Flask app on the same gunicorn "
                             "config: the server's CPU per request [0: no]")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (gunicorn's log)")
    return parser.parse_args()


# --- HTTP/1.1 over asyncio streams, one connection per request (sync workers close it anyway) ------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]  # names in lower case
    body: bytes
    seconds: float  # from connecting to the last byte
    done_at: float  # time.monotonic() at the last byte

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def _read_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> bytes:
    names = dict(headers)
    if "chunked" in names.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
    if "content-length" in names:
        return await reader.readexactly(int(names["content-length"]))
    return await reader.read()


async def _exchange(port: int, request: bytes, head_only: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = [(name.strip().lower(), value.strip()) for name, _, value in
                   (line.partition(":") for line in lines[1:] if line)]
        body = b"" if head_only or status in (204, 304) else await _read_body(reader, headers)
        return status, headers, body
    finally:
        writer.close()


async def http(port: int, method: str, path: str, headers: dict[str, str], body: bytes, timeout: float) -> Reply:
    headers = {"Host": f"127.0.0.1:{port}", "User-Agent": "live-load", "Accept": "text/html,*/*",
               "Connection": "close", **headers}
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    started = time.monotonic()
    status, reply_headers, reply_body = await asyncio.wait_for(_exchange(port, request, method == "HEAD"), timeout)
    done = time.monotonic()
    return Reply(status, reply_headers, reply_body, done - started, done)


class Browser:
    """A cookie jar (name -> value, path) and the requests of one browser."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.cookies: dict[str, tuple[str, str]] = {}

    def cookie_header(self, path: str) -> str:
        return "; ".join(f"{name}={value}" for name, (value, where) in self.cookies.items()
                         if path == where or path.startswith(where.rstrip("/") + "/") or where == "/")

    def absorb(self, reply: Reply) -> None:
        for key, value in reply.headers:
            if key != "set-cookie":
                continue
            pair, *attributes = [part.strip() for part in value.split(";")]
            name, _, content = pair.partition("=")
            options = {a.partition("=")[0].lower(): a.partition("=")[2] for a in attributes}
            if options.get("max-age") == "0" or "1970" in options.get("expires", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = (content, options.get("path") or "/")

    async def request(self, kind: str, method: str, path: str, headers: dict[str, str] | None = None,
                      fields: list[tuple[str, str]] | None = None) -> Reply | None:
        """The answer, or None after a connection error or timeout; counts every error under `kind`."""
        headers = dict(headers or {})
        if cookie := self.cookie_header(path):
            headers["Cookie"] = cookie
        body = urllib.parse.urlencode(fields or []).encode()
        self.run.requests[kind] += 1
        try:
            reply = await http(self.run.port, method, path, headers, body, self.run.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            self.run.errors[(kind, type(error).__name__)] += 1
            return None
        self.absorb(reply)
        if not (200 <= reply.status < 400):
            self.run.errors[(kind, str(reply.status))] += 1
        return reply


# --- HTML: the forms of a page as a browser would send them ------------------------------------------------


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)


class FormParser(HTMLParser):
    """Every form with the fields a browser would submit (checked boxes, selected options, textareas)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: tuple[str, list[str]] | None = None
        self.select: tuple[str, list[tuple[str, bool]]] | None = None
        self.option: list[str] | None = None
        self.option_attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
        elif self.form is None or "name" not in attrs and tag in ("input", "textarea", "select"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.form.fields.append((attrs["name"], attrs.get("value", "on" if kind in ("checkbox", "radio")
                                                                   else "")))
        elif tag == "textarea":
            self.textarea = (attrs["name"], [])
        elif tag == "select":
            self.select = (attrs["name"], [])
        elif tag == "option" and self.select is not None:
            self.option, self.option_attrs = [], attrs

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)
        if self.option is not None:
            self.option.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields.append((self.textarea[0], "".join(self.textarea[1]).removeprefix("\n")))
            self.textarea = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option_attrs.get("value", "".join(self.option).strip())
            self.select[1].append((value, "selected" in self.option_attrs))
            self.option = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, options = self.select
            chosen = next((value for value, selected in options if selected), options[0][0] if options else None)
            if chosen is not None:
                self.form.fields.append((name, chosen))
            self.select = None


def forms(page: str) -> list[Form]:
    parser = FormParser()
    parser.feed(page)
    parser.close()
    return parser.forms


def meta_csrf(page: str) -> str | None:
    tag = META_CSRF.search(page)
    found = CONTENT.search(tag.group(0)) if tag else None
    return found.group(1) if found else None


def question_text(rng: random.Random, number: int, run_tag: str) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
    return f"LQ{number}x{run_tag}: {words.capitalize()}?"


# --- the run ---------------------------------------------------------------------------------------------


@dataclass
class Audience:
    index: int
    browser: Browser
    csrf: str
    etag: str | None = None
    seen: dict[str, float] = field(default_factory=dict)  # question id -> monotonic time first seen


@dataclass
class Asked:
    number: int
    status: int | None
    seconds: float | None
    receipt: str | None


@dataclass
class Run:
    port: int
    timeout: float
    code: str
    live_id: int
    token: str
    poll: float
    jitter: float
    requests: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    audience: list[Audience] = field(default_factory=list)
    presenter_seen: dict[str, float] = field(default_factory=dict)
    asked: list[Asked] = field(default_factory=list)
    approved: dict[str, float] = field(default_factory=dict)  # question id -> approve answer's arrival
    approve_seconds: list[float] = field(default_factory=list)
    queue_seen: set[str] = field(default_factory=set)  # every question id the moderator's queue showed
    votes_ok: set[tuple[int, str]] = field(default_factory=set)
    votes_unsure: set[tuple[int, str]] = field(default_factory=set)  # no answer: may or may not have counted
    vote_seconds: list[float] = field(default_factory=list)
    repeats_sent: int = 0
    repeats_ok: int = 0
    feed_200: int = 0
    feed_200_same: int = 0
    feed_200_bytes: int = 0
    feed_304: int = 0
    feed_200_seconds: list[float] = field(default_factory=list)
    feed_304_seconds: list[float] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)  # the load generator's event-loop lateness
    asking: bool = True
    polling: bool = True


async def load_audience(run: Run, count: int) -> None:
    """Each browser opens the audience page once: cookies, the CSRF token."""
    limit = asyncio.Semaphore(16)
    path = f"/live/{run.code}"

    async def one(index: int) -> None:
        async with limit:
            browser = Browser(run)
            reply = await browser.request("audience page (set-up)", "GET", path)
            if reply is None or reply.status != 200:
                return
            csrf = meta_csrf(reply.text())
            if csrf is None or "live_voter" not in browser.cookies:
                run.errors[("audience page (set-up)", "no csrf-token meta or no live_voter cookie")] += 1
                return
            run.audience.append(Audience(index, browser, csrf))

    await asyncio.gather(*(one(i) for i in range(count)))
    run.audience.sort(key=lambda a: a.index)
    for position, audience in enumerate(run.audience):
        audience.index = position  # votes name browsers by their place in run.audience
    if not run.audience:
        sys.exit(f"no audience browser could open the page: {dict(run.errors)}")


async def poll_screen(run: Run, browser: Browser, path: str, seen: dict[str, float], rng: random.Random,
                      audience: Audience | None) -> None:
    """Poll like static/js/live.js: If-None-Match with the last ETag; the next poll a period (0.9 to 1.1 times
    LIVE_POLL_SECONDS, drawn each time) after the answer (longer after failures: x2, x4, ... up to x30)."""
    etag, failures, last_body = None, 0, b""
    await asyncio.sleep(rng.uniform(0, run.poll))
    kind = "audience feed" if audience is not None else "presenter feed"
    while run.polling:
        reply = await browser.request(kind, "GET", path, {"If-None-Match": etag} if etag else None)
        failures = 0 if reply is not None and reply.status in (200, 304) else failures + 1
        if reply is not None and reply.status == 200:
            etag = reply.header("etag")
            for found in (QUESTION_ID if audience is not None else PRESENTER_ID).findall(reply.body):
                seen.setdefault(found.decode(), reply.done_at)
            if audience is not None:
                run.feed_200 += 1
                run.feed_200_same += reply.body == last_body  # a new ETag, but nothing new to show
                run.feed_200_seconds.append(reply.seconds)
                run.feed_200_bytes += len(reply.body)
            last_body = reply.body
        elif reply is not None and reply.status == 304 and audience is not None:
            run.feed_304 += 1
            run.feed_304_seconds.append(reply.seconds)
        await asyncio.sleep(run.poll * rng.uniform(1 - run.jitter, 1 + run.jitter) * min(30, 2**failures))


async def ask_one(run: Run, number: int, run_tag: str, rng: random.Random) -> None:
    client = rng.choice(run.audience)
    page = await client.browser.request("ask: page", "GET", f"/live/{run.code}")
    if page is None or page.status != 200:
        run.asked.append(Asked(number, None, None, None))
        return
    form = next((f for f in forms(page.text()) if f.attrs.get("id") == "ask"), None)
    if form is None:
        run.errors[("ask: page", "no form#ask")] += 1
        run.asked.append(Asked(number, None, None, None))
        return
    fields = [(k, v) for k, v in form.fields if k != "comment"] + [("comment", question_text(rng, number, run_tag))]
    action = form.attrs.get("action") or f"/live/{run.code}/ask"
    reply = await client.browser.request("ask", "POST", action, fields=fields)
    if reply is None:
        run.asked.append(Asked(number, None, None, None))
        return
    body = reply.text()
    if reply.status in (302, 303) and (location := reply.header("location")):
        after = await client.browser.request("ask: receipt page", "GET", urllib.parse.urlsplit(location).path or "/")
        body = after.text() if after is not None else ""
    receipt = RECEIPT.search(body)
    run.asked.append(Asked(number, reply.status, reply.seconds, receipt.group(1) if receipt else None))


async def asker(run: Run, rate: float, until: float, run_tag: str, rng: random.Random) -> None:
    tasks = []
    next_at, number = time.monotonic(), 0
    while rate > 0 and next_at < until:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        number += 1
        tasks.append(asyncio.create_task(ask_one(run, number, run_tag, rng)))
        next_at += 1 / rate
    await asyncio.gather(*tasks)


async def moderator(run: Run, browser: Browser, csrf: str, every: float, last_ask_done: asyncio.Event) -> None:
    """Poll the queue; approve each new pending question with its own form, one at a time, as a person would."""
    path = f"/facilitate/live/{run.live_id}/feed"
    etag, tried, quiet_since = None, set(), None
    while True:
        reply = await browser.request("moderator queue feed", "GET", path, {"If-None-Match": etag} if etag else None)
        pending = []
        if reply is not None and reply.status == 200:
            etag = reply.header("etag")
            page = reply.text()
            run.queue_seen.update(m.decode() for m in QUESTION_ID.findall(reply.body))
            for form in forms(page):
                found = APPROVE.search(urllib.parse.urlsplit(form.attrs.get("action", "")).path)
                if found:
                    run.queue_seen.add(found.group(1))
                    if found.group(1) not in tried:
                        pending.append((found.group(1), form))
        for question, form in pending:
            tried.add(question)
            fields = form.fields if any(k == "csrf_token" for k, _ in form.fields) else [
                *form.fields, ("csrf_token", csrf)]
            answer = await browser.request("approve", "POST", form.attrs["action"], {"X-CSRFToken": csrf}, fields)
            if answer is not None and 200 <= answer.status < 400:
                run.approved[question] = answer.done_at
                run.approve_seconds.append(answer.seconds)
        if last_ask_done.is_set():
            if pending or quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > max(2.0, 3 * every):
                return  # nothing new since the asks stopped
        await asyncio.sleep(every)


async def vote_one(run: Run, rng: random.Random, repeat_share: float) -> None:
    path_of = f"/live/{run.code}/q/{{}}/vote".format
    if run.votes_ok and rng.random() < repeat_share:
        index, question = rng.choice(sorted(run.votes_ok))
        repeat = True
    else:
        for _ in range(20):
            client = rng.choice(run.audience)
            choices = [q for q in client.seen if (client.index, q) not in run.votes_ok]
            if choices:
                index, question = client.index, rng.choice(choices)
                break
        else:
            return  # nobody has seen a question yet
        repeat = False
    client = run.audience[index]
    run.repeats_sent += repeat
    # As static/js/live.js sends it: a POST without a body, the page's CSRF token in a header, JSON back.
    reply = await client.browser.request("vote", "POST", path_of(question),
                                         {"X-CSRFToken": client.csrf, "Accept": "application/json"})
    if reply is None:
        run.votes_unsure.add((index, question))
        return
    try:
        counted = reply.status == 200 and json.loads(reply.body).get("counted") is True
    except ValueError:
        counted = False
    if not counted:
        run.errors[("vote", f"not counted: {reply.text()[:80]}")] += 1
    else:
        run.vote_seconds.append(reply.seconds)
        run.repeats_ok += repeat
        run.votes_ok.add((index, question))


async def voter(run: Run, rate: float, until: float, rng: random.Random, repeat_share: float) -> None:
    tasks = []
    next_at = time.monotonic()
    while rate > 0 and next_at < until:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        tasks.append(asyncio.create_task(vote_one(run, rng, repeat_share)))
        next_at += 1 / rate
    await asyncio.gather(*tasks)


def _proc_stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def server_pids(pid: int) -> list[int]:
    try:
        return [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:
        return [pid]


def memory_mib(pids: list[int]) -> tuple[float, float]:
    """RSS and PSS (shared pages split between the processes sharing them) summed, MiB."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def cpu_of(pids: list[int]) -> dict[int, float]:
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        if (fields := _proc_stat(pid)) is not None:
            times[pid] = (int(fields[11]) + int(fields[12])) / tick
    return times


def waited_seconds(pids: list[int]) -> float:
    """Seconds the processes' threads spent runnable but waiting for a CPU so far (/proc/<pid>/task/*/schedstat):
    on a shared machine, the time other programs held the cores."""
    total = 0
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(stat.read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


def postgres_backends(url: str | None) -> list[int]:
    if url is None:
        return []
    engine = sa.create_engine(sa.make_url(url).set(database="postgres"))
    with engine.connect() as connection:
        pids = connection.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                                  {"name": sa.make_url(url).database}).scalars().all()
    engine.dispose()
    return list(pids)


async def sampler(run: Run, pid: int, memory: list[tuple[float, float]]) -> None:
    while run.polling:
        before = time.monotonic()
        await asyncio.sleep(0.5)
        run.lag.append(time.monotonic() - before - 0.5)
        memory.append(memory_mib(server_pids(pid)))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]  # nearest rank


async def drive(args, run: Run, moderator_browser: Browser, moderator_csrf: str, server: Server,
                pg_url: str | None) -> dict:
    rng = random.Random(args.seed)
    run_tag = secrets.token_hex(3)
    await load_audience(run, args.clients)
    presenter = Browser(run)
    await presenter.request("presenter page (set-up)", "GET", f"/present/{run.token}")
    memory: list[tuple[float, float]] = []
    pg_pids = postgres_backends(pg_url)
    server_before = cpu_seconds(server.process.pid)
    waited_before = waited_seconds(server_pids(server.process.pid)), waited_seconds([os.getpid()])
    pg_before = cpu_of(pg_pids)
    own_before = os.times()
    busy_before = machine_busy()
    started = time.monotonic()
    until = started + args.duration
    polls = [asyncio.create_task(poll_screen(run, a.browser, f"/live/{run.code}/feed", a.seen,
                                             random.Random(rng.random()), a)) for a in run.audience]
    polls.append(asyncio.create_task(poll_screen(run, presenter, f"/present/{run.token}/feed", run.presenter_seen,
                                                 random.Random(rng.random()), None)))
    polls.append(asyncio.create_task(sampler(run, server.process.pid, memory)))
    asks_done = asyncio.Event()
    moderating = asyncio.create_task(moderator(run, moderator_browser, moderator_csrf, args.moderator_every,
                                               asks_done))
    await asyncio.gather(asker(run, args.ask_rate, until, run_tag, random.Random(rng.random())),
                         voter(run, args.vote_rate, until, random.Random(rng.random()), args.repeat_share))
    asks_done.set()
    await moderating
    last = max(run.approved.values(), default=time.monotonic())
    await asyncio.sleep(max(0.0, last + args.grace - time.monotonic()))
    run.polling = False
    await asyncio.gather(*polls)
    wall = time.monotonic() - started
    server_cpu = cpu_seconds(server.process.pid) - server_before
    server_waited = waited_seconds(server_pids(server.process.pid)) - waited_before[0]
    own_waited = waited_seconds([os.getpid()]) - waited_before[1]
    pg_after = cpu_of(pg_pids + postgres_backends(pg_url))
    pg_cpu = sum(after - pg_before.get(pid, 0.0) for pid, after in pg_after.items())
    own_after = os.times()
    own_cpu = (own_after.user + own_after.system) - (own_before.user + own_before.system)
    busy_after = machine_busy()
    end_memory = memory_mib(server_pids(server.process.pid))
    return {"wall": wall, "server_cpu": server_cpu, "server_waited": server_waited, "own_waited": own_waited,
            "pg_cpu": pg_cpu if pg_url else None, "own_cpu": own_cpu,
            "machine_busy": busy_after[0] - busy_before[0], "machine_total": busy_after[1] - busy_before[1],
            "rss_end": end_memory[0], "pss_end": end_memory[1],
            "rss_max": max([m[0] for m in memory] + [end_memory[0]]),
            "pss_max": max([m[1] for m in memory] + [end_memory[1]]),
            "workers": len(server_pids(server.process.pid)) - 1, "run_tag": run_tag,
            "load_end": os.getloadavg()[0]}


# --- set-up: database, server, town hall, moderator, session ----------------------------------------------


def seed(url: str, env: dict[str, str], email: str, password: str) -> tuple[str, int, str, str]:
    """A town hall, a facilitator (the CLI), a running live session and a presenter link: slug, id, code, token."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "feedback", "create-user", "--email", email,
                           "--name", "Bench Moderator", "--role", "facilitator", "--password-stdin"],
                          input=password + "\n", env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"create-user failed:\n{done.stdout}\n{done.stderr}")
    engine = make_engine(url)
    try:
        audit_key = keyfile.load(env["FEEDBACK_KEYRING_PATH"]).subkey("audit-chain:v1")  # as feedback/db.py
        with orm.Session(engine, expire_on_commit=False, info={AUDIT_KEY: audit_key}) as session:
            today = date.today()
            hall = town_halls.create_town_hall(session, town_halls.NewTownHall(
                title=f"Live bench {secrets.token_hex(3)}", description="Benchmark", held_on=today,
                intake_opens_on=today - timedelta(days=1), intake_closes_on=today + timedelta(days=30)))
            staff = session.execute(sa.select(StaffUser).where(StaffUser.email == email)).scalar_one()
            actor = audit.Actor(staff.email, staff.id)
            live = sessions.start(session, hall.id, by=actor, now=clock.now())
            token = sessions.new_presenter_link(session, live.id, by=actor, now=clock.now())
            return hall.slug, live.id, live.code, token
    finally:
        engine.dispose()


async def log_in(run: Run, slug: str, email: str, password: str) -> tuple[Browser, str]:
    """The facilitator logs in through the login form and opens the live queue page: its CSRF token."""
    browser = Browser(run)
    page = await browser.request("login", "GET", "/login")
    if page is None or page.status != 200:
        sys.exit("the login page did not open")
    form = next(f for f in forms(page.text()) if any(k == "password" for k, _ in f.fields))
    fields = [(k, v) for k, v in form.fields if k not in ("email", "password")] + [
        ("email", email), ("password", password)]
    answer = await browser.request("login", "POST", form.attrs.get("action") or "/login", fields=fields)
    if answer is None or answer.status != 302:
        sys.exit(f"login failed: {answer and answer.status}\n{answer and answer.text()[:2000]}")
    queue = await browser.request("moderator queue page", "GET", f"/facilitate/live/{slug}")
    if queue is None or queue.status != 200:
        sys.exit(f"the live queue page did not open: {queue and queue.status}")
    page = queue.text()
    csrf = meta_csrf(page) or next((v for f in forms(page) for k, v in f.fields if k == "csrf_token"), None)
    if csrf is None:
        sys.exit("the live queue page has no CSRF token (neither a csrf-token meta nor a form's csrf_token)")
    return browser, csrf


def check_database(url: str, live_id: int) -> tuple[dict[str, str], dict[str, str], dict[str, int], int]:
    """(question id -> body, question id -> state, question id -> stored votes, flagged) of the session."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(LiveQuestion.submission_id, Submission.body, LiveQuestion.state,
                                                LiveQuestion.flagged)
                                      .join(Submission, Submission.id == LiveQuestion.submission_id)
                                      .where(LiveQuestion.live_session_id == live_id)).all()
            votes = connection.execute(sa.select(LiveVote.submission_id, sa.func.count())
                                       .join(LiveQuestion, LiveQuestion.submission_id == LiveVote.submission_id)
                                       .where(LiveQuestion.live_session_id == live_id)
                                       .group_by(LiveVote.submission_id)).all()
    finally:
        engine.dispose()
    return ({str(r[0]): r[1] for r in rows}, {str(r[0]): r[2] for r in rows},
            {str(v[0]): v[1] for v in votes}, sum(1 for r in rows if r[3]))


def summarise(args, run: Run, usage: dict, url: str, final_feed: bytes) -> dict:
    audience_delays, never = [], 0
    for question, approved_at in run.approved.items():
        for client in run.audience:
            seen = client.seen.get(question)
            if seen is None:
                never += 1
                audience_delays.append(float("inf"))
            else:
                audience_delays.append(max(0.0, seen - approved_at))
    within = sum(1 for d in audience_delays if d <= AIM_SECONDS)
    presenter_delays = [max(0.0, run.presenter_seen[q] - t) if q in run.presenter_seen else float("inf")
                        for q, t in run.approved.items()]
    bodies, states, stored_votes, flagged = check_database(url, run.live_id)
    by_number = {int(m.group(1)): q for q, body in bodies.items() if (m := MARKER.search(body))}
    receipts = [a for a in run.asked if a.status is not None and 200 <= a.status < 400 and a.receipt]
    lost = [a.number for a in receipts if a.number not in by_number or by_number[a.number] not in run.queue_seen]
    expected: Counter = Counter(question for _, question in run.votes_ok)
    unsure: Counter = Counter(question for pair in run.votes_unsure - run.votes_ok for question in [pair[1]])
    vote_mismatch = {q: (stored_votes.get(q, 0), expected[q]) for q in set(expected) | set(stored_votes)
                     if not (expected[q] <= stored_votes.get(q, 0) <= expected[q] + unsure[q])}
    shown = {tag.group(1).decode(): int(votes.group(1)) for tag in QUESTION_TAG.finditer(final_feed)
             if (votes := DATA_VOTES.search(tag.group(0)))}
    shown_mismatch = {q: (n, stored_votes.get(q, 0)) for q, n in shown.items() if n != stored_votes.get(q, 0)}
    intake = [a.seconds for a in run.asked if a.seconds is not None and a.status is not None and a.status < 400]
    machine_cores = os.cpu_count() or 1
    result = {
        "clients": len(run.audience), "clients_asked": args.clients, "duration": args.duration,
        "asked": len(run.asked), "receipts": len(receipts), "approved": len(run.approved),
        "questions_stored": len(bodies), "states": dict(Counter(states.values())), "lost": lost,
        "pairs": len(audience_delays), "never_seen": never, "within_3s": within / max(1, len(audience_delays)),
        "delay_p50": percentile(audience_delays, 0.50), "delay_p99": percentile(audience_delays, 0.99),
        "delay_max": max(audience_delays, default=float("nan")),
        "presenter_p50": percentile(presenter_delays, 0.5), "presenter_max": max(presenter_delays, default=0.0),
        "intake_p50": percentile(intake, 0.50), "intake_p99": percentile(intake, 0.99),
        "intake_max": max(intake, default=float("nan")), "intake_seconds": intake, "within_count": within,
        "approve_p50": percentile(run.approve_seconds, 0.5), "approve_p99": percentile(run.approve_seconds, 0.99),
        "vote_p50": percentile(run.vote_seconds, 0.5), "vote_p99": percentile(run.vote_seconds, 0.99),
        "feed_200": run.feed_200, "feed_304": run.feed_304, "feed_200_same": run.feed_200_same,
        "feed_200_kib": run.feed_200_bytes / max(1, run.feed_200) / 1024,
        "server_cpu_ms_per_request": 1000 * usage["server_cpu"] / max(1, sum(run.requests.values())),
        "feed_200_p50": percentile(run.feed_200_seconds, 0.5), "feed_200_p99": percentile(run.feed_200_seconds, 0.99),
        "feed_304_p50": percentile(run.feed_304_seconds, 0.5), "feed_304_p99": percentile(run.feed_304_seconds, 0.99),
        "requests": dict(run.requests), "requests_total": sum(run.requests.values()),
        "errors": {f"{k[0]}: {k[1]}": n for k, n in run.errors.items()}, "errors_total": sum(run.errors.values()),
        "votes_ok_pairs": len(run.votes_ok), "votes_stored": sum(stored_votes.values()),
        "votes_unsure": len(run.votes_unsure - run.votes_ok), "vote_mismatch": len(vote_mismatch),
        "repeats_sent": run.repeats_sent, "repeats_ok": run.repeats_ok, "flagged": flagged,
        "shown_checked": len(shown), "shown_mismatch": len(shown_mismatch),
        "lag_p99": percentile(run.lag, 0.99), "lag_max": max(run.lag, default=0.0),
        "server_cores": usage["server_cpu"] / usage["wall"], "own_cores": usage["own_cpu"] / usage["wall"],
        "server_waiting": usage["server_waited"] / usage["wall"], "own_waiting": usage["own_waited"] / usage["wall"],
        "pg_cores": None if usage["pg_cpu"] is None else usage["pg_cpu"] / usage["wall"],
        "machine_cores_busy": usage["machine_busy"] / usage["machine_total"] * machine_cores,
        "others_cores": (usage["machine_busy"] / usage["machine_total"] * machine_cores
                         - (usage["server_cpu"] + usage["own_cpu"] + (usage["pg_cpu"] or 0)) / usage["wall"]),
        **{k: usage[k] for k in ("wall", "rss_end", "pss_end", "rss_max", "pss_max", "workers", "load_end")},
    }
    result["aims"] = {
        "99% within 3 s": result["within_3s"] >= 0.99,
        "intake p99 < 200 ms": result["intake_p99"] < 0.2,
        "no errors": result["errors_total"] == 0,
        "no lost question": not lost,  # an ask without an answer is an error (above), not a lost question
        # a vote without an answer may have counted, once: each question's stored count is in [counted, + those]
        "votes counted once": not vote_mismatch and not shown_mismatch,
    }
    return result


def show(kind: str, r: dict) -> None:
    ms = 1000
    print(f"\n== {kind}: {r['clients']} audience browsers (of {r['clients_asked']}), 1 presenter, "
          f"{r['duration']:.0f} s of load, {r['wall']:.0f} s polled; {r['workers']} gunicorn workers")
    print(f"questions: {r['asked']} asked, {r['receipts']} receipts ({r['asked'] - r['receipts']} without: errors), "
          f"{r['questions_stored']} stored "
          f"{r['states']}, {r['approved']} approved; lost: {len(r['lost'])} {r['lost'][:10]}")
    print(f"approval -> on every audience screen: {r['pairs']} (question, browser) pairs, p50 {r['delay_p50']:.2f} s, "
          f"p99 {r['delay_p99']:.2f} s, max {r['delay_max']:.2f} s, within 3 s {100 * r['within_3s']:.2f}%, "
          f"never seen {r['never_seen']}")
    print(f"approval -> presenter screen: p50 {r['presenter_p50']:.2f} s, max {r['presenter_max']:.2f} s")
    print(f"intake (POST ask): p50 {r['intake_p50'] * ms:.0f} ms, p99 {r['intake_p99'] * ms:.0f} ms, "
          f"max {r['intake_max'] * ms:.0f} ms; approve p50 {r['approve_p50'] * ms:.0f} ms, "
          f"p99 {r['approve_p99'] * ms:.0f} ms; vote p50 {r['vote_p50'] * ms:.0f} ms, p99 {r['vote_p99'] * ms:.0f} ms")
    print(f"audience feed: {r['feed_200']} x 200 (p50 {r['feed_200_p50'] * ms:.0f} ms, p99 "
          f"{r['feed_200_p99'] * ms:.0f} ms, {r['feed_200_kib']:.1f} KiB on average, {r['feed_200_same']} the same "
          f"as the browser's previous one), {r['feed_304']} x 304 (p50 {r['feed_304_p50'] * ms:.0f} ms, p99 "
          f"{r['feed_304_p99'] * ms:.0f} ms); {r['requests_total']} requests in all, "
          f"{r['requests_total'] / r['wall']:.0f}/s, server CPU {r['server_cpu_ms_per_request']:.1f} ms a request")
    print(f"errors: {r['errors_total']} {r['errors']}")
    print(f"votes: {r['votes_ok_pairs']} distinct (browser, question) pairs answered, {r['votes_stored']} stored, "
          f"{r['votes_unsure']} unanswered; {r['repeats_sent']} repeats sent ({r['repeats_ok']} answered); "
          f"{r['vote_mismatch']} questions whose stored votes differ; feed shows the stored count for "
          f"{r['shown_checked'] - r['shown_mismatch']} of {r['shown_checked']}; {r['flagged']} flagged")
    pg = "" if r["pg_cores"] is None else f", PostgreSQL backends {r['pg_cores']:.2f}"
    print(f"CPU (cores, over the run): gunicorn {r['server_cores']:.2f}{pg}, load generator {r['own_cores']:.2f}, "
          f"whole machine {r['machine_cores_busy']:.2f} of {os.cpu_count()} (other programs "
          f"{r['others_cores']:.2f}); load average at the end "
          f"{r['load_end']:.1f}; event-loop lag p99 {r['lag_p99'] * ms:.0f} ms, max {r['lag_max'] * ms:.0f} ms")
    print(f"waiting for a CPU while runnable (threads x time / wall): gunicorn {r['server_waiting']:.2f}, "
          f"load generator {r['own_waiting']:.2f}")
    print(f"memory (gunicorn master + workers): RSS {r['rss_end']:.0f} MiB at the end, {r['rss_max']:.0f} max; "
          f"PSS {r['pss_end']:.0f} / {r['pss_max']:.0f} MiB")
    for name, c in r.get("calibration", {}).items():
        print(f"closed loop before the load, {name}: {c['per_second']:.0f} requests/s, server CPU {c['cpu_ms']:.2f} ms "
              "a request")
    if "profile_304_ms" in r:
        print(f"one process, CPU per audience feed answer ({r['profile_questions']} questions shown, "
              f"{r['profile_fragment_kib']:.1f} KiB): 304 {r['profile_304_ms']:.2f} ms, 200 from the fragment cache "
              f"{r['profile_200_cached_ms']:.2f} ms, 200 rendered after a version change "
              f"{r['profile_200_rendered_ms']:.2f} ms")
        print(r["profile_text"])
    print("aims: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in r["aims"].items()))


def profile_feed(env: dict[str, str], code: str, live_id: int, rounds: int) -> dict:
    """After the run, in this process (the Flask test client on the run's database, gunicorn stopped): the CPU
    time of an audience feed answered 304, answered 200 from the process's fragment cache, and answered 200
    after a version change (rendered), and cProfile's top functions of the last."""
    import cProfile
    import io
    import pstats

    from feedback import create_app
    from feedback.db import writing

    saved = dict(os.environ)
    # Render on every version change here (no reuse of a fragment younger than LIVE_FEED_REUSE_SECONDS).
    os.environ.update({**env, "FEEDBACK_LIVE_FEED_REUSE_SECONDS": "0"})
    try:
        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    client, feed = app.test_client(), f"/live/{code}/feed"
    session = app.extensions["feedback_db"]()

    def bump() -> None:
        with writing(session):
            sessions.bump(session, live_id)

    def cpu_ms(fetch, before=None) -> float:
        spent = 0.0
        for _ in range(rounds):
            if before is not None:
                before()
            started = time.process_time()
            fetch()
            spent += time.process_time() - started
        return 1000 * spent / rounds

    first = client.get(feed)
    tag = first.headers["ETag"]
    result = {"profile_fragment_kib": len(first.get_data()) / 1024,
              "profile_questions": len(QUESTION_ID.findall(first.get_data())),
              "profile_304_ms": cpu_ms(lambda: client.get(feed, headers={"If-None-Match": tag}))}
    client.get(feed)
    result["profile_200_cached_ms"] = cpu_ms(lambda: client.get(feed))
    result["profile_200_rendered_ms"] = cpu_ms(lambda: client.get(feed), before=bump)
    profiler = cProfile.Profile()
    for _ in range(rounds):
        bump()
        profiler.enable()
        client.get(feed)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"feedback|templates|jinja2/env", 25)
    result["profile_text"] = out.getvalue()
    session.close()
    app.extensions["feedback_engine"].dispose()
    return result


async def blast(port: int, path: str, headers: dict[str, str], seconds: float, connections: int = 16) -> int:
    """As many GETs as `connections` loops get answered in `seconds`, back to back: the requests made."""
    made = 0
    stop = time.monotonic() + seconds

    async def loop() -> None:
        nonlocal made
        while time.monotonic() < stop:
            await http(port, "GET", path, headers, b"", 30)
            made += 1

    await asyncio.gather(*(loop() for _ in range(connections)))
    return made


def calibrate(args, kind: str, work: Path, env: dict[str, str], server: Server, code: str) -> dict:
    """The server's CPU per request through gunicorn, closed loop (16 connections, before the load): an audience
    feed answered 304, one answered 200 (from the fragment cache), a static file, and the same gunicorn config
    serving bench/baseline_app.py (a bare Flask app; a GET answers 405) for what gunicorn and Flask cost alone."""
    from bench import baseline_app

    baseline_app.create_table(env["FEEDBACK_DATABASE_URL"])
    base = start_server(f"baseline-{kind}", {**env, "BASELINE_DATABASE_URL": env["FEEDBACK_DATABASE_URL"]},
                        args.port + 1, work, ["bench.baseline_app:app"], "/")
    feed = f"/live/{code}/feed"
    tag = asyncio.run(http(args.port, "GET", feed, {}, b"", 30)).header("etag") or ""
    cases = [("feed 304", server, feed, {"If-None-Match": tag}), ("feed 200", server, feed, {}),
             ("static file", server, "/static/js/live.js", {}), ("bare Flask (405)", base, "/t/x", {})]
    result = {}
    try:
        for name, target, path, headers in cases:
            before, started = cpu_seconds(target.process.pid), time.monotonic()
            made = asyncio.run(blast(target.port, path, headers, args.calibrate))
            wall = time.monotonic() - started
            time.sleep(0.3)
            result[name] = {"per_second": made / wall,
                            "cpu_ms": 1000 * (cpu_seconds(target.process.pid) - before) / max(1, made)}
    finally:
        base.stop()
    return {"calibration": result}


def bench_database(args, kind: str, work: Path, base_env: dict[str, str], number: int = 1) -> dict:
    args = argparse.Namespace(**{**vars(args), "seed": args.seed + number - 1})  # each run its own random draws
    url = (f"sqlite:///{work / f'live-{kind}-{number}.sqlite3'}" if kind == "sqlite"
           else fresh_postgres(args.postgres_url))
    env = {**base_env, "FEEDBACK_DATABASE_URL": url}
    server = start_server(f"live-{kind}", env, args.port, work, [], "/")  # its on_starting hook migrates
    try:
        # An address of its own each run: the login limit per account lives in Redis, across runs.
        email, password = f"moderator-{secrets.token_hex(4)}@bench.example.org", secrets.token_urlsafe(24)
        slug, live_id, code, token = seed(url, env, email, password)
        poll = args.poll if args.poll is not None else float(env.get("FEEDBACK_LIVE_POLL_SECONDS", 2))
        calibration = calibrate(args, kind, work, env, server, code) if args.calibrate else {}

        async def main() -> dict:
            run = Run(args.port, args.timeout, code, live_id, token, poll, args.jitter)
            moderator_browser, csrf = await log_in(run, slug, email, password)
            usage = await drive(args, run, moderator_browser, csrf, server, url if kind == "postgresql" else None)
            final = await Browser(run).request("final feed", "GET", f"/live/{code}/feed")
            return summarise(args, run, usage, url, final.body if final is not None else b"")

        result = {**asyncio.run(main()), **calibration}
    finally:
        server.stop()
    if args.profile:
        result.update(profile_feed(env, code, live_id, args.profile))
    return result


def pooled(runs: list[dict]) -> dict:
    """The aims over several runs' asks and (question, browser) pairs taken together: a p99 of 60 asks is their
    slowest; of five runs' 300, the fourth slowest."""
    intake = [seconds for r in runs for seconds in r["intake_seconds"]]
    pairs = sum(r["pairs"] for r in runs)
    within = sum(r["within_count"] for r in runs) / max(1, pairs)
    result = {"runs": len(runs), "asks": len(intake), "pairs": pairs, "within_3s": within,
              "intake_p50": percentile(intake, 0.5), "intake_p99": percentile(intake, 0.99),
              "intake_max": max(intake, default=float("nan")),
              "runs_intake_p99": [r["intake_p99"] for r in runs], "runs_within_3s": [r["within_3s"] for r in runs]}
    result["aims"] = {
        "99% within 3 s": within >= 0.99, "intake p99 < 200 ms": result["intake_p99"] < 0.2,
        **{aim: all(r["aims"][aim] for r in runs) for aim in ("no errors", "no lost question", "votes counted once")},
    }
    return result


def show_pooled(kind: str, r: dict) -> None:
    print(f"\n== {kind}, {r['runs']} runs together: {r['asks']} asks, intake p50 {r['intake_p50'] * 1000:.0f} ms, "
          f"p99 {r['intake_p99'] * 1000:.0f} ms, max {r['intake_max'] * 1000:.0f} ms (each run's p99: "
          f"{', '.join(f'{p * 1000:.0f}' for p in r['runs_intake_p99'])} ms); {r['pairs']} "
          f"(question, browser) pairs, within 3 s {100 * r['within_3s']:.2f}%")
    print("aims:", "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in r["aims"].items()))


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="thf-live-load-"))
    instance = work / "instance"
    instance.mkdir()
    keyfile.save(crypto.generate_keyring(), instance / "keyring.json")
    base_env = {**os.environ, "FEEDBACK_INSTANCE_PATH": str(instance),
                "FEEDBACK_SECRET_KEY": secrets.token_urlsafe(48),
                "FEEDBACK_KEYRING_PATH": str(instance / "keyring.json"),
                "FEEDBACK_RATELIMIT_STORAGE_URI": args.ratelimit_storage,
                # Every browser here is 127.0.0.1: lift the per-network ceilings (every LIVE_*_RATE_LIMIT: questions,
                # votes, new voter cookies, ...) and the burst flag for the run.
                **{f"FEEDBACK_{name}": "1000000 per minute" for name in dir(Defaults)
                   if name.startswith("LIVE_") and name.endswith("_RATE_LIMIT")},
                "FEEDBACK_LIVE_VOTE_BURST": "1000000 per 10 seconds"}
    if args.workers is not None:
        base_env["GUNICORN_WORKERS"] = str(args.workers)
    print(f"machine: {machine()}")
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    app_files = ["feedback", "templates", "static", "gunicorn.conf.py"]
    dirty = [line for line in subprocess.run(["git", "status", "--porcelain", "--", *app_files], cwd=ROOT,
                                             capture_output=True, text=True).stdout.splitlines() if line]
    print(f"code: {head.strip()}" + (f" with {len(dirty)} uncommitted app files" if dirty else ""))
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}; started {started}")
    results: dict[str, dict] = {}
    try:
        for kind in args.databases:
            runs = []
            for number in range(1, args.runs + 1):
                print(f"... {kind}" + (f", run {number} of {args.runs}" if args.runs > 1 else ""), flush=True)
                runs.append(bench_database(args, kind, work, base_env, number))
                show(kind, runs[-1])
            if args.runs == 1:
                results[kind] = runs[0]
            else:
                results[kind] = {"pooled": pooled(runs), "runs": runs}
                show_pooled(kind, results[kind]["pooled"])
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    met = all(all(r.get("pooled", r)["aims"].values()) for r in results.values())
    print("\nall aims:", "met" if met else "NOT met")


if __name__ == "__main__":
    main()
