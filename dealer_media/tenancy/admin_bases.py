"""The bases every admin is built on: a dealership's rows, or rows of no dealership.

``TenantModelAdmin`` is for a model that belongs to a dealership. A superuser sees
every row; other staff see the rows of the dealerships they belong to (any role,
``view_action``), and add, change, delete and run actions only where their role
may do ``change_action`` (``tenancy.roles``). Foreign-key and many-to-many
choices, inlines (``TenantInline``) and the list's actions are scoped the same
way, a saved row may point only to objects of its own dealership, and a row never
moves to another dealership. ``SuperuserOnlyAdmin`` is for global rows (sign-in
records, the beat schedule, permission groups): superusers only.

``tests/test_admin_registry.py`` walks the admin's registry and fails for a model
shown without one of these bases.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest

from .models import Membership, Organization
from .roles import REFUSALS, Action, may, membership_for


def organizations_where(request: HttpRequest, action: Action) -> list[Organization]:
    """The staff user's dealerships in which their role may do ``action`` (once per request)."""
    cache = request.__dict__.setdefault("_admin_organizations", {})
    if action not in cache:
        memberships = Membership.objects.filter(user=request.user).select_related("organization")
        cache[action] = [m.organization for m in memberships if may(m, action)]
    return cache[action]


def role_action(action: Action) -> Callable:
    """Mark an admin action as needing ``action`` (not the admin's ``change_action``) per row."""

    def mark(func: Callable) -> Callable:
        func.role_action = action
        return func

    return mark


def _has_organization(model: type[models.Model]) -> bool:
    return any(f.name == "organization" and f.is_relation for f in model._meta.get_fields())


def _scoped_choices(related: type[models.Model], viewable, changeable) -> models.QuerySet | None:
    """What a non-superuser may pick in a field pointing to ``related`` (None: no narrowing).

    A dealership: one where their role may change such rows. A dealership's object:
    one of the dealerships they see. A person: a member of one of those.
    """
    if related is Organization:
        return Organization.objects.filter(pk__in=[o.pk for o in changeable])
    if related is get_user_model():
        return related._default_manager.filter(memberships__organization__in=viewable).distinct()
    if _has_organization(related):
        return related._default_manager.filter(organization__in=viewable)
    return None


class OrganizationListFilter(admin.SimpleListFilter):
    """The "By dealership" filter, listing only the dealerships the user belongs to."""

    title = "dealership"
    parameter_name = "organization__id__exact"

    def lookups(self, request, model_admin):
        return [(org.pk, org.name) for org in model_admin.viewable_organizations(request)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organization_id=self.value())
        return queryset


class SameDealershipForm:
    """Mixed into the admin's form: every object the row points to is of the row's dealership.

    The choices are narrowed already; this also holds for a staff member of two
    dealerships, who could otherwise point a Sunrise row at a Lakeside object.
    """

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization") or getattr(self.instance, "organization", None)
        if organization is None:
            return cleaned
        for field in self._meta.model._meta.get_fields():
            if not (field.concrete and field.is_relation) or field.name == "organization":
                continue
            if field.name not in cleaned:
                continue
            value = cleaned[field.name]
            chosen = list(value) if field.many_to_many else [value]
            if any(
                getattr(obj, "organization_id", organization.pk) != organization.pk
                for obj in chosen
                if obj is not None
            ):
                self.add_error(field.name, "Choose one of this dealership's own.")
        return cleaned


