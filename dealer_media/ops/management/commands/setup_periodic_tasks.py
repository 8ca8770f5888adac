from django.core.management.base import BaseCommand

from dealer_media.periodic import setup_periodic_tasks


class Command(BaseCommand):
    help = (
        "Store the product's periodic tasks in django-celery-beat. Idempotent: creates only "
        "what is missing, so intervals changed in the admin are kept."
    )

    def handle(self, *args, **options):
        report = setup_periodic_tasks()
        for name in report.created:
            self.stdout.write(f"created: {name}")
        for name in report.updated:
            self.stdout.write(f"moved to its new default interval: {name}")
        for name in report.kept:
            self.stdout.write(f"kept as it is: {name}")
        for name in report.skipped:
            self.stdout.write(f"skipped (its task is not in this code): {name}")
