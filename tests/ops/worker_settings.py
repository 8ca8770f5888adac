"""A test worker's settings: the test settings, plus the probe task registered."""

from tests.settings import *  # noqa: F403

CELERY_IMPORTS = ["tests.ops.probe"]
