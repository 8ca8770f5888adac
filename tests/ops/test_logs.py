"""LOG_FORMAT: plain lines by default, one JSON object a line with LOG_FORMAT=json."""

import io
import json
import logging
import logging.config
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from dealer_media.ops.logs import logging_config
from dealer_media.ops.request_id import reset_request_id, set_request_id


def _handler(log_format: str) -> tuple[logging.Handler, io.StringIO]:
    """The console handler exactly as logging_config describes it, into a buffer."""
    config = logging_config(log_format=log_format)
    configurator = logging.config.DictConfigurator(config)
    handler = logging.StreamHandler(buffer := io.StringIO())
    handler.setFormatter(configurator.configure_formatter(config["formatters"][log_format]))
    handler.addFilter(configurator.configure_filter(config["filters"]["request_id"]))
    return handler, buffer


def _log_through(handler: logging.Handler, message: str, *args) -> None:
    logger = logging.getLogger("tests.ops.logs")
    logger.addHandler(handler)
    try:
        logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)


def test_json_lines_parse_and_carry_the_request_id():
    handler, buffer = _handler("json")
    token = set_request_id("req-json-3")
    try:
        _log_through(handler, "Post %s failed: %s", 42, 'Graph said "no"')
    finally:
        reset_request_id(token)
    _log_through(handler, "outside any request")
    first, second = (json.loads(line) for line in buffer.getvalue().splitlines())
    assert first["message"] == 'Post 42 failed: Graph said "no"'
    assert first["request_id"] == "req-json-3"
    assert first["level"] == "WARNING" and first["logger"] == "tests.ops.logs" and first["time"]
    assert second["request_id"] == "-"


def test_plain_lines_show_the_request_id():
    handler, buffer = _handler("plain")
    token = set_request_id("req-plain-4")
    try:
        _log_through(handler, "hello")
    finally:
        reset_request_id(token)
    assert buffer.getvalue().rstrip().endswith("WARNING tests.ops.logs [req-plain-4] hello")


def test_an_unknown_format_is_refused_in_words():
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of plain, json"):
        logging_config(log_format="xml")


def test_the_settings_read_log_format():
    script = (
        "from django.conf import settings; import django; django.setup(); import logging;"
        "logging.getLogger('probe').warning('from the settings')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "dealer_media.settings",
            "SECRET_KEY": "x",
            "LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["message"] == "from the settings" and record["request_id"] == "-"


@pytest.fixture
def celery_logging():
    """Logging as a Celery command sets it up; the test process's own, after."""
    yield
    logging.config.dictConfig(settings.LOGGING)
    logging.getLogger("celery").setLevel(logging.NOTSET)


def test_the_workers_loglevel_sets_celerys_own_lines_never_below_log_level(celery_logging):
    """``--loglevel=WARNING`` (the publishing worker): no "Task … received/succeeded" line
    per post, while the app's loggers keep LOG_LEVEL and Celery's errors show."""
    from dealer_media.celery import use_django_logging

    use_django_logging(loglevel=logging.WARNING)
    log_level = logging.getLevelName(settings.LOGGING["root"]["level"])
    assert not logging.getLogger("celery.app.trace").isEnabledFor(logging.INFO)
    assert not logging.getLogger("celery.worker.strategy").isEnabledFor(logging.INFO)
    assert logging.getLogger("celery.app.trace").isEnabledFor(logging.ERROR)
    assert logging.getLogger("publishing.engine").getEffectiveLevel() == log_level

    use_django_logging(loglevel=logging.DEBUG)  # never below LOG_LEVEL
    assert logging.getLogger("celery").getEffectiveLevel() == log_level


def test_only_the_publishing_worker_leaves_out_a_line_per_task():
    lines = dict(
        line.split(": ", 1)
        for line in (Path(settings.BASE_DIR) / "Procfile.production").read_text().splitlines()
        if line.strip()
    )
    levels = {
        name: command.split("--loglevel=")[1].split()[0]
        for name, command in lines.items()
        if "--loglevel=" in command
    }
    assert levels.pop("worker_publishing") == "WARNING"
    assert set(levels.values()) == {"INFO"}  # "post now", processing, sweeps, beat: few lines
