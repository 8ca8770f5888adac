"""Admin for dealerships and their members (the bases every admin uses: ``admin_bases``)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

from .admin_bases import TenantInline, TenantModelAdmin
from .models import Membership, Organization
from .services import membership_check_enrolment
from .team import owners_left


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


class MembershipInline(TenantInline, admin.TabularInline):
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
class OrganizationAdmin(TenantModelAdmin):
    """The dealership is the row: its owners change its settings and members."""

    organization_field = None  # the row is the dealership
    list_display = ["name", "slug", "timezone", "brand_colour", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_total=models.Count("memberships", distinct=True))
        )

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, obj: Organization) -> int:
        return obj.member_total

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
