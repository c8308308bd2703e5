"""The archive's files on disk (blocking I/O: called through ``asyncio.to_thread``).

Layout: ``<archive_path>/<school id>/<year id>/g<generation>/<file>``; the database keeps
each file's path relative to ``archive_path``, its size and SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def generation_dir(school_id: str, year_id: str, generation: int) -> Path:
    return Path(school_id) / year_id / f"g{generation}"


def prepare(root: Path, relative_dir: Path) -> None:
    """An empty directory for a new generation (leftovers of a failed attempt removed)."""
    target = root / relative_dir
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)


def write(root: Path, relative: Path, content: bytes) -> tuple[int, str]:
    """Write a file durably; its size and SHA-256."""
    target = root / relative
    tmp = target.with_suffix(target.suffix + ".part")
    with tmp.open("wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(target)
    return len(content), hashlib.sha256(content).hexdigest()


def discard(root: Path, relative_dir: Path) -> None:
    shutil.rmtree(root / relative_dir, ignore_errors=True)


def read_verified(root: Path, relative: str, sha256: str) -> bytes | None:
    """The file's content if it exists and matches its checksum, else None."""
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        return None
    content = target.read_bytes()
    if hashlib.sha256(content).hexdigest() != sha256:
        return None
    return content
