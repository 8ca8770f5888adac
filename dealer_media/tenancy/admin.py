"""Admin for dealerships, and the mixin that keeps staff inside their own dealerships."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

from .models import Membership, Organization
from .selectors import organizations_for_user
from .services import membership_check_enrolment


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
    assign the dealerships (and their objects) they belong to.
    """

    organization_field = "organization"
    # Dealers type "sunrisemotors.com/offers": treat a missing scheme as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        allowed = organizations_for_user(user=request.user)
        return queryset.filter(**{f"{self.organization_field}__in": allowed})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            allowed = organizations_for_user(user=request.user)
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
    list_display = ["name", "slug", "timezone", "member_count"]
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

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
