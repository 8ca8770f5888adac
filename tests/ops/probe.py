"""A view that logs and enqueues a task that logs: the request id's path, end to end."""

import logging

from celery import shared_task
from django.db import transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("tests.ops.probe")


@shared_task(name="tests.ops.log_probe")
def log_probe(note: str) -> None:
    logger.info("task says %s", note)


def enqueue(request: HttpRequest) -> HttpResponse:
    note = request.GET.get("note", "hello")
    logger.info("view says %s", note)
    transaction.on_commit(lambda: log_probe.delay(note))
    return HttpResponse("queued")
