"""The periodic tasks live in django-celery-beat: created once, editable, visible in the admin."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from dealer_media.periodic import PeriodicJob, setup_periodic_tasks, task_exists

pytestmark = pytest.mark.django_db


def test_migrate_leaves_the_dispatcher_every_thirty_seconds():
    """The test database was migrated: the post_migrate handler has stored the schedule."""
    dispatcher = PeriodicTask.objects.get(name="Dispatch due posts")
    assert dispatcher.task == "media_content.tasks.dispatch_due_posts"
    assert (dispatcher.interval.every, dispatcher.interval.period) == (30, "seconds")
    assert dispatcher.enabled
    assert PeriodicTask.objects.filter(task="media_content.tasks.archive_old_posted_media").exists()


def test_setup_is_idempotent_and_keeps_admin_edits():
    dispatcher = PeriodicTask.objects.get(name="Dispatch due posts")
    dispatcher.interval = IntervalSchedule.objects.create(every=10, period="seconds")
    dispatcher.enabled = False
    dispatcher.save()
    count = PeriodicTask.objects.count()

    report = setup_periodic_tasks()

    assert report.created == []
    assert "Dispatch due posts" in report.kept
    assert PeriodicTask.objects.count() == count
    dispatcher.refresh_from_db()
    assert (dispatcher.interval.every, dispatcher.enabled) == (10, False)


def test_a_deleted_task_comes_back_and_beat_is_told(capsys):
    PeriodicTask.objects.filter(name="Archive old posted items").delete()
    before = PeriodicTasks.last_change()
    call_command("setup_periodic_tasks")
    assert "created: Archive old posted items" in capsys.readouterr().out
    assert PeriodicTasks.last_change() > before
    assert PeriodicTask.objects.filter(name="Archive old posted items").count() == 1


def test_jobs_whose_task_is_not_in_the_code_are_skipped():
    jobs = [
        PeriodicJob(name="Ghost", task="nowhere.tasks.ghost", every_seconds=60, description=""),
        PeriodicJob(
            name="No such attribute",
            task="media_content.tasks.no_such_task",
            every_seconds=60,
            description="",
        ),
        PeriodicJob(
            name="Real",
            task="media_content.tasks.dispatch_due_posts",
            every_seconds=5,
            description="",
        ),
    ]
    report = setup_periodic_tasks(jobs=jobs)
    assert report.skipped == ["Ghost", "No such attribute"]
    assert report.created == ["Real"]
    assert not PeriodicTask.objects.filter(name__in=["Ghost", "No such attribute"]).exists()
    assert task_exists("media_content.tasks.publish_scheduled_post")
    # library.tasks keeps the names the processing tasks had in media_content.tasks.
    assert task_exists("media_content.tasks.requeue_stale_processing")


def test_the_schedule_is_visible_and_editable_in_the_admin(client, superuser):
    client.force_login(superuser)
    listing = client.get("/admin/django_celery_beat/periodictask/")
    assert listing.status_code == 200
    assert "Dispatch due posts" in listing.content.decode()
    dispatcher = PeriodicTask.objects.get(name="Dispatch due posts")
    page = client.get(f"/admin/django_celery_beat/periodictask/{dispatcher.pk}/change/")
    assert page.status_code == 200
    assert "media_content.tasks.dispatch_due_posts" in page.content.decode()


def test_a_former_default_interval_moves_to_the_new_one_and_a_chosen_one_stays(capsys):
    """The processing sweep was stored every 5 minutes by earlier versions; now every 30 s."""
    sweep = PeriodicTask.objects.get(name="Process files whose processing was lost")
    sweep.interval = IntervalSchedule.objects.get_or_create(every=300, period="seconds")[0]
    sweep.description = "Items still waiting to be processed long after upload (broker was down)."
    sweep.save()
    before = PeriodicTasks.last_change()

    call_command("setup_periodic_tasks")

    out = capsys.readouterr().out
    assert "moved to its new default interval: Process files whose processing was lost" in out
    sweep.refresh_from_db()
    assert (sweep.interval.every, sweep.interval.period) == (30, "seconds")
    assert "worker died" in sweep.description
    assert PeriodicTasks.last_change() > before  # a running beat reloads

    chosen = IntervalSchedule.objects.get_or_create(every=120, period="seconds")[0]
    PeriodicTask.objects.filter(pk=sweep.pk).update(interval=chosen)
    report = setup_periodic_tasks()
    assert "Process files whose processing was lost" in report.kept
    sweep.refresh_from_db()
    assert sweep.interval.every == 120  # a person's choice survives the deploy
