import datetime

import pytest
from django.core.cache import cache

from tests.factories import BannerFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache is process-wide (local memory): start and end every test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_banner():
    def _make(organization, **kwargs):
        return BannerFactory(organization=organization, **kwargs)

    return _make


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
