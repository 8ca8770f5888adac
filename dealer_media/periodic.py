"""Every periodic task of the product, declared here and stored in django-celery-beat.

``setup_periodic_tasks`` upserts them (run by ``make run`` through the
``setup_periodic_tasks`` command, and after every ``migrate`` by a
post_migrate handler). It only creates what is missing: an interval or an
"enabled" box changed in the admin (*Periodic tasks*) survives every deploy.
When a new version changes a job's default interval, the old default goes in
``former_every_seconds``: rows still on it (nobody changed them) move to the
new one on the next deploy; an interval a person chose stays.

A job whose task does not exist in this code base (yet) is skipped with a
log line rather than stored, so beat never sends a name no worker knows.
To add a job, append a ``PeriodicJob`` to ``PERIODIC_JOBS``.
"""

import datetime
import logging
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings

from .broker import DISPATCH_DUE_POSTS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # PeriodicTask.name, unique; what the admin shows
    task: str  # dotted name of the Celery task
    every_seconds: int
    description: str
    expire_seconds: int | None = None  # a message older than this is dropped, not run
    # Intervals this job was created with by earlier versions of the code. A stored row
    # still on one of them was never changed by a person, so it moves to every_seconds;
    # any other interval is someone's choice and stays.
    former_every_seconds: tuple[int, ...] = ()


def _jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob(
            name="Dispatch due posts",
            task=DISPATCH_DUE_POSTS,
            every_seconds=settings.SCHEDULING_DISPATCH_EVERY_SECONDS,
            description="Claims due scheduled posts and sends their publishing tasks.",
            # Sweeps piled up while no worker ran are useless: one fresh sweep does it all.
            expire_seconds=max(settings.SCHEDULING_DISPATCH_EVERY_SECONDS, 10),
        ),
        PeriodicJob(
            name="Check posts still processing at Meta",
            task="social.tasks.poll_pending_posts",
            every_seconds=60,
            description="Instagram containers and Facebook videos that Meta is still processing.",
        ),
        PeriodicJob(
            name="Read the links of new posts",
            task="social.tasks.fill_permalinks",
            every_seconds=60,
            description="Permalinks of posts just published, read from Meta in batches "
            "(one request per Page or Instagram account), so publishing never waits for them.",
            # A run reads every link still wanted: piled-up runs are useless.
            expire_seconds=60,
        ),
        PeriodicJob(
            name="Check Facebook and Instagram connections",
            task="social.tasks.check_connections",
            every_seconds=24 * 3600,
            description="Asks Meta whether each connected Page and Instagram account still "
            "works; owners are emailed once when one needs reconnecting.",
        ),
        PeriodicJob(
            name="Refresh Instagram Login tokens",
            task="social.tasks.refresh_instagram_tokens",
            every_seconds=24 * 3600,
            description="Instagram Login tokens last 60 days; each is renewed well before.",
        ),
        PeriodicJob(
            name="Mark posts stuck in publishing",
            task="media_content.tasks.mark_stale_publishing_unconfirmed",
            every_seconds=300,
            description="Posts whose worker went silent become unconfirmed (or pending again).",
        ),
        PeriodicJob(
            name="Process files whose processing was lost",
            task="media_content.tasks.requeue_stale_processing",
            every_seconds=settings.PROCESSING_SWEEP_SECONDS,
            description="Items whose worker died (lease over) or whose message never reached "
            "a worker, sent to processing again.",
            # Piled-up sweeps are useless: one fresh sweep sends everything overdue.
            expire_seconds=max(settings.PROCESSING_SWEEP_SECONDS, 10),
            former_every_seconds=(300,),
        ),
        PeriodicJob(
            name="Delete expired partial uploads",
            task="media_content.uploads.tasks.delete_expired_uploads",
            every_seconds=3600,
            description="Resumable uploads abandoned before they finished.",
        ),
        PeriodicJob(
            name="Delete expired kept inventory files",
            task="inventory.tasks.delete_expired_kept_uploads",
            every_seconds=3600,
            description="Uploaded feed files kept for their columns to be mapped, past "
            "inventory.kept_uploads.KEPT_HOURS.",
        ),
        PeriodicJob(
            name="Flush banner impressions and clicks",
            task="banners.tasks.flush_banner_counts",
            every_seconds=settings.BANNERS_COUNTS_FLUSH_SECONDS,
            description="Website embed counts kept in Redis, added to the daily figures.",
            expire_seconds=max(settings.BANNERS_COUNTS_FLUSH_SECONDS, 10),
        ),
        PeriodicJob(
            name="Archive old posted items",
            task="media_content.tasks.archive_old_posted_media",
            every_seconds=24 * 3600,
            description="Posted items older than MEDIA_ARCHIVE_POSTED_AFTER_DAYS leave the library.",
        ),
    ]


