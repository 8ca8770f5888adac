"""Demo dealerships and users for development; safe to run again and again."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from banners.demo import seed_demo_banners
from dealer_media.tenancy.models import Membership, Organization
from inventory.demo import seed_demo_inventory

DEMO_PASSWORD = "demo-pass"  # noqa: S105 - development credentials, printed on purpose
ADMIN_PASSWORD = "admin-pass"  # noqa: S105

DEMO_DEALERSHIPS = [
    {
        "name": "Sunrise Motors",
        "slug": "sunrise-motors",
        "timezone": "America/Los_Angeles",
        "site_host_names": ["sunrise.localhost"],
        "username": "sunrise",
        # Made-up addresses and store codes, so the demo's vehicle catalogs list the cars.
        "address": {
            "street_address": "1200 Sunrise Blvd",
            "city": "Pasadena",
            "region": "CA",
            "postal_code": "91101",
            "country": "US",
            "store_code": "SUNRISE-01",
        },
    },
    {
        "name": "Lakeside Auto",
        "slug": "lakeside-auto",
        "timezone": "America/Chicago",
        "site_host_names": ["lakeside.localhost"],
        "username": "lakeside",
        "address": {
            "street_address": "45 Lakeshore Dr",
            "city": "Evanston",
            "region": "IL",
            "postal_code": "60201",
            "country": "US",
            "store_code": "LAKESIDE-01",
        },
    },
]


class Command(BaseCommand):
    help = "Create the demo dealerships, their users and a superuser (DEBUG only)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates known passwords; it only runs with DEBUG on.")
        User = get_user_model()
        for demo in DEMO_DEALERSHIPS:
            organization, _ = Organization.objects.update_or_create(
                slug=demo["slug"],
                defaults={
                    "name": demo["name"],
                    "timezone": demo["timezone"],
                    "site_host_names": demo["site_host_names"],
                    **demo["address"],
                },
            )
            user, _ = User.objects.get_or_create(username=demo["username"])
            user.set_password(DEMO_PASSWORD)
            user.save()
            Membership.objects.update_or_create(
                user=user, organization=organization, defaults={"role": Membership.Role.OWNER}
            )
            seed_demo_banners(organization=organization)
            seed_demo_inventory(organization=organization)
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.email = admin.email or "admin@example.com"
        admin.set_password(ADMIN_PASSWORD)
        admin.save()

        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/"))
        for demo in DEMO_DEALERSHIPS:
            self.stdout.write(
                f"  {demo['name']:<16} user {demo['username']:<9} password {DEMO_PASSWORD}"
            )
        self.stdout.write(f"  {'Admin (/admin/)':<16} user {'admin':<9} password {ADMIN_PASSWORD}")
        self.stdout.write("Demo websites with the banner carousel:")
        for demo in DEMO_DEALERSHIPS:
            self.stdout.write(
                f"  http://127.0.0.1:8000/site/{demo['slug']}/  "
                f"or http://{demo['site_host_names'][0]}:8000/"
            )
