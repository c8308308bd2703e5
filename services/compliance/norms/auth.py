"""Who may use the screen-device norms (CO-1, CO-2).

* rule sets and the rules in force: read by anyone signed in (and by the platform's
  services, which name the school in ``school_id``); school rule sets are written by
  the school's admin only;
* checks: teachers, administration (admin, staff) and the platform's services (learning
  asks before publishing, Reg §2.5) — not students or guardians;
* the history of checks: admin and staff of the school;
* settings: read by teachers, staff and admins, written by admins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.auth import SERVICE_ROLE, Principal, require_roles

CheckCaller = Annotated[
    Principal, Depends(require_roles("teacher", "admin", "staff", SERVICE_ROLE))
]
SettingsReader = Annotated[Principal, Depends(require_roles("teacher", "staff", "admin"))]
