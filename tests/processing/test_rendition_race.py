"""Two workers making the same rendition at once keep one row and one file (PostgreSQL)."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from library.models import Rendition
from library.processing.renditions import DISPLAY, save_rendition

from ..factories import MediaContentFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_renditions_leave_one_row_and_one_file(sunrise):
    media = MediaContentFactory(organization=sunrise)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                save_rendition(media=media.lead_file, spec=DISPLAY, data=b"x" * n, size=(1, 1))
            )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert Rendition.objects.filter(media=media.lead_file, spec=DISPLAY).count() == 1
    kept = Rendition.objects.get(media=media.lead_file, spec=DISPLAY).file.name
    folder = kept.rsplit("/", 1)[0]
    assert default_storage.listdir(folder)[1] == [kept.rsplit("/", 1)[-1]]
