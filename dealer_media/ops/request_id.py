"""A request id on every log line of a request, and of the Celery tasks it enqueued.

The id comes from a sane incoming ``X-Request-ID`` (a load balancer's or a proxy's)
or is made here; it is sent back on the response. It lives in a context variable, so
a logging filter can put it on every record, and it travels to the worker in the task
message's headers (``before_task_publish``), where ``task_prerun`` restores it and
``task_postrun`` puts back what was there before.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
MESSAGE_HEADER = "request_id"
# Letters, digits and . _ : - up to 64 characters: a UUID, a trace id, an ALB's "Root=1-…".
_SAFE_ID = re.compile(r"[A-Za-z0-9._:=\-]{1,64}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)
# task id → the token to reset at task_postrun (eager tasks run inside a request).
_task_tokens: dict[str, Token] = {}


def clean_request_id(value: str | None) -> str | None:
    """The incoming id if it is short and made of safe characters, else None."""
    if value and _SAFE_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def get_request_id() -> str | None:
    return _current.get()


def set_request_id(value: str | None) -> Token:
    return _current.set(value)


def reset_request_id(token: Token) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    """Takes or makes the request's id, for its log lines, its tasks and its response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = clean_request_id(request.headers.get(HEADER)) or new_request_id()
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record ("-" outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = get_request_id() or "-"
        return True


# --- Celery -------------------------------------------------------------------


def add_to_message(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: the enqueuing request's id goes into the message headers."""
    request_id = get_request_id()
    if request_id and headers is not None:
        headers.setdefault(MESSAGE_HEADER, request_id)


def restore_in_worker(task_id: str | None = None, task=None, **kwargs) -> None:
    """task_prerun: the task's log lines carry the id of the request that enqueued it."""
    request = getattr(task, "request", None)
    carried = clean_request_id(getattr(request, MESSAGE_HEADER, None))
    if carried is None and getattr(request, "is_eager", False):
        return  # an eager task runs inside its request: the id is already there
    if task_id:
        _task_tokens[task_id] = set_request_id(carried)


def clear_after_task(task_id: str | None = None, **kwargs) -> None:
    """task_postrun: the next task on this worker starts without the id."""
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            reset_request_id(token)
        except ValueError:  # set in another context (should not happen): just clear it
            set_request_id(None)


def connect_celery_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(add_to_message, dispatch_uid="ops_request_id_publish")
    signals.task_prerun.connect(restore_in_worker, dispatch_uid="ops_request_id_prerun")
    signals.task_postrun.connect(clear_after_task, dispatch_uid="ops_request_id_postrun")
