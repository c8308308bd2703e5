from services.learning.models import Base
from services.learning.settings import Settings
from services.common.migrations import run_migrations

run_migrations(Base.metadata, Settings, "learning")
