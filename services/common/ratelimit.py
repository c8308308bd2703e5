"""Fixed-window counters for throttling and rate limits.

In memory by default; in Redis when a URL is configured, so that several replicas
share the same counters (ID-6, GW-2).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Hit:
    count: int
    retry_after: int

    def over(self, limit: int) -> bool:
        return self.count > limit


class Counter(Protocol):
    async def hit(self, key: str, window: int, amount: int = 1) -> Hit: ...

    async def peek(self, key: str, window: int) -> Hit: ...

    async def reset(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryCounter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._data: dict[str, tuple[int, float]] = {}
        self._max_keys = max_keys

    def _current(self, key: str, now: float) -> tuple[int, float]:
        count, expires = self._data.get(key, (0, 0.0))
        if expires <= now:
            return 0, 0.0
        return count, expires

    async def hit(self, key: str, window: int, amount: int = 1) -> Hit:
        now = time.monotonic()
        count, expires = self._current(key, now)
        if not expires:
            expires = now + window
            if len(self._data) >= self._max_keys:
                self._evict(now)
        count += amount
        self._data[key] = (count, expires)
        return Hit(count, max(1, math.ceil(expires - now)))

    async def peek(self, key: str, window: int) -> Hit:
        now = time.monotonic()
        count, expires = self._current(key, now)
        return Hit(count, max(1, math.ceil(expires - now)) if expires else 0)

    async def reset(self, key: str) -> None:
        self._data.pop(key, None)

    def _evict(self, now: float) -> None:
        for k in [k for k, (_, exp) in self._data.items() if exp <= now]:
            del self._data[k]
        while len(self._data) >= self._max_keys:
            self._data.pop(next(iter(self._data)))

    async def close(self) -> None:
        self._data.clear()


class RedisCounter:
    def __init__(self, url: str, prefix: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._prefix = prefix

    async def hit(self, key: str, window: int, amount: int = 1) -> Hit:
        full = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(full, amount)
            pipe.expire(full, window, nx=True)
            pipe.pttl(full)
            count, _, ttl = await pipe.execute()
        return Hit(int(count), max(1, math.ceil(int(ttl) / 1000)) if int(ttl) > 0 else window)

    async def peek(self, key: str, window: int) -> Hit:
        full = self._prefix + key
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(full)
            pipe.pttl(full)
            raw, ttl = await pipe.execute()
        count = int(raw) if raw is not None else 0
        return Hit(count, max(1, math.ceil(int(ttl) / 1000)) if int(ttl) > 0 else 0)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


def build_counter(redis_url: str | None, prefix: str) -> Counter:
    if redis_url:
        return RedisCounter(redis_url, prefix)
    return MemoryCounter()
