from tests.gateway.database_fixtures import database, db_url

__all__ = ["database", "db_url"]
