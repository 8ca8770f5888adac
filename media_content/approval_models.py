"""The approval trail and preview links of a post (``approval.py``, ``previews.py``)."""

from django.conf import settings
from django.db import models

from dealer_media.tenancy.models import TenantModel
from dealer_media.validators import validate_multi_line_text


class ApprovalStep(TenantModel):
    """One step of a post's approval, with who and when: the trail shown in its history."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        SENT_BACK = "sent_back", "Sent back"
        EDITED = "edited", "Edited"
        RESUBMITTED = "resubmitted", "Edited after approval: waits for approval again"

    media = models.ForeignKey(
        "media_content.MediaContent", on_delete=models.CASCADE, related_name="approval_steps"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True, validators=[validate_multi_line_text])
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.media_id}: {self.get_kind_display()}"


class PreviewLink(TenantModel):
    """A signed, expiring, revocable read-only link to one post's preview, for a reviewer."""

    media = models.ForeignKey(
        "media_content.MediaContent", on_delete=models.CASCADE, related_name="preview_links"
    )
    nonce = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.media_id} until {self.expires_at:%Y-%m-%d}"
