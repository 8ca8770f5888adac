"""While a thread waits on the network, its database connection serves other threads.

With the psycopg pool (``DATABASE_POOL_MAX_SIZE``), Django takes a connection from the
process's pool at a thread's first query and gives it back when it closes it. A
publishing thread spends a post mostly waiting on Meta (0.3 to 3 seconds) and a few
milliseconds on the database: giving the connection back before each wait lets a pool
of a few connections serve the many threads of a publishing worker.
"""

from django.db import connections


def release_while_waiting() -> None:
    """Before a slow request to another service: this thread's pooled connections go back.

    Only pooled ones (without a pool, the next query would open a new connection), and
    never inside a transaction (closing would lose its work): the next query takes one
    from the pool again. A loop over ``QuerySet.iterator()`` that calls Meta must run in
    a transaction, or its server-side cursor goes with the connection.
    """
    for connection in connections.all(initialized_only=True):
        if (
            connection.connection is not None
            and not connection.in_atomic_block
            and getattr(connection, "pool", None) is not None
        ):
            connection.close()