def task_exists(name: str) -> bool:
    """True when a task is registered under ``name`` (and so a worker knows it).

    The apps' ``tasks.py`` are loaded as a worker loads them; a task's name is the
    one it was registered under, which may differ from where its code now lives.
    """
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return name in app.tasks


def every_seconds(*, task: str) -> float | None:
    """How often beat runs ``task`` now: the shortest interval of its enabled rows.

    What the admin shows and may have changed, not the default it was created with;
    None when no enabled row runs it on an interval.
    """
    from django_celery_beat.models import PeriodicTask

    rows = PeriodicTask.objects.filter(task=task, enabled=True, interval__isnull=False)
    return min(
        (
            row.interval.schedule.run_every.total_seconds()
            for row in rows.select_related("interval")
        ),
        default=None,
    )


def dispatcher_interval() -> datetime.timedelta:
    """How often beat sweeps for due posts: as stored (the admin may change it), else the default.

    A post made due sooner than this after the last sweep looked ahead needs a
    wake-up of its own (``lifecycle``), or it waits for beat's next sweep.
    """
    every = every_seconds(task=DISPATCH_DUE_POSTS)
    if every is None:
        every = settings.SCHEDULING_DISPATCH_EVERY_SECONDS
    return datetime.timedelta(seconds=every)


@dataclass
class SetupReport:
    created: list[str]
    kept: list[str]
    skipped: list[str]
    updated: list[str] = field(default_factory=list)


def _interval(every_seconds: int):
    from django_celery_beat.models import IntervalSchedule

    return IntervalSchedule.objects.filter(
        every=every_seconds, period=IntervalSchedule.SECONDS
    ).first() or IntervalSchedule.objects.create(
        every=every_seconds, period=IntervalSchedule.SECONDS
    )


def _upgrade_default_interval(task, job: PeriodicJob) -> bool:
    """A row still on a former default interval gets the new one (and the new description)."""
    from django_celery_beat.models import IntervalSchedule

    interval = task.interval
    if (
        interval is None
        or interval.period != IntervalSchedule.SECONDS
        or interval.every not in job.former_every_seconds
        or interval.every == job.every_seconds
    ):
        return False
    task.interval = _interval(job.every_seconds)
    task.description = job.description
    task.expire_seconds = job.expire_seconds
    task.save(update_fields=["interval", "description", "expire_seconds"])
    return True


def setup_periodic_tasks(*, jobs: list[PeriodicJob] | None = None) -> SetupReport:
    """Create the periodic tasks that are missing; leave existing rows as the admin left them.

    The one exception: a row still on an interval that an earlier version of
    the code chose (``former_every_seconds``) moves to the new default.
    """
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    report = SetupReport(created=[], kept=[], skipped=[])
    for job in _jobs() if jobs is None else jobs:
        existing = PeriodicTask.objects.filter(name=job.name).select_related("interval").first()
        if existing is not None:
            if _upgrade_default_interval(existing, job):
                report.updated.append(job.name)
            else:
                report.kept.append(job.name)
            continue
        if not task_exists(job.task):
            logger.info("Periodic job %r skipped: task %s is not in this code.", job.name, job.task)
            report.skipped.append(job.name)
            continue
        PeriodicTask.objects.create(
            name=job.name,
            task=job.task,
            interval=_interval(job.every_seconds),
            description=job.description,
            expire_seconds=job.expire_seconds,
        )
        report.created.append(job.name)
    if report.created or report.updated:
        PeriodicTasks.update_changed()  # tell a running beat to reload its schedule
    return report


def setup_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate handler: the schedule exists as soon as the database does."""
    from django.db import connections

    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return
    report = setup_periodic_tasks()
    if report.created and kwargs.get("verbosity", 1) >= 2:
        print(f"  Periodic tasks created: {', '.join(report.created)}")
    if report.updated and kwargs.get("verbosity", 1) >= 2:
        print(f"  Periodic tasks moved to their new default interval: {', '.join(report.updated)}")
