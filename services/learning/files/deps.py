"""The file store of the app, as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.learning.files.storage import FileStore, StorageLimits


def get_store(request: Request) -> FileStore:
    store: FileStore | None = getattr(request.app.state, "file_store", None)
    if store is None:
        settings = request.app.state.settings
        store = FileStore(settings.files_path, StorageLimits(settings.max_upload_bytes))
        request.app.state.file_store = store
    return store


FileStoreDep = Annotated[FileStore, Depends(get_store)]
