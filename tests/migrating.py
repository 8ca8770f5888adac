"""Take the test database to a migration state and back, for tests of data migrations.

Like ``django-test-migrations`` by hand: ``migrate_to`` answers the models (the
historical apps) of the state it reached, so a test seeds rows as they were then.
"""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str | None]]):
    """Migrate to ``targets`` (an app's migration, or None for none); the apps at that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest() -> list[tuple[str, str]]:
    """Every app's last migration: where the tests' database has to be left."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
