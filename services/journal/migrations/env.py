from services.common.migrations import run_migrations
from services.journal.models import Base
from services.journal.settings import Settings

run_migrations(Base.metadata, Settings, "journal")
