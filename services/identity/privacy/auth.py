"""Who may handle a person's consents, access log and export (ID-10).

* consents: the person, a linked guardian (for a child), admin or staff — give,
  list, withdraw; a user the caller can't see is 404, one seen only briefly 403;
* the access log of the school: admin only; anyone sees who read their own data;
* the export: the person, a linked guardian, or an admin.
"""

from __future__ import annotations

import uuid

from services.common.errors import Forbidden
from services.identity.users.auth import AdminViewerDep, Viewer, ViewerDep

PrivacyReader = ViewerDep
AccessLogReader = AdminViewerDep


def require_consent_manager(viewer: Viewer, subject_id: uuid.UUID) -> None:
    if not viewer.may_manage_personal_data(subject_id):
        raise Forbidden(
            "Согласиями распоряжается сам человек, его законный представитель или администрация",
            code="consent-forbidden",
        )


def require_exporter(viewer: Viewer, subject_id: uuid.UUID) -> None:
    if not viewer.may_export(subject_id):
        raise Forbidden(
            "Выгрузка доступна самому человеку, его законному представителю и администратору",
            code="export-forbidden",
        )
