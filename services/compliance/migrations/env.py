from services.common.migrations import run_migrations
from services.compliance.models import Base
from services.compliance.settings import Settings

run_migrations(Base.metadata, Settings, "compliance")
