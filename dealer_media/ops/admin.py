"""The beat schedule in the admin: global operations data, so superusers' only.

django-celery-beat registers its own admins; they are kept, re-registered on
``SuperuserOnlyAdmin``. Its periodic tasks run jobs of every dealership (each
dealership's feed import among them), so no dealership's staff may read or change
them, whatever permissions they were given. This app is installed after
``django_celery_beat``, so its registrations exist when this module is imported.
"""

from django.contrib import admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from dealer_media.tenancy.admin_bases import superuser_only

for model in (PeriodicTask, ClockedSchedule, CrontabSchedule, SolarSchedule, IntervalSchedule):
    if admin.site.is_registered(model):
        package_admin = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, superuser_only(package_admin))
