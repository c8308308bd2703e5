"""Rules of the platform catalogue and the federal list (LE-4, §5.13, §1.2, §1.6).

* The catalogue is the global list of §5.13 plus the platforms a school's
  administrator added for that school. Global platforms change only with the data
  (``catalogue/data.py``), never over the API.
* A link belongs to the platform with the most specific domain its host equals or lies
  under; a link outside the catalogue is refused by materials.
* A platform is on the federal list on a day when an entry of the list valid that day
  covers one of its domains; the day is the school's (X-1).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.directory import Directory
from services.common.errors import BadRequest, BusinessRuleError, Conflict, Forbidden, NotFound
from services.common.pagination import PageParams
from services.learning.catalogue.data import (
    FederalEntry,
    FederalList,
    FederalOrder,
    normalise_domain,
)
from services.learning.catalogue.repository import CatalogueRepository
from services.learning.catalogue.schemas import (
    FederalEntryRead,
    FederalOrderRead,
    PlatformBrief,
    PlatformCreate,
    PlatformRead,
    PlatformUpdate,
    ResolvedUrl,
)
from services.learning.models import CataloguePlatform, directory

PLATFORM_NOT_FOUND = "Платформа каталога не найдена"
CATALOGUE_NAME = "каталог платформ (§5.13 Положения)"

T = TypeVar("T")


# -- pure rules ---------------------------------------------------------------------------


def url_host(url: str) -> str:
    """The normalised host of an http(s) address (validated by the schemas already)."""
    hostname = urlsplit(url).hostname or ""
    try:
        return normalise_domain(hostname)
    except ValueError:
        raise BusinessRuleError("Имя сайта в адресе недопустимо", code="invalid-url") from None


def match_platform(platforms: Sequence[CataloguePlatform], host: str) -> CataloguePlatform | None:
    """The platform whose domain is the longest one the host equals or lies under."""
    best: tuple[int, CataloguePlatform] | None = None
    for platform in platforms:
        for domain in platform.domains or []:
            if (host == domain or host.endswith("." + domain)) and (
                best is None or len(domain) > best[0]
            ):
                best = (len(domain), platform)
    return best[1] if best else None


def scope_of(platform: CataloguePlatform) -> str:
    return "global" if platform.school_id is None else "school"


def entry_read(entry: FederalEntry, day: date) -> FederalEntryRead:
    return FederalEntryRead(
        code=entry.code,
        name=entry.name,
        provider=entry.provider,
        domains=list(entry.domains),
        order_number=entry.order_number,
        order_date=entry.order_date,
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        valid=entry.valid_on(day),
    )


def order_read(order: FederalOrder, day: date) -> FederalOrderRead:
    return FederalOrderRead(
        number=order.number,
        date=order.date,
        title=order.title,
        valid_from=order.valid_from,
        valid_to=order.valid_to,
        confirmed=order.confirmed,
        valid=order.valid_on(day),
    )


def on_federal_list(platform: CataloguePlatform, federal: FederalList, day: date) -> bool:
    return bool(federal.entries_for(platform.domains or [], day))


def platform_read(platform: CataloguePlatform, federal: FederalList, day: date) -> PlatformRead:
    entries = federal.entries_for(platform.domains or [], day)
    return PlatformRead(
        id=platform.id,
        code=platform.code,
        name=platform.name,
        category=platform.category,  # type: ignore[arg-type]
        url=platform.url,
        domains=list(platform.domains or []),
        description=platform.description,
        scope=scope_of(platform),  # type: ignore[arg-type]
        source_clause=platform.source_clause,
        position=platform.position,
        is_active=platform.is_active,
        on_federal_list=bool(entries),
        federal_entries=[entry_read(e, day) for e in entries],
        checked_on=day,
    )


def platform_brief(platform: CataloguePlatform, federal: FederalList, day: date) -> PlatformBrief:
    return PlatformBrief(
        id=platform.id,
        code=platform.code,
        name=platform.name,
        url=platform.url,
        scope=scope_of(platform),  # type: ignore[arg-type]
        on_federal_list=on_federal_list(platform, federal, day),
    )


def offset_page(items: Sequence[T], params: PageParams) -> tuple[list[T], dict[str, Any] | None]:
    """A page of a short list held in memory; the cursor is the offset."""
    after = params.after()
    start = 0
    if after is not None:
        offset = after.get("offset")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise BadRequest("Курсор повреждён или не распознан", code="invalid-cursor")
        start = offset
    end = start + params.limit
    page = list(items[start:end])
    return page, ({"offset": end} if end < len(items) else None)


# -- the service --------------------------------------------------------------------------


class CatalogueService:
    def __init__(self, session: AsyncSession, principal: Principal, federal: FederalList) -> None:
        self.session = session
        self.principal = principal
        self.school_id = principal.school_id
        self.federal = federal
        self.platforms = CatalogueRepository(session)
        self.directory = Directory(session, directory)

    async def today(self) -> date:
        return await self.directory.today(self.school_id)

    async def _day(self, on: date | None) -> date:
        return on if on is not None else await self.today()

    # -- reads ----------------------------------------------------------------------------

    async def list_platforms(
        self,
        params: PageParams,
        *,
        on: date | None,
        category: str | None,
        scope: str | None,
        federal: bool | None,
        include_inactive: bool,
    ) -> tuple[list[PlatformRead], dict[str, Any] | None]:
        day = await self._day(on)
        rows = await self.platforms.visible(
            self.school_id, include_inactive=include_inactive and self.principal.has("admin")
        )
        items = [platform_read(p, self.federal, day) for p in rows]
        items = [
            p
            for p in items
            if (category is None or p.category == category)
            and (scope is None or p.scope == scope)
            and (federal is None or p.on_federal_list == federal)
        ]
        return offset_page(items, params)

    async def _visible(self, platform_id: uuid.UUID) -> CataloguePlatform:
        platform = await self.platforms.visible_one(platform_id, self.school_id)
        if platform is None or (not platform.is_active and not self.principal.has("admin")):
            raise NotFound(PLATFORM_NOT_FOUND, code="platform-not-found")
        return platform

    async def get_platform(self, platform_id: uuid.UUID, on: date | None) -> PlatformRead:
        platform = await self._visible(platform_id)
        return platform_read(platform, self.federal, await self._day(on))

    async def active_platforms(self) -> list[CataloguePlatform]:
        return await self.platforms.visible(self.school_id)

    async def resolve(self, url: str) -> tuple[str, CataloguePlatform | None]:
        host = url_host(url)
        return host, match_platform(await self.active_platforms(), host)

    async def require_platform_for(self, url: str) -> CataloguePlatform:
        """The platform a link points into; a link outside the catalogue is refused."""
        host, platform = await self.resolve(url)
        if platform is None:
            known = [p.name for p in await self.active_platforms() if p.domains]
            raise BusinessRuleError(
                f"Ссылка ведёт на сайт {host}, которого нет в разделе «{CATALOGUE_NAME}». "
                "Допустимы ссылки на платформы каталога: " + "; ".join(known) + ". "
                "Администратор школы может добавить платформу в каталог.",
                code="url-not-in-catalogue",
                extra={"host": host},
            )
        return platform

    async def resolve_url(self, url: str, on: date | None) -> ResolvedUrl:
        host, platform = await self.resolve(url)
        day = await self._day(on)
        read = platform_read(platform, self.federal, day) if platform is not None else None
        return ResolvedUrl(
            url=url,
            host=host,
            platform=read,
            on_federal_list=bool(read and read.on_federal_list),
        )

    async def federal_entries(
        self, params: PageParams, *, on: date | None, valid: bool | None, q: str | None
    ) -> tuple[list[FederalEntryRead], dict[str, Any] | None]:
        day = await self._day(on)
        term = q.casefold() if q else None
        items = [
            entry_read(e, day)
            for e in self.federal.entries
            if (valid is None or e.valid_on(day) == valid)
            and (
                term is None
                or term in e.name.casefold()
                or term in (e.provider or "").casefold()
                or any(term in d for d in e.domains)
            )
        ]
        return offset_page(items, params)

    async def federal_orders(self, on: date | None) -> list[FederalOrderRead]:
        day = await self._day(on)
        return [order_read(o, day) for o in self.federal.orders]

    # -- a school's own platforms (admin) ------------------------------------------------

    async def _check_unique(
        self, code: str | None, domains: Sequence[str], exclude: uuid.UUID | None = None
    ) -> None:
        rows = await self.platforms.visible(self.school_id, include_inactive=True)
        for p in rows:
            if p.id == exclude:
                continue
            if code is not None and p.code == code:
                raise Conflict(
                    f"Платформа с кодом {code} уже есть в каталоге", code="platform-code-taken"
                )
            taken = set(p.domains or []) & set(domains)
            if taken and p.is_active:
                raise Conflict(
                    f"Домен {sorted(taken)[0]} уже относится к платформе «{p.name}»",
                    code="platform-domain-taken",
                )

    async def create_platform(self, body: PlatformCreate) -> PlatformRead:
        domains = list(dict.fromkeys(body.domains))
        await self._check_unique(body.code, domains)
        platform = CataloguePlatform(
            school_id=self.school_id,
            code=body.code,
            name=body.name,
            category=body.category,
            url=body.url,
            domains=domains,
            description=body.description,
            source_clause=None,
            position=await self.platforms.next_school_position(self.school_id),
            is_active=True,
        )
        await self.platforms.add(platform)
        return platform_read(platform, self.federal, await self.today())

    async def _own(self, platform_id: uuid.UUID) -> CataloguePlatform:
        platform = await self.platforms.visible_one(platform_id, self.school_id)
        if platform is None:
            raise NotFound(PLATFORM_NOT_FOUND, code="platform-not-found")
        if platform.school_id is None:
            raise Forbidden(
                "Платформы из §5.13 Положения меняются только оператором платформы",
                code="platform-read-only",
            )
        return platform

    async def update_platform(self, platform_id: uuid.UUID, body: PlatformUpdate) -> PlatformRead:
        platform = await self._own(platform_id)
        fields = body.model_fields_set
        domains = list(dict.fromkeys(body.domains)) if body.domains is not None else None
        reactivating = body.is_active is True and not platform.is_active
        if domains is not None or reactivating:
            await self._check_unique(None, domains or platform.domains, exclude=platform.id)
        if body.name is not None:
            platform.name = body.name
        if body.category is not None:
            platform.category = body.category
        if "url" in fields:
            platform.url = body.url
        if domains is not None:
            platform.domains = domains
        if "description" in fields:
            platform.description = body.description
        if body.is_active is not None:
            platform.is_active = body.is_active
        await self.session.flush()
        return platform_read(platform, self.federal, await self.today())

    async def archive_platform(self, platform_id: uuid.UUID) -> None:
        platform = await self._own(platform_id)
        platform.is_active = False
        await self.session.flush()
