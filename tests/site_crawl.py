"""Browse the app as one person would: follow every same-site link (GET only) from a few start pages."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# Links a crawl leaves alone: they change who or what language the visitor is, or are files, not pages.
NOT_FOLLOWED = ("/logout", "/language/", "/static/")


@dataclass(frozen=True)
class Visit:
    url: str
    endpoint: str
    status: int
    content_type: str
    body: str


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(html: str, base: str) -> list[str]:
    """The same-site paths (with their query) the page's links go to, fragments left off."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(f"http://localhost{base}", href))
        if parts.scheme in ("http", "https") and parts.netloc == "localhost":
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def endpoint_of(app: Flask, url: str) -> str | None:
    """The endpoint a GET of url reaches, or None (no such page)."""
    parts = urlsplit(url)
    try:
        endpoint, _args = app.url_map.bind("localhost").match(parts.path, method="GET", query_args=parts.query)
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return endpoint


class Crawl:
    """One person's browsing: every page reached, at most `per_kind` URLs per endpoint and set of query
    arguments (the 250th comment's page reads like the 3rd's), so the crawl stays quick."""

    def __init__(self, app: Flask, client: FlaskClient, per_kind: int) -> None:
        self.app, self.client, self.per_kind = app, client, per_kind
        self.visits: dict[str, Visit] = {}
        self._queued: set[str] = set()
        self._kinds: Counter[tuple[str, frozenset[str]]] = Counter()

    def _wanted(self, url: str) -> str | None:
        """The url's endpoint if the crawl should fetch it, else None."""
        if url in self._queued or url.startswith(NOT_FOLLOWED):
            return None
        endpoint = endpoint_of(self.app, url)
        if endpoint is None:
            return None
        kind = (endpoint, frozenset(p.split("=")[0] for p in urlsplit(url).query.split("&") if p))
        if self._kinds[kind] >= self.per_kind:
            return None
        self._kinds[kind] += 1
        return endpoint

    def run(self, start: Iterable[str], forced: Iterable[str] = ()) -> dict[str, Visit]:
        """Fetch the start pages and every page their links lead to; forced URLs are fetched whatever the cap."""
        queue: deque[tuple[str, str]] = deque()
        for url in forced:
            endpoint = endpoint_of(self.app, url)
            if endpoint and url not in self._queued:
                self._queued.add(url)
                queue.append((url, endpoint))
        for url in start:
            self._enqueue(queue, url)
        while queue:
            url, endpoint = queue.popleft()
            visit = self._fetch(url, endpoint)
            self.visits[url] = visit
            if 300 <= visit.status < 400:
                self._enqueue(queue, visit.body)
            elif visit.content_type == "text/html":
                for found in links(visit.body, urlsplit(url).path):
                    self._enqueue(queue, found)
        return self.visits

    def _enqueue(self, queue: deque[tuple[str, str]], url: str) -> None:
        endpoint = self._wanted(url)
        if endpoint is not None:
            self._queued.add(url)
            queue.append((url, endpoint))

    def _fetch(self, url: str, endpoint: str) -> Visit:
        try:
            response = self.client.get(url)
        except Exception as error:  # noqa: BLE001  the test app propagates a view's error: one page, not the crawl
            return Visit(url, endpoint, 500, "", f"{type(error).__name__}: {error}")
        try:
            body = response.get_data(as_text=True)
            if 300 <= response.status_code < 400:
                parts = urlsplit(urljoin(f"http://localhost{url}", response.headers.get("Location", "")))
                body = parts.path + (f"?{parts.query}" if parts.query else "") if parts.netloc == "localhost" else ""
            return Visit(url, endpoint, response.status_code, response.mimetype or "", body)
        finally:
            response.close()
