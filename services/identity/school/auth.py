"""Who may read and change the school profile and academic years (ID-4).

Every member of the school reads them (time zone and current year matter to all);
only an admin changes them. Another school's year is "not found".
"""

from __future__ import annotations

from services.common.auth import AdminPrincipal, CurrentPrincipal, Principal
from services.common.errors import Forbidden

SchoolReader = CurrentPrincipal
SchoolEditor = AdminPrincipal


def require_school_admin(principal: Principal) -> None:
    """Called after the object was found in the caller's school (404 first, then 403)."""
    if not principal.has("admin"):
        raise Forbidden("Действие доступно только администратору", code="admin-only")
