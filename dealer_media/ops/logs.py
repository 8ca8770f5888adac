"""The LOGGING setting: plain lines for a terminal, or one JSON object a line (LOG_FORMAT=json).

Every record carries ``request_id`` (see request_id.py). Celery's worker and beat use
the same configuration (dealer_media/celery.py answers Celery's ``setup_logging``), so
their lines have the same shape as the web server's.
"""

from typing import Any

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
LOG_FORMATS = ("plain", "json")


def logging_config(*, log_format: str = "plain", level: str = "INFO") -> dict[str, Any]:
    """A dictConfig for the root logger; ``log_format`` is "plain" or "json"."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}.")
    formatters: dict[str, Any] = {
        "plain": {"format": PLAIN_FORMAT},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "dealer_media.ops.request_id.RequestIdFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
