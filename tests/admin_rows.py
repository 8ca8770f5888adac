"""One row of each model the admin shows, made for a dealership: what admin tests open.

``ROWS`` is keyed by the model's label. A model registered in the admin without a
builder here fails ``tests/test_admin_registry.py``: whoever adds one says here
how its row is made, and the test then checks who sees and changes it.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone

from dealer_media.tenancy.models import Membership, Organization

from .factories import BannerFactory, MediaContentFactory, ScheduledPostFactory, UserFactory

NOW = datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)


def _vehicle(organization: Organization) -> models.Model:
    from inventory.models import Vehicle

    return Vehicle.objects.create(
        organization=organization,
        vin=f"1HGCM826X3A{organization.pk:06d}",
        make="Honda",
        model="Accord",
        year=2022,
        price=23000,
        first_seen_at=NOW,
        updated_at=NOW,
    )


def _source(organization: Organization) -> models.Model:
    from inventory.sources import source_save

    return source_save(
        organization=organization, feed_url=f"https://{organization.slug}.example/feed.csv"
    )


def _import_run(organization: Organization) -> models.Model:
    from inventory.models import ImportRun

    return ImportRun.objects.create(
        organization=organization,
        source=_source(organization),
        origin=ImportRun.Origin.FEED,
        status=ImportRun.Status.DONE,
        started_at=NOW,
        finished_at=NOW,
        added=3,
    )


def _reel(organization: Organization) -> models.Model:
    from inventory.models import VehicleReel

    return VehicleReel.objects.create(
        organization=organization, vehicle=_vehicle(organization), status="failed", error="No."
    )


def _social_account(organization: Organization) -> models.Model:
    from social.models import SocialAccount

    return SocialAccount.objects.create(
        organization=organization, page_id=f"page-{organization.pk}", page_name="Sunrise Page"
    )


def _instagram_login(organization: Organization) -> models.Model:
    from social.models import InstagramLogin

    return InstagramLogin.objects.create(
        organization=organization, instagram_user_id=f"ig-{organization.pk}", username="sunrise"
    )


def _member(organization: Organization) -> models.Model:
    """A person of the dealership (its owner): the user admin's row."""
    return Membership.objects.create(
        organization=organization,
        user=UserFactory(username=f"{organization.slug}-person"),
        role=Membership.Role.OWNER,
    ).user


# --- Global rows (no dealership): superusers' only ---------------------------------


def _data_deletion(organization: Organization) -> models.Model:
    from social.models import DataDeletionRequest

    return DataDeletionRequest.objects.create(
        provider="facebook", confirmation_code="abc123", user_hash="0" * 64
    )


def _access_attempt(organization: Organization) -> models.Model:
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(
        username="sunrise-person", ip_address="203.0.113.7", failures_since_start=3
    )


def _access_log(organization: Organization) -> models.Model:
    from axes.models import AccessLog

    return AccessLog.objects.create(username="sunrise-person", ip_address="203.0.113.7")


def _access_failure(organization: Organization) -> models.Model:
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.create(username="sunrise-person", ip_address="203.0.113.7")


def _publishing_gate(organization: Organization) -> models.Model:
    from publishing.models import PublishingGate

    return PublishingGate.objects.create(
        key="meta:111",
        state=PublishingGate.State.OPEN,
        consecutive_failures=5,
        trips=1,
        retry_at=NOW,
        last_error="Facebook had a temporary problem; we will try again.",
    )


def _interval(organization: Organization) -> models.Model:
    from django_celery_beat.models import IntervalSchedule

    return IntervalSchedule.objects.create(every=7, period=IntervalSchedule.MINUTES)


def _crontab(organization: Organization) -> models.Model:
    from django_celery_beat.models import CrontabSchedule

    return CrontabSchedule.objects.create(minute="7", hour="3")


def _solar(organization: Organization) -> models.Model:
    from django_celery_beat.models import SolarSchedule

    return SolarSchedule.objects.create(event="sunrise", latitude=34.05, longitude=-118.24)


def _clocked(organization: Organization) -> models.Model:
    from django_celery_beat.models import ClockedSchedule

    return ClockedSchedule.objects.create(clocked_time=timezone.now())


def _periodic_task(organization: Organization) -> models.Model:
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.create(
        name="Clean up", task="media_content.tasks.nothing", interval=_interval(organization)
    )


ROWS: dict[str, Callable[[Organization], models.Model]] = {
    "tenancy.Organization": lambda organization: organization,
    "auth.User": _member,
    "auth.Group": lambda organization: Group.objects.create(name="Support"),
    "media_content.MediaContent": lambda organization: MediaContentFactory(
        organization=organization, title="Sunrise truck month"
    ),
    "media_content.ScheduledPost": lambda organization: ScheduledPostFactory(
        media_content__organization=organization, title="Sunrise truck month"
    ),
    "banners.Banner": lambda organization: BannerFactory(organization=organization),
    "social.SocialAccount": _social_account,
    "social.InstagramLogin": _instagram_login,
    "social.DataDeletionRequest": _data_deletion,
    "publishing.PublishingGate": _publishing_gate,
    "inventory.Vehicle": _vehicle,
    "inventory.InventorySource": _source,
    "inventory.ImportRun": _import_run,
    "inventory.VehicleReel": _reel,
    "axes.AccessAttempt": _access_attempt,
    "axes.AccessLog": _access_log,
    "axes.AccessFailureLog": _access_failure,
    "django_celery_beat.IntervalSchedule": _interval,
    "django_celery_beat.CrontabSchedule": _crontab,
    "django_celery_beat.SolarSchedule": _solar,
    "django_celery_beat.ClockedSchedule": _clocked,
    "django_celery_beat.PeriodicTask": _periodic_task,
}
