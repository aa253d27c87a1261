"""The rate limiter's counters read back as someone holding its storage would: Redis, or a worker's memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import redis
from limits import parse

# Redis gives its clock in microseconds and expiries in milliseconds: allow for that rounding.
TOLERANCE = 0.002


@dataclass(frozen=True)
class LimitKey:
    name: str
    client: str  # the key function's part: the keyed hash standing for the client (or account)
    endpoint: str
    period: int  # the window's length in seconds
    expires_at: float  # Unix time
    read_at: float  # Unix time, by the storage's clock


def parse_key(name: str, expires_at: float, read_at: float) -> LimitKey:
    marker, prefix, client, endpoint, amount, multiples, granularity = name.removeprefix("LIMITS:").split("/")
    assert (marker, prefix) == ("LIMITER", "thf"), name
    period = parse(f"{amount} per {multiples} {granularity}").get_expiry()
    return LimitKey(name, client, endpoint, period, expires_at, read_at)


def memory_keys(storage, read_at: float) -> list[LimitKey]:
    return [parse_key(name, storage.expirations[name], read_at) for name in list(storage.storage)]


def redis_keys(url: str) -> list[LimitKey]:
    connection = redis.Redis.from_url(url)
    found = []
    for name in connection.keys("*"):
        pipe = connection.pipeline(transaction=True)  # MULTI: Redis's clock and the key's PTTL at one instant
        (seconds, micros), left = pipe.time().pttl(name).execute()
        if left >= 0:
            now = seconds + micros / 1e6
            found.append(parse_key(name.decode(), now + left / 1000, now))
    return found


def clients_under_two_endpoints(keys: list[LimitKey]) -> dict[str, set[str]]:
    endpoints = defaultdict(set)
    for key in keys:
        endpoints[key.client].add(key.endpoint)
    return {client: seen for client, seen in endpoints.items() if len(seen) > 1}


def clients_under_two_windows(keys: list[LimitKey]) -> dict[str, list[str]]:
    names = defaultdict(list)
    for key in keys:
        names[key.client].append(key.name)
    return {client: seen for client, seen in names.items() if len(seen) > 1}


def off_their_window_end(keys: list[LimitKey]) -> list[tuple[str, float]]:
    """Keys that do not expire at the end of the clock-aligned window they are in: (name, seconds off)."""
    off = []
    for key in keys:
        end = (key.read_at // key.period + 1) * key.period
        if abs(key.expires_at - end) > TOLERANCE:
            off.append((key.name, round(key.expires_at - end, 3)))
    return off
