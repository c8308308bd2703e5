"""The declarative base and kernel tables of the journal service."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import new_metadata
from services.common.directory import directory_models
from services.common.feed import consumer_models
from services.common.models import kernel_models
from services.common.timetable import timetable_models


class Base(DeclarativeBase):
    metadata = new_metadata()


kernel = kernel_models(Base)
# identity's directory replicated from its change feed, and the feed's cursor and inbox
directory = directory_models(Base)
consumer = consumer_models(Base)
# learning's courses, thematic plans and lessons replicated from its change feed
timetable = timetable_models(Base)
