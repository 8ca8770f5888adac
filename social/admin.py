"""Staff connect a dealership's Page here (support): Page id + Page token, checked as dealers' are."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone

from dealer_media.tenancy.admin_bases import SuperuserOnlyAdmin, TenantModelAdmin
from dealer_media.tenancy.roles import Action

from . import connect_facebook, services
from .graph import GraphError
from .models import DataDeletionRequest, InstagramLogin, SocialAccount


class SocialAccountForm(forms.ModelForm):
    """The token is write-only: typed in, verified, encrypted; never rendered back."""

    access_token = forms.CharField(
        label="Page access token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="A long-lived Page token. Leave empty to keep the stored one.",
    )

    class Meta:
        model = SocialAccount
        fields = ["organization", "page_id", "access_token", "token_expires_at", "status"]

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("access_token") or ""
        page_id = (cleaned.get("page_id") or "").strip()
        if not token and not (self.instance.pk and self.instance.has_token):
            self.add_error("access_token", "Enter the Page access token.")
            return cleaned
        if not page_id or self.errors:
            return cleaned
        if cleaned.get("status") == SocialAccount.Status.DISABLED:
            return cleaned
        if services.sandbox_active():
            self.verification = None  # nothing is sent to Meta in the sandbox
            return cleaned
        token = token or self.instance.get_token()
        if connect_facebook.page_taken_elsewhere(
            organization=cleaned.get("organization") or self.instance.organization,
            page_id=page_id,
        ):
            raise forms.ValidationError(connect_facebook.TAKEN)
        try:
            # The same checks as "Connect Facebook": a valid PAGE token with the permissions.
            self.token_check = connect_facebook.page_token_check(page_id=page_id, token=token)
            self.verification = services.verify_page(page_id=page_id, token=token)
        except connect_facebook.ConnectionRefused as refusal:
            raise forms.ValidationError(f"This token cannot be used: {refusal}") from None
        except GraphError as error:
            raise forms.ValidationError(
                f"Facebook did not accept this Page and token: {error.message}"
            ) from None
        return cleaned


@admin.register(SocialAccount)
class SocialAccountAdmin(TenantModelAdmin):
    form = SocialAccountForm
    change_action = Action.CHANGE_CONNECTIONS
    list_display = [
        "__str__",
        "organization",
        "instagram_username",
        "status",
        "mode",
        "verified_at",
        "last_error",
    ]
    list_filter = ["status"]
    search_fields = ["page_name", "page_id", "instagram_username", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = [
        "mode",
        "page_name",
        "permissions",
        "data_access_expires_at",
        "connected_at",
        "connected_by",
        "instagram_account_id",
        "instagram_username",
        "verified_at",
        "last_error",
        "created_at",
        "updated_at",
    ]
    fields = [
        "mode",
        "organization",
        "page_id",
        "access_token",
        "token_expires_at",
        "status",
        "page_name",
        "instagram_account_id",
        "instagram_username",
        "verified_at",
        "last_error",
        "permissions",
        "data_access_expires_at",
        "connected_at",
        "connected_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Publishing mode")
    def mode(self, obj=None) -> str:
        if services.sandbox_active():
            return "Sandbox: posts are recorded here and not sent to Meta."
        return f"Graph API {settings.FACEBOOK_GRAPH_VERSION}"

    def changelist_view(self, request, extra_context=None):
        if services.sandbox_active():
            self.message_user(
                request,
                "Sandbox publisher active: nothing is sent to Facebook or Instagram.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        token = form.cleaned_data.get("access_token")
        if token:
            obj.set_token(token)
        verification = getattr(form, "verification", None)
        if verification:
            services.account_apply_verification(account=obj, found=verification)
            check = form.token_check
            obj.permissions = check.scopes
            obj.data_access_expires_at = check.data_access_expires_at
            obj.facebook_user_id = check.user_id
            obj.token_expires_at = check.expires_at or obj.token_expires_at
            obj.connected_at = timezone.now()
            obj.connected_by = request.user
            obj.notified_at = None
        elif token and obj.status == SocialAccount.Status.NEEDS_RECONNECT:
            obj.status = SocialAccount.Status.CONNECTED
        if services.sandbox_active() and not obj.page_name:
            obj.page_name = f"Sandbox page {obj.page_id}"
            obj.verified_at = timezone.now()
        super().save_model(request, obj, form, change)
        if verification:
            ig = verification["instagram_username"] or "no Instagram account linked"
            self.message_user(
                request,
                f"Verified with Facebook: {obj.page_name} ({ig}).",
                messages.SUCCESS,
            )


@admin.register(InstagramLogin)
class InstagramLoginAdmin(TenantModelAdmin):
    """Instagram Login connections, made by owners in the portal; support reads and disables."""

    change_action = Action.CHANGE_CONNECTIONS

    list_display = ["__str__", "organization", "status", "token_expires_at", "verified_at"]
    list_filter = ["status"]
    search_fields = ["username", "instagram_user_id", "organization__name"]
    list_select_related = ["organization"]
    fields = [
        "organization",
        "instagram_user_id",
        "username",
        "status",
        "last_error",
        "permissions",
        "token_expires_at",
        "refreshed_at",
        "verified_at",
        "connected_at",
        "connected_by",
    ]
    readonly_fields = [f for f in fields if f != "status"]

    def has_add_permission(self, request) -> bool:  # only Instagram Login makes them
        return False


@admin.register(DataDeletionRequest)
class DataDeletionRequestAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    """Meta's data deletion requests: what was asked and done (a person of any dealership)."""

    list_display = ["confirmation_code", "provider", "status", "connections_deleted", "received_at"]
    readonly_fields = [f.name for f in DataDeletionRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
