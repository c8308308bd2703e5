"""Who may use opt-out applications (CO-4).

* filing: a person of the school; the service then checks the filer is a linked
  guardian of the student or the student themself at 18+ (§3.9);
* registration: admin and staff of the school;
* withdrawal: the filer or an admin;
* reading applications: admin and staff all of the school, a guardian those of linked
  children, a student their own (another child's: 404); teachers read only the list
  of students with an opt-out in their classes, which they need to prepare
  alternatives; service tokens: 403 (learning learns of opt-outs from the feed).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, require_roles

OptOutRegistrar = Annotated[Principal, Depends(require_roles("admin", "staff"))]
OptOutStudentsReader = Annotated[Principal, Depends(require_roles("teacher", "admin", "staff"))]
