"""Recipients' e-mail addresses, asked from identity right before sending.

Addresses are personal data that no service but identity keeps: events and the
directory replicas carry none. The dispatcher asks
``POST /api/v1/identity/contacts/lookup`` with its service's token (identity logs every
answer in its personal-data access log) and forgets the answer once the batch is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from services.common.feed import ServiceTokenSource

LOOKUP_PATH = "/api/v1/identity/contacts/lookup"
# identity answers at most this many ids per request
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Contact:
    id: uuid.UUID
    school_id: uuid.UUID
    display_name: str
    email: str | None
    is_active: bool


class ContactsUnavailable(Exception):
    """identity could not be asked (down, refused the token, answered nonsense)."""


class ContactDirectory:
    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: ServiceTokenSource,
        identity_url: str,
        *,
        purpose: str = "notification",
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.url = identity_url.rstrip("/") + LOOKUP_PATH
        self.purpose = purpose

    async def _post(self, ids: list[uuid.UUID]) -> list[dict[str, object]]:
        body = {"user_ids": [str(i) for i in ids], "purpose": self.purpose}
        for attempt in (1, 2):
            response = await self.http.post(
                self.url, json=body, headers=await self.tokens.headers()
            )
            if response.status_code == 401 and attempt == 1:
                self.tokens.invalidate()  # expired, or signed by a rotated-out key
                continue
            if response.status_code != 200:
                raise ContactsUnavailable(f"identity: HTTP {response.status_code}")
            items = response.json().get("items")
            if not isinstance(items, list):
                raise ContactsUnavailable("identity: unexpected answer")
            return items
        raise ContactsUnavailable("identity: token refused")

    async def lookup(self, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Contact]:
        """The contacts identity knows among ``user_ids`` (unknown ids are left out)."""
        ids = sorted(set(user_ids))
        found: dict[uuid.UUID, Contact] = {}
        try:
            for start in range(0, len(ids), CHUNK):
                for item in await self._post(ids[start : start + CHUNK]):
                    contact = _contact(item)
                    found[contact.id] = contact
        except ContactsUnavailable:
            raise
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            # connection refused, timeout, token endpoint down, a body that is no JSON
            raise ContactsUnavailable(f"identity: {type(exc).__name__}: {exc}"[:300]) from exc
        return found


def _contact(item: dict[str, object]) -> Contact:
    names = [item.get("last_name"), item.get("first_name"), item.get("middle_name")]
    email = item.get("email")
    return Contact(
        id=uuid.UUID(str(item["id"])),
        school_id=uuid.UUID(str(item["school_id"])),
        display_name=" ".join(str(n) for n in names if n),
        email=str(email) if email else None,
        is_active=bool(item.get("is_active", True)),
    )
