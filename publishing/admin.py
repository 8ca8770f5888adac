"""The admin of deliveries (scheduled posts): the history staff read, and settling what
Meta could not tell ("Mark as posted", "Mark as not posted (send again)"); and the
publishing gates (rate-limit pauses, circuit breakers), read-only for superusers."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from dealer_media.tenancy.admin_bases import SuperuserOnlyAdmin, TenantModelAdmin
from dealer_media.tenancy.roles import Action
from media_content.models import ScheduledPost
from publishing import gates, unconfirmed
from publishing.models import PublishingGate


@admin.register(ScheduledPost)
class ScheduledPostAdmin(TenantModelAdmin):
    change_action = Action.EDIT_POSTS
    list_display = [
        "title",
        "organization",
        "destination",
        "status",
        "scheduled_time",
        "posted_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["organization", "destination", "status"]
    search_fields = ["title", "external_id", "last_error"]
    list_select_related = ["organization"]
    fields = [
        "organization",
        "media_content",
        "title",
        "destination",
        "scheduled_time",
        "status",
        "external_id",
        "external_url",
        "attempts",
        "last_error",
        "claimed_at",
        "posted_at",
        "created_at",
        "updated_at",
    ]
    # The record of what happened. The time is the item's: changed on the media item,
    # where ``lifecycle.media_reschedule`` moves its posts (and approval keeps held ones).
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        """History stays: an item's unsent posts are cancelled through the item."""
        return False

    # --- Settling posts whose outcome Meta could not tell -----------------------------
    actions = ["mark_posted", "mark_not_posted"]

    @admin.action(description="Mark as posted (checked on the Page)")
    def mark_posted(self, request, queryset):
        posts = list(self._unconfirmed(request, queryset))
        if not posts:
            return None
        form = MarkPostedForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            link = form.cleaned_data["external_url"]
            settled = sum(
                unconfirmed.resolve_unconfirmed(post=post, posted=True, external_url=link)
                for post in posts
            )
            self.message_user(request, f"{settled} post(s) marked as posted.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "posts": posts,
            "form": form,
            "title": "Mark as posted",
        }
        return TemplateResponse(
            request, "admin/media_content/scheduledpost/mark_posted.html", context
        )

    @admin.action(description="Mark as not posted (send again)")
    def mark_not_posted(self, request, queryset):
        reason = f"Checked by {request.user.get_username()}: it was not published; sent again."
        sent = sum(
            unconfirmed.send_unconfirmed_again(post=post, reason=reason)
            for post in self._unconfirmed(request, queryset)
        )
        if sent:
            self.message_user(request, f"{sent} post(s) sent again.", messages.SUCCESS)

    def _unconfirmed(self, request, queryset):
        others = queryset.exclude(status=ScheduledPost.Status.UNCONFIRMED).count()
        if others:
            self.message_user(
                request,
                f"{others} selected post(s) are not waiting for a check and were left alone: "
                "only unconfirmed posts can be marked.",
                messages.WARNING,
            )
        return queryset.filter(status=ScheduledPost.Status.UNCONFIRMED)


class MarkPostedForm(forms.Form):
    external_url = forms.URLField(
        label="Link to the published post",
        required=False,
        assume_scheme="https",
        help_text="Optional: the post's address on Facebook or Instagram, shown in the history.",
    )


@admin.register(PublishingGate)
class PublishingGateAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    """Which Pages, accounts and apps are slowed down or failing: written by ``gates`` only.

    A gate is Meta's state of one of its objects, not a dealership's row ("meta:<Page or
    Instagram account id>", "meta:app"); the dealers see its words on their waiting posts.
    """

    list_display = [
        "key",
        "state",
        "consecutive_failures",
        "paused_until",
        "retry_at",
        "last_error",
        "updated_at",
    ]
    list_filter = ["state"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in PublishingGate._meta.fields if f.name != "id"]
    actions = ["resume"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Close: end the pause and the breaker, let posts through")
    def resume(self, request, queryset):
        resumed = sum(gates.resume(key=gate.key) for gate in queryset)
        self.message_user(
            request,
            f"{resumed} gate(s) closed: posts go through them at once. Posts already waiting "
            "go out at the time they were given.",
            messages.SUCCESS,
        )
