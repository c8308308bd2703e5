from services.common.migrations import run_migrations
from services.identity.models import Base
from services.identity.settings import Settings

run_migrations(Base.metadata, Settings, "identity")
