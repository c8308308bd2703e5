"""ORM models of the identity service (its own metadata and database)."""

from __future__ import annotations

from services.identity.models.base import Base, kernel
from services.identity.models.people import (
    ExternalId,
    Guardianship,
    TeacherTraining,
    User,
    UserRole,
)
from services.identity.models.privacy import Consent, PersonalDataAccess
from services.identity.models.school import AcademicYear, ClassGroup, ClassMembership, School
from services.identity.models.tokens import RefreshToken, SigningKey

__all__ = [
    "AcademicYear",
    "Base",
    "ClassGroup",
    "ClassMembership",
    "Consent",
    "ExternalId",
    "Guardianship",
    "PersonalDataAccess",
    "RefreshToken",
    "School",
    "SigningKey",
    "TeacherTraining",
    "User",
    "UserRole",
    "kernel",
]
