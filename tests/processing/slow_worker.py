"""The product's Celery app, with image processing that stops half-way when told to.

With ``PROCESSING_TEST_HOLD`` set to a path, a worker started with
``-A tests.processing.slow_worker`` writes its pid there once it is inside the
processing of an image (claimed, lease running), then waits until it is killed:
the kill test knows the worker (or, with the prefork pool, which pool process) is
mid-way without any sleep in product code. Only the first run is held.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from dealer_media.celery import app

__all__ = ["app"]


@task_prerun.connect
def _hold_image_processing(**kwargs) -> None:
    hold = os.environ.get("PROCESSING_TEST_HOLD")
    if not hold:
        return
    from library.processing import metadata

    if getattr(metadata.image_metadata, "held", False):
        return

    original = metadata.image_metadata

    def held(path):
        if Path(hold).exists():  # held once already: the run after the kill goes through
            return original(path)
        Path(hold).write_text(str(os.getpid()))
        while True:  # until SIGKILL
            time.sleep(1)

    held.held = True
    metadata.image_metadata = held
