"""X-Request-ID: taken or made, sent back, on every log line of the request and of its tasks."""

import io
import json
import logging
import uuid
from pathlib import Path

import pytest

from dealer_media.celery import app
from dealer_media.ops.request_id import get_request_id, set_request_id
from tests.processes import celery_worker, sending_to, wait_for

from .probe import log_probe

pytestmark = pytest.mark.urls("tests.ops.urls")


@pytest.fixture
def console():
    """The configured console handler (settings.LOGGING), writing into a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.fixture
def through_the_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_a_fresh_id_is_made_and_sent_back(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_incoming_id_is_kept(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="Root=1-67891233-abcdef012345")
    assert response["X-Request-ID"] == "Root=1-67891233-abcdef012345"


@pytest.mark.parametrize(
    "incoming", ["a" * 65, "two words", "<script>", "line\nbreak", "é-accent", ""]
)
def test_an_odd_incoming_id_is_replaced(client, incoming):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db(transaction=True)
def test_the_request_and_its_eager_task_log_the_same_id(client, console):
    response = client.get("/ops-probe/?note=eager", HTTP_X_REQUEST_ID="req-eager-1")
    assert response.status_code == 200
    lines = console.getvalue().splitlines()
    view = next(line for line in lines if "view says eager" in line)
    task = next(line for line in lines if "task says eager" in line)
    assert "[req-eager-1]" in view and "[req-eager-1]" in task
    assert get_request_id() is None  # nothing left behind after the request


def test_the_published_message_carries_the_id_in_its_headers(tmp_path, through_the_broker):
    """A real publish on the filesystem transport; the message file is read back."""
    folder = tmp_path / "broker"
    folder.mkdir()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with app.connection_for_write(
        "filesystem://",
        transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder)},
    ) as connection:
        token = set_request_id("req-published-7")
        try:
            log_probe.apply_async(("published",), queue=queue, connection=connection)
        finally:
            set_request_id(None)
            del token
    (message_file,) = list(Path(folder).glob("*.msg"))
    message = json.loads(message_file.read_text())
    assert message["headers"]["request_id"] == "req-published-7"
    assert message["headers"]["task"] == "tests.ops.log_probe"


def test_a_task_published_outside_a_request_carries_no_id(tmp_path, through_the_broker):
    folder = tmp_path / "broker"
    folder.mkdir()
    with app.connection_for_write(
        "filesystem://",
        transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder)},
    ) as connection:
        log_probe.apply_async(("quiet",), queue="test-quiet", connection=connection)
    (message_file,) = list(Path(folder).glob("*.msg"))
    assert "request_id" not in json.loads(message_file.read_text())["headers"]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_the_requests_id_in_json(client, console, through_the_broker):
    """Through the broker to a worker process with LOG_FORMAT=json: every line parses."""
    with celery_worker(
        DJANGO_SETTINGS_MODULE="tests.ops.worker_settings", LOG_FORMAT="json"
    ) as worker:
        with sending_to(worker.queue):
            client.get("/ops-probe/?note=through-the-broker", HTTP_X_REQUEST_ID="req-worker-9")
        wait_for(lambda: "task says through-the-broker" in worker.log, timeout=60)
        wait_for(lambda: "succeeded" in worker.log, timeout=10)
        log = worker.log
    assert "[req-worker-9]" in next(
        line for line in console.getvalue().splitlines() if "view says through-the-broker" in line
    )
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert records, log
    said = next(r for r in records if r["message"] == "task says through-the-broker")
    assert said["request_id"] == "req-worker-9"
    assert said["logger"] == "tests.ops.probe" and said["level"] == "INFO" and said["time"]
    succeeded = next(r for r in records if "succeeded" in r["message"])
    assert succeeded["request_id"] == "req-worker-9"
    # The worker's own lines (startup, receiving) belong to no request.
    assert any(r["request_id"] == "-" for r in records)
