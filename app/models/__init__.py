"""All mapped tables: the generated models of the existing database, plus the few
tables Tablefront owns. Importing this package registers them on ``db.metadata``."""

from app import mssql_types  # noqa: F401  (operator classes of MONEY, before models)
from app.models.audit import APP_SCHEMA, AuditLog
from app.models.site_models import load_generated

generated = load_generated()

__all__ = ["APP_SCHEMA", "AuditLog"]
