"""Admin for dealerships, and the mixin that keeps staff inside their own dealerships."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

from .models import Membership, Organization
from .roles import REFUSALS, Action, may, membership_for
from .selectors import organizations_for_user
from .services import membership_check_enrolment
from .team import owners_left


class OrganizationListFilter(admin.SimpleListFilter):
    """The "By dealership" filter, listing only the dealerships the user belongs to."""

    title = "dealership"
    parameter_name = "organization__id__exact"

    def lookups(self, request, model_admin):
        return [(org.pk, org.name) for org in organizations_for_user(user=request.user)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organization_id=self.value())
        return queryset


class TenantAdminMixin:
    """A superuser sees everything; other staff only their dealerships' rows.

    Foreign keys to tenant models are narrowed the same way, so staff can only
    assign the dealerships (and their objects) they belong to. Adding, changing,
    deleting and the list's actions also need ``change_action`` in the row's
    dealership (``tenancy.roles``); anyone else sees the rows read-only. The
    default is owners only, so a model admin that names no action is safe.
    """

    organization_field = "organization"
    change_action: Action = Action.CHANGE_SETTINGS
    # Dealers type "sunrisemotors.com/offers": treat a missing scheme as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        allowed = organizations_for_user(user=request.user)
        return queryset.filter(**{f"{self.organization_field}__in": allowed})

    # --- Roles ----------------------------------------------------------------------
    def organizations_allowed(self, request) -> list[Organization]:
        """The user's dealerships in which their role may do ``change_action``."""
        if not hasattr(request, "_admin_allowed"):
            request._admin_allowed = {}
        if self.change_action not in request._admin_allowed:
            request._admin_allowed[self.change_action] = [
                m.organization
                for m in Membership.objects.filter(user=request.user).select_related("organization")
                if may(m, self.change_action)
            ]
        return request._admin_allowed[self.change_action]

    def _organization_of(self, obj) -> Organization | None:
        value = obj
        for part in self.organization_field.split("__"):
            value = getattr(value, part, None)
        return value

    def role_allows(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(self.organizations_allowed(request))
        membership = membership_for(user=request.user, organization=self._organization_of(obj))
        return may(membership, self.change_action)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.role_allows(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.role_allows(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.role_allows(request, obj)

    def get_actions(self, request):
        """Actions only for a role that may; run on other dealerships' rows, refused in words."""
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        if not self.organizations_allowed(request):
            return {}
        return {
            name: (self._guarded(func), action_name, description)
            for name, (func, action_name, description) in actions.items()
        }

    def _guarded(self, func):
        def run(modeladmin, request, queryset):
            allowed = self.organizations_allowed(request)
            if queryset.exclude(**{f"{self.organization_field}__in": allowed}).exists():
                messages.error(request, f"Nothing was changed. {REFUSALS[self.change_action]}")
                return None
            return func(modeladmin, request, queryset)

        return run

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            allowed = organizations_for_user(user=request.user)
            if db_field.related_model is Organization:
                allowed = Organization.objects.filter(
                    pk__in=[o.pk for o in self.organizations_allowed(request)]
                )
            related = db_field.related_model
            if related is Organization:
                kwargs["queryset"] = allowed
            elif any(f.name == "organization" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(organization__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        return [
            OrganizationListFilter if entry == self.organization_field else entry
            for entry in super().get_list_filter(request)
        ]


class MembershipFormSet(BaseInlineFormSet):
    """Refuses, in words, a row that would put someone into the dealership.

    Checked on the posted data, not only the widget: staff see no "add" row and the
    person of an existing row read-only, but a hand-made POST must be refused too.
    """

    actor = None  # the signed-in user, set by MembershipInline.get_formset

    def clean(self) -> None:
        super().clean()
        self._keep_an_owner()
        if self.actor is None or self.actor.is_superuser:
            return
        errors = []
        for form in self.forms:
            posted = form.data.get(form.add_prefix("user"))
            if form.instance.pk is None:
                if not posted or form.data.get(form.add_prefix("DELETE")):
                    continue  # an empty extra row
                previous = None
            else:
                previous = form.instance.user_id
                if posted in (None, ""):
                    continue  # the person is not part of the form: unchanged
            try:
                user_id = int(posted)
            except (TypeError, ValueError):
                user_id = None
            try:
                membership_check_enrolment(
                    actor=self.actor,
                    organization=self.instance,
                    user_id=user_id,
                    previous_user_id=previous,
                )
            except ValidationError as refused:
                errors.extend(refused.messages)
        if errors:
            raise ValidationError(sorted(set(errors)))

    def _keep_an_owner(self) -> None:
        """The last owner cannot be removed or demoted here either (``team.LAST_OWNER``)."""
        if self.instance.pk is None:
            return
        changes: dict[int, str | None] = {}
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None) or {}
            role = None if data.get("DELETE") else data.get("role")
            if form.instance.pk is not None:
                changes[form.instance.pk] = role
            elif data.get("user"):
                changes[-1 - index] = role  # a new row (superusers add people)
        had = owners_left(organization=self.instance, roles={})
        if had and not owners_left(organization=self.instance, roles=changes):
            raise ValidationError(
                "A dealership always needs an owner: keep at least one member as owner."
            )


class MembershipInline(admin.TabularInline):
    """Who acts for the dealership. Only superusers add people; staff change roles."""

    model = Membership
    formset = MembershipFormSet
    extra = 1
    autocomplete_fields = ["user"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user
        return formset

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra if request.user.is_superuser else 0

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_add_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("user")
        return readonly


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "brand_colour", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(member_total=models.Count("memberships", distinct=True))
        )
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=organizations_for_user(user=request.user))

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, obj: Organization) -> int:
        return obj.member_total

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        """Settings and the team are owners' (staff who are editors see them read-only)."""
        if not super().has_change_permission(request, obj) or request.user.is_superuser:
            return super().has_change_permission(request, obj)
        if obj is None:
            return Membership.objects.filter(user=request.user, role=Membership.Role.OWNER).exists()
        return may(membership_for(user=request.user, organization=obj), Action.CHANGE_SETTINGS)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
