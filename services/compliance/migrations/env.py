from services.compliance.models import Base
from services.compliance.settings import Settings
from services.common.migrations import run_migrations

run_migrations(Base.metadata, Settings, "compliance")
