"""Who may read and record a teacher's DOT training (ID-7).

Records are written by an admin (a same-school non-admin gets 403). They are read by admin and staff
and by the teacher themselves; a teacher seeing another user only briefly gets 403,
and a user the caller can't see at all is "not found". Everyone who sees a teacher
sees the ``trained_for_dot`` flag on the user record.
"""

from __future__ import annotations

import uuid

from services.common.errors import Forbidden
from services.identity.users.auth import Viewer, ViewerDep, require_level

TrainingReader = ViewerDep


def require_training_reader(viewer: Viewer, teacher_id: uuid.UUID) -> None:
    require_level(viewer, teacher_id)
    if teacher_id != viewer.user_id and not viewer.is_administration:
        raise Forbidden(
            "Сведения об обучении педагога доступны ему самому и администрации",
            code="training-forbidden",
        )
