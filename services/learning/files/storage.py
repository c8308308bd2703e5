"""File storage: content-addressed blobs in a local directory (configurable path).

A file is checked before it is kept: its size against the limit (413) and its content
type, sniffed from the first bytes and compared with the declared one, against the
types allowed for the purpose (415). Blobs are named by their SHA-256, so the same
content uploaded twice is stored once; each upload gets its own :class:`StoredFile` row.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import NotFound, PayloadTooLarge, UnsupportedMedia
from services.learning.models.files import StoredFile

CHUNK = 1024 * 1024

# Content types by purpose. Office formats are ZIP containers; text is checked as UTF-8.
DOCUMENTS = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "text/plain",
    "text/csv",
}
IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
AUDIO = {"audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4", "audio/webm"}
VIDEO = {"video/mp4", "video/webm", "video/ogg"}
ALLOWED: dict[str, set[str]] = {
    "material": DOCUMENTS | IMAGES | AUDIO | VIDEO,
    "submission": DOCUMENTS | IMAGES | AUDIO | VIDEO,
    "review_comment": AUDIO | VIDEO,
    "evidence": DOCUMENTS | IMAGES | AUDIO | VIDEO,
}
ZIP_TYPES = {t for t in DOCUMENTS if "openxmlformats" in t or "opendocument" in t}


def sniff(head: bytes) -> set[str]:
    """The content types the first bytes are consistent with (empty: unknown)."""
    if head.startswith(b"%PDF-"):
        return {"application/pdf"}
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return {"image/png"}
    if head.startswith(b"\xff\xd8\xff"):
        return {"image/jpeg"}
    if head.startswith((b"GIF87a", b"GIF89a")):
        return {"image/gif"}
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return {"image/webp"}
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return {"audio/wav"}
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return {"audio/mpeg"}
    if head.startswith(b"OggS"):
        return {"audio/ogg", "video/ogg"}
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return {"video/webm", "audio/webm"}
    if head[4:8] == b"ftyp":
        return {"video/mp4", "audio/mp4"}
    if head.startswith(b"PK\x03\x04"):
        return set(ZIP_TYPES)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still text
        if exc.start < len(head) - 3:
            return set()
    if b"\x00" in head:
        return set()
    return {"text/plain", "text/csv"}


@dataclass(frozen=True)
class StorageLimits:
    max_bytes: int


class FileStore:
    def __init__(self, root: Path, limits: StorageLimits) -> None:
        self.root = root
        self.limits = limits

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def save(
        self,
        session: AsyncSession,
        upload: UploadFile,
        *,
        school_id: uuid.UUID,
        uploaded_by: uuid.UUID | None,
        purpose: str,
    ) -> StoredFile:
        declared = (upload.content_type or "application/octet-stream").split(";")[0].strip()
        declared = declared.lower()
        allowed = ALLOWED[purpose]
        if declared not in allowed:
            raise UnsupportedMedia(
                f"Тип файла {declared} не принимается; допустимы: {', '.join(sorted(allowed))}",
                code="file-type-refused",
            )
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                while chunk := await upload.read(CHUNK):
                    size += len(chunk)
                    if size > self.limits.max_bytes:
                        raise PayloadTooLarge(
                            f"Файл больше допустимых {self.limits.max_bytes} байт",
                            code="file-too-large",
                        )
                    if len(head) < 64:
                        head += chunk[: 64 - len(head)]
                    digest.update(chunk)
                    tmp.write(chunk)
            if size == 0:
                raise UnsupportedMedia("Файл пуст", code="file-empty")
            if declared not in sniff(head):
                raise UnsupportedMedia(
                    f"Содержимое файла не соответствует заявленному типу {declared}",
                    code="file-type-mismatch",
                )
            sha = digest.hexdigest()
            target = self.path_of(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                os.unlink(tmp_name)
            else:
                os.replace(tmp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        stored = StoredFile(
            school_id=school_id,
            uploaded_by=uploaded_by,
            purpose=purpose,
            original_name=(upload.filename or "file")[:255],
            content_type=declared,
            size=size,
            sha256=sha,
        )
        session.add(stored)
        await session.flush()
        return stored

    async def get(
        self, session: AsyncSession, school_id: uuid.UUID, file_id: uuid.UUID
    ) -> StoredFile:
        stored = await session.get(StoredFile, file_id)
        if stored is None or stored.school_id != school_id:
            raise NotFound("Файл не найден", code="file-not-found")
        return stored

    def blob(self, stored: StoredFile) -> Path:
        path = self.path_of(stored.sha256)
        if not path.is_file():
            raise NotFound("Содержимое файла недоступно", code="file-content-missing")
        return path
