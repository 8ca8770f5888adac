import csv
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import pytest

from inventory.vins import check_digit
from tests.social.conftest import (  # noqa: F401 - the fake Graph API, for the ribbons' posts
    account,
    encryption_key,
    fake_graph,
    public_media,
)


@pytest.fixture(autouse=True)
def _kept_upload_dir(settings, tmp_path):
    """Feed files kept for mapping go under the test's own directory."""
    settings.INVENTORY_KEPT_UPLOAD_DIR = tmp_path / "kept-uploads"


def make_vin(serial: int, wmi: str = "1HG") -> str:
    """A North American VIN with the right check digit."""
    draft = f"{wmi}CM826X3A{serial:06d}"[:17]
    return draft[:8] + check_digit(draft) + draft[9:]


def stock(count: int = 10) -> list[dict]:
    return [
        {
            "vehicle_id": f"V{i}",
            "vin": make_vin(i),
            "make": "Honda" if i % 2 else "Toyota",
            "model": "Accord" if i % 2 else "Camry",
            "year": str(2018 + i % 6),
            "trim": "EX-L",
            "mileage.value": str(1000 * i),
            "mileage.unit": "MI",
            "price": f"{20000 + 1000 * i} USD",
            "state_of_vehicle": ["new", "used", "cpo"][i % 3],
            "exterior_color": "Blue",
            "body_style": "Sedan",
            "url": f"https://www.sunrisemotors.example/cars/{i}",
            "image[0].url": f"https://cdn.sunrisemotors.example/{i}/1.jpg",
            "image[1].url": f"https://cdn.sunrisemotors.example/{i}/2.jpg",
            "description": f"Car number {i}, one owner",
            "availability": "available",
            "stock_number": f"S{i:04d}",
            "dealer_rating": "5",  # a column we do not know
        }
        for i in range(1, count + 1)
    ]


def as_csv(rows: list[dict], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def as_xml(rows: list[dict]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<listings>\n<title>Sunrise</title>\n']
    for row in rows:
        parts.append("<listing>\n")
        for key, value in row.items():
            if key.startswith("image["):
                parts.append(f"  <image><url>{escape(value)}</url><tag>Exterior</tag></image>\n")
            elif key.startswith("mileage."):
                continue
            else:
                parts.append(f"  <{key}>{escape(value)}</{key}>\n")
        parts.append(
            f"  <mileage><value>{row['mileage.value']}</value><unit>{row['mileage.unit']}</unit></mileage>\n"
        )
        parts.append("</listing>\n")
    parts.append("</listings>\n")
    return "".join(parts).encode()


class FeedServer:
    """A real HTTP server on 127.0.0.1 whose answers a test sets per path."""

    def __init__(self):
        self.answers: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[str] = []
        answers, requests = self.answers, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                status, headers, body = answers.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def serve(
        self, path: str, body: bytes, content_type: str = "text/csv", status: int = 200, **headers
    ):
        self.answers[path] = (status, {"Content-Type": content_type, **headers}, body)
        return self.url(path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed_server(settings):
    """The test's feed server; 127.0.0.1 is opened for it (SSRF tests close it again)."""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = FeedServer()
    yield server
    server.close()
