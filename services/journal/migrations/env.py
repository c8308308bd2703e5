from services.journal.models import Base
from services.journal.settings import Settings
from services.common.migrations import run_migrations

run_migrations(Base.metadata, Settings, "journal")
