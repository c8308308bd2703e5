from services.common.migrations import run_migrations
from services.learning.models import Base
from services.learning.settings import Settings

run_migrations(Base.metadata, Settings, "learning")
