"""Who may set and look up external identifiers (ID-9).

Setting and removing them is for admins (after the object is found in the caller's
school: another school's object is 404, a same-school non-admin gets 403). Lookup by
external id is for integrators working as admin or staff, within their own school.
A user's external ids are part of the full profile only, never the brief one.
"""

from __future__ import annotations

from services.identity.users.auth import StaffViewerDep, ViewerDep

ExternalIdEditor = ViewerDep
ExternalIdLookup = StaffViewerDep
