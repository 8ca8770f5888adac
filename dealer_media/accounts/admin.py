"""People in the admin: staff see only their dealerships' people; sign-in records for superusers.

Installed after ``django.contrib.auth`` and ``axes`` so that their registrations are
replaced here.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
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


class SuperuserOnly:
    """Sign-in records name people of every dealership: superusers only."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)


class LockoutAdmin(SuperuserOnly, AccessAttemptAdmin):
    """Failed sign-ins being counted; unlocking forgets them."""

    actions = ["unlock", *AccessAttemptAdmin.actions]

    @admin.action(description="Unlock: forget these failed sign-ins", permissions=["delete"])
    def unlock(self, request, queryset):
        people = sorted(
            {
                f"{attempt.username or 'no username'} from {attempt.ip_address}"
                for attempt in queryset
            }
        )
        count, _ = queryset.delete()
        self.message_user(
            request,
            f"Unlocked {', '.join(people)}: {count} failed sign-in record(s) forgotten.",
            messages.SUCCESS,
        )


class SignInLogAdmin(SuperuserOnly, AccessLogAdmin):
    pass


class SignInFailureLogAdmin(SuperuserOnly, AccessFailureLogAdmin):
    pass


for model, model_admin in [
    (User, DealershipUserAdmin),
    (AccessAttempt, LockoutAdmin),
    (AccessLog, SignInLogAdmin),
    (AccessFailureLog, SignInFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
