"""The routers of the compliance service."""

from __future__ import annotations

from fastapi import APIRouter

routers: list[APIRouter] = []
EVENT_TYPES: list[str] = []
