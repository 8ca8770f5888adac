"""People in the admin: staff see only their dealerships' people.

Installed after ``django.contrib.auth`` so that its registration is replaced here.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from dealer_media.tenancy.selectors import organizations_for_user

User = get_user_model()


class DealershipUserAdmin(UserAdmin):
    """Django's user admin, narrowed for staff who are not superusers.

    The same queryset feeds the list, the change form, the password form and the
    autocomplete of every field naming a user, so another dealership's people are
    neither listed nor found by a search.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        dealerships = organizations_for_user(user=request.user)
        return queryset.filter(memberships__organization__in=dealerships).distinct()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Otherwise staff could make themselves superusers and see every dealership.
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, DealershipUserAdmin)
