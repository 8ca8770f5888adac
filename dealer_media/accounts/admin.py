"""People in the admin: owners manage their dealership's people; the rest is superusers'.

Installed after ``django.contrib.auth`` and ``axes`` so that their registrations are
replaced here.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dealer_media.tenancy.admin_bases import SuperuserOnlyAdmin, superuser_only
from dealer_media.tenancy.models import Membership
from dealer_media.tenancy.selectors import organizations_for_user

User = get_user_model()

NOT_YOURS = (
    "Only an owner of every dealership a person belongs to can change them, and only "
    "superusers change superusers."
)


def may_manage(actor, person) -> bool:
    """Whether ``actor`` may change or remove ``person`` in the admin.

    Superusers may. Otherwise the person must not be a superuser, must belong to
    at least one dealership, and the actor must own every dealership they belong to:
    an owner of Sunrise does not change someone who also acts for Lakeside.
    """
    if actor.is_superuser:
        return True
    if person.is_superuser or not actor.is_active:
        return False
    theirs = set(Membership.objects.filter(user=person).values_list("organization_id", flat=True))
    owned = set(
        Membership.objects.filter(user=actor, role=Membership.Role.OWNER).values_list(
            "organization_id", flat=True
        )
    )
    return bool(theirs) and theirs <= owned


class DealershipUserAdmin(UserAdmin):
    """Django's user admin, narrowed for staff who are not superusers.

    They see the people of their dealerships (the same queryset feeds the list, the
    change form, the password form and the autocomplete of every field naming a
    user). Changing or deleting someone follows ``may_manage``. Nobody but a
    superuser adds people (they join by invitation), sets another person's password
    (the header's "Change password" asks for one's own old password), or changes
    ``is_staff``, ``is_superuser``, groups or permissions; another person's email
    is read-only too, as a new address is a password reset away from a new password.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        dealerships = organizations_for_user(user=request.user)
        return queryset.filter(memberships__organization__in=dealerships).distinct()

    def _owns_some_dealership(self, request) -> bool:
        return Membership.objects.filter(user=request.user, role=Membership.Role.OWNER).exists()

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return request.user.is_superuser or self._owns_some_dealership(request)
        return may_manage(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if request.user.is_superuser:
            return True
        if obj is None:
            return self._owns_some_dealership(request)
        # Not oneself: the last owner of a dealership would leave it with none.
        return obj.pk != request.user.pk and may_manage(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
            if obj is not None and obj.pk != request.user.pk:
                readonly.append("email")
        return readonly

    def get_list_filter(self, request):
        """Groups are superusers' (their names included)."""
        entries = super().get_list_filter(request)
        if request.user.is_superuser:
            return entries
        return [entry for entry in entries if entry != "groups"]

    def user_change_password(self, request, id, form_url=""):
        """Superusers set passwords here; everyone else changes their own with the old one."""
        if not request.user.is_superuser:
            if self.get_object(request, unquote(id)) is None:
                raise Http404("No such person.")
            raise PermissionDenied(NOT_YOURS)
        return super().user_change_password(request, id, form_url)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        return {
            name: (self._guarded(func), action_name, description)
            for name, (func, action_name, description) in actions.items()
        }

    def _guarded(self, func):
        def run(modeladmin, request, queryset):
            if not all(
                may_manage(request.user, person) and person.pk != request.user.pk
                for person in queryset
            ):
                messages.error(request, f"Nothing was changed. {NOT_YOURS}")
                return None
            return func(modeladmin, request, queryset)

        return run


class LockoutAdmin(SuperuserOnlyAdmin, AccessAttemptAdmin):
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


for model, model_admin in [
    (User, DealershipUserAdmin),
    # Groups carry permissions: whoever edits one grants them to its members.
    (Group, superuser_only(GroupAdmin)),
    (AccessAttempt, LockoutAdmin),
    (AccessLog, superuser_only(AccessLogAdmin)),
    (AccessFailureLog, superuser_only(AccessFailureLogAdmin)),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