class TenantModelAdmin(admin.ModelAdmin):
    """The admin of a model that belongs to a dealership (see the module's docstring).

    ``organization_field`` is the path from a row to its dealership; ``None`` means
    the row is the dealership. ``change_action`` defaults to owners only, so an
    admin that names no action is safe.
    """

    organization_field: str | None = "organization"
    view_action: Action = Action.VIEW
    change_action: Action = Action.CHANGE_SETTINGS
    # Dealers type "sunrisemotors.com/offers": treat a missing scheme as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # --- Which dealerships --------------------------------------------------------
    def viewable_organizations(self, request: HttpRequest) -> list[Organization]:
        if request.user.is_superuser:
            return list(Organization.objects.all())
        return organizations_where(request, self.view_action)

    def organizations_allowed(self, request: HttpRequest, action: Action | None = None):
        """The user's dealerships in which their role may do ``action`` (``change_action``)."""
        return organizations_where(request, action or self.change_action)

    def changeable_organizations(self, request: HttpRequest) -> models.QuerySet[Organization]:
        """The dealerships whose rows the user may change here (every one for a superuser)."""
        if request.user.is_superuser:
            return Organization.objects.all()
        return Organization.objects.filter(
            pk__in=[o.pk for o in self.organizations_allowed(request)]
        )

    def scope(self, queryset: models.QuerySet, organizations) -> models.QuerySet:
        """The rows of these dealerships."""
        if self.organization_field is None:
            return queryset.filter(pk__in=[o.pk for o in organizations])
        return queryset.filter(**{f"{self.organization_field}__in": organizations})

    def organization_of(self, obj: models.Model) -> Organization | None:
        if self.organization_field is None:
            return obj
        value = obj
        for part in self.organization_field.split("__"):
            value = getattr(value, part, None)
        return value

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scope(queryset, self.viewable_organizations(request))

    # --- Roles ----------------------------------------------------------------------
    def role_allows(self, request: HttpRequest, obj=None, action: Action | None = None) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(self.organizations_allowed(request, action))
        membership = membership_for(user=request.user, organization=self.organization_of(obj))
        return may(membership, action or self.change_action)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and (
            request.user.is_superuser or bool(self.viewable_organizations(request))
        )

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(self.viewable_organizations(request))
        membership = membership_for(user=request.user, organization=self.organization_of(obj))
        return may(membership, self.view_action)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.role_allows(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.role_allows(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.role_allows(request, obj)

    # --- Actions --------------------------------------------------------------------
    def get_actions(self, request):
        """Actions only for a role that may; run on other dealerships' rows, refused in words.

        An action needs ``change_action`` in each selected row's dealership, and also
        the action it is marked with (``role_action``), such as publishing.
        """
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        offered = {}
        for name, (func, action_name, description) in actions.items():
            needed = [self.change_action, getattr(func, "role_action", self.change_action)]
            if all(self.organizations_allowed(request, action) for action in needed):
                offered[name] = (self._guarded(func, needed), action_name, description)
        return offered

    def _guarded(self, func: Callable, needed: list[Action]) -> Callable:
        def run(modeladmin, request, queryset):
            for action in needed:
                allowed = self.organizations_allowed(request, action)
                if self.scope(queryset, allowed).count() != queryset.count():
                    messages.error(request, f"Nothing was changed. {REFUSALS[action]}")
                    return None
            return func(modeladmin, request, queryset)

        return run

    # --- Forms ----------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.organization_field != "organization":
            return form
        return type(form.__name__, (SameDealershipForm, form), {})

    def get_readonly_fields(self, request, obj=None):
        """A row stays in its dealership: its ``organization`` is set when it is added."""
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.organization_field == "organization":
            readonly.append("organization")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            choices = _scoped_choices(
                db_field.related_model,
                self.viewable_organizations(request),
                self.organizations_allowed(request),
            )
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            choices = _scoped_choices(
                db_field.related_model,
                self.viewable_organizations(request),
                self.organizations_allowed(request),
            )
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        return [
            OrganizationListFilter if entry == self.organization_field else entry
            for entry in super().get_list_filter(request)
        ]


class TenantInline:
    """Mixed into an inline of a ``TenantModelAdmin``: its rows and rights follow the parent's.

    Its rows are scoped as the parent's are, its choices likewise, and adding,
    changing or deleting them needs the parent admin's role on the parent row.
    """

    def _parent_admin(self) -> TenantModelAdmin:
        return self.admin_site._registry[self.parent_model]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or not _has_organization(self.model):
            return queryset
        viewable = self._parent_admin().viewable_organizations(request)
        return queryset.filter(organization__in=viewable)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            parent = self._parent_admin()
            choices = _scoped_choices(
                db_field.related_model,
                parent.viewable_organizations(request),
                parent.organizations_allowed(request),
            )
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_admin().role_allows(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_admin().role_allows(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_admin().role_allows(
            request, obj
        )


class SuperuserOnlyAdmin:
    """Mixed into the admin of rows that belong to no dealership: superusers only.

    Such rows name people or jobs of every dealership, so no dealership's staff
    may read or change them, whatever permissions they were given.
    """

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)


def superuser_only(model_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """``model_admin`` (a package's own admin, say) kept for superusers."""
    return type(model_admin.__name__, (SuperuserOnlyAdmin, model_admin), {})
