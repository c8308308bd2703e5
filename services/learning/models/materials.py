"""Materials and the catalogue of external platforms (LE-4, §5.13, Reg §1.3, §2.2)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.learning.models.base import Base
from services.learning.models.files import StoredFile

MATERIAL_KINDS = ("video", "lesson_scenario", "test", "own", "third_party_link")
# Kinds kept as uploaded files, kinds that are a link, and video that may be either.
FILE_KINDS = ("lesson_scenario", "test", "own")
LINK_KINDS = ("third_party_link",)
MATERIAL_LEVELS = ("primary", "basic", "secondary")
# Who reads a material: the students of its course, or the whole school (library).
MATERIAL_VISIBILITIES = ("course", "library")
MATERIAL_STATUSES = ("active", "archived")


class CataloguePlatform(IdMixin, TimestampMixin, Base):
    """An external platform links may point into.

    ``school_id`` NULL: the global catalogue of §5.13, seeded at start-up from
    ``services.learning.catalogue.data`` (upsert keyed by ``code``); otherwise a
    platform a school's administrator added for that school only.
    """

    __tablename__ = "catalogue_platforms"
    __table_args__ = (
        UniqueConstraint("school_id", "code"),
        Index(
            "uq_catalogue_platforms_global_code",
            "code",
            unique=True,
            sqlite_where=text("school_id IS NULL"),
            postgresql_where=text("school_id IS NULL"),
        ),
    )

    school_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(String(1000))
    # Lower-case IDNA names; a link's host matches a domain or any name under it.
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    # The clause of the regulation a global platform comes from ("§5.13").
    source_clause: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Material(IdMixin, TimestampMixin, Base):
    """A learning material: uploaded file(s), or a link into a catalogue platform."""

    __tablename__ = "materials"
    __table_args__ = (
        Index("ix_materials_school_id_course_id", "school_id", "course_id"),
        Index("ix_materials_school_id_visibility", "school_id", "visibility"),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # Lower-cased title and description: a substring search that folds Cyrillic case on
    # every database.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # A course that is removed leaves the material with its author and administrators.
    course_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL")
    )
    lesson_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="SET NULL"), index=True
    )
    visibility: Mapped[str] = mapped_column(String(16), default="course")
    url: Mapped[str | None] = mapped_column(String(2000))
    platform_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("catalogue_platforms.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)

    files: Mapped[list[MaterialFile]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="MaterialFile.position"
    )
    tags: Mapped[list[MaterialTag]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="MaterialTag.position"
    )
    platform: Mapped[CataloguePlatform | None] = relationship(lazy="raise")

    @property
    def levels(self) -> list[str]:
        return [t.value for t in self.tags if t.kind == "level"]

    @property
    def subjects(self) -> list[str]:
        return [t.value for t in self.tags if t.kind == "subject"]


class MaterialFile(Base):
    """A stored file of a material, in order."""

    __tablename__ = "material_files"
    __table_args__ = (UniqueConstraint("material_id", "file_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    material_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stored_files.id"))
    school_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)

    file: Mapped[StoredFile] = relationship(lazy="raise")


class MaterialTag(Base):
    """A level or subject tag; ``key`` is the case-folded value the filters compare."""

    __tablename__ = "material_tags"
    __table_args__ = (Index("ix_material_tags_school_id_kind_key", "school_id", "kind", "key"),)

    material_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # level / subject
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    school_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)
