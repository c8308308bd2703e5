"""Who may see and change guardian ↔ student links (ID-3).

Links are created and removed by an admin only (403 for a same-school non-admin;
a link of another school is 404). A person's
guardians and children are listed to whoever may see that person (see
``users.auth``); a guardian sees only linked children, and another child is "not
found". The children themselves are shown at the caller's level.
"""

from __future__ import annotations

from services.identity.users.auth import AdminViewerDep, ViewerDep

GuardianshipEditor = AdminViewerDep
LinkReader = ViewerDep
