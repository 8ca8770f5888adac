"""Run one function in several threads released at the same instant: a race, made on purpose."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(run: Callable[[], T], *, threads: int) -> list[T]:
    """``run`` in ``threads`` threads that start together; their answers, in finishing order.

    Each thread has its own database connection (closed at its end), so on PostgreSQL
    they really compete for rows.
    """
    barrier = threading.Barrier(threads)
    answers: list[T] = []

    def racer() -> None:
        try:
            barrier.wait()
            answers.append(run())
        finally:
            connection.close()

    started = [threading.Thread(target=racer) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return answers
