"""Who may import a roster: admins only (ID-1: the school issues accounts)."""

from __future__ import annotations

from services.identity.users.auth import AdminViewerDep

RosterImporter = AdminViewerDep
