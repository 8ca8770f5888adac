"""The admin's media form: the portal's rules for edits, status, time and approval.

An edit is judged as the portal's edit modal judges it (``edit_forms.EditRules``)
and a destination as scheduling judges it (``lifecycle.refuse_destinations_with_errors``,
the post's checks). Here an item moves only between draft and scheduled, and
scheduling needs the right to publish: a post waiting for approval is approved or
sent back on its approval page, never scheduled by hand. What the form accepts is
then saved by ``admin_edit`` through the portal's services.
"""

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from dealer_media.tenancy.roles import REFUSALS, Action, may, membership_for
from library.form_fields import CheckedFileField

from . import lifecycle
from .edit_forms import EditRules
from .models import Destination, MediaContent

Status = MediaContent.Status
PER_NETWORK_FIELDS = ("facebook_caption", "instagram_caption", "first_comment", "alt_text")
# What staff fill in that ``media_create`` takes as it is.
CREATE_FIELDS = (
    "title",
    "description",
    "link_url",
    *PER_NETWORK_FIELDS,
    "post_to_facebook",
    "post_to_instagram",
    "post_to_banner",
    "instagram_fit",
    "banner_end_date",
)
NEW_ITEM_STATUSES = (Status.DRAFT, Status.SCHEDULED)
# The moves of ``status`` staff make by hand; the rest is the posts' (or approval's) doing.
STATUS_MOVES = {(Status.DRAFT, Status.SCHEDULED), (Status.SCHEDULED, Status.DRAFT)}
WAITING = (
    "This post is waiting for approval: approve it or send it back on its approval page "
    "(in the portal). Its status and time stay as they are until then."
)
OTHER_MOVE = (
    "Here an item moves only between draft and scheduled; retrying, archiving and "
    "approval have their own actions."
)


class MediaContentAdminForm(EditRules, forms.ModelForm):
    """Staff edits follow the portal's rules; ``actor`` (set by the admin) is who saves."""

    actor: AbstractBaseUser | None = None
    link_url = forms.URLField(max_length=2000, required=False, assume_scheme="https")
    # The portal's content check; the kind of media, its name and type come from it.
    file = CheckedFileField()
    instagram_fit = forms.ChoiceField(
        choices=MediaContent.InstagramFit.choices, required=False, label="Fit for Instagram"
    )

    class Meta:
        model = MediaContent
        fields = [
            "organization",
            "title",
            "description",
            "link_url",
            *PER_NETWORK_FIELDS,
            "file",
            "status",
            "post_to_banner",
            "post_to_facebook",
            "post_to_instagram",
            "scheduled_post_time",
            "banner_end_date",
            "instagram_fit",
            "ribbon_text",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the post has its file: a new one only replaces it
            self.fields["file"].required = False

    def clean_instagram_fit(self) -> str:
        return self.cleaned_data.get("instagram_fit") or self.instance.instagram_fit

    def may_publish(self, organization) -> bool:
        """Scheduling is publishing: owners, and editors whose posts need no approval."""
        return may(membership_for(user=self.actor, organization=organization), Action.PUBLISH)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            self._clean_new(cleaned)
            return cleaned
        submitted = dict(cleaned)  # before a refused destination leaves it
        was, status = self.instance.status, cleaned.get("status")
        time_moved = "scheduled_post_time" in self.changed_data
        if was == Status.WAITING and (status != was or time_moved):
            self.add_error(None, WAITING)
        elif status != was and (was, status) not in STATUS_MOVES:
            self.add_error("status", OTHER_MOVE)
        elif status == Status.SCHEDULED:
            self._clean_schedule(cleaned, was=was)
        elif time_moved:
            self.add_error("scheduled_post_time", "Only a scheduled item can be given a new time.")
        if status == Status.WAITING and not self.errors:
            self._refuse_destinations(cleaned, moved=False)
        self.check_edit(submitted)
        return cleaned

    def _clean_new(self, cleaned: dict) -> None:
        status, organization = cleaned.get("status"), cleaned.get("organization")
        if status not in (None, *NEW_ITEM_STATUSES):
            self.add_error("status", "A new item starts as a draft or scheduled.")
        elif status == Status.SCHEDULED and organization and not self.may_publish(organization):
            self.add_error("status", REFUSALS[Action.PUBLISH])

    def _clean_schedule(self, cleaned: dict, *, was: str) -> None:
        if not cleaned.get("scheduled_post_time"):
            self.add_error("scheduled_post_time", "A scheduled item needs a time.")
            return
        if was != Status.SCHEDULED and not self.may_publish(self.instance.organization):
            self.add_error("status", REFUSALS[Action.PUBLISH])
            return
        self._refuse_destinations(
            cleaned, moved=bool({"scheduled_post_time", "status"} & set(self.changed_data))
        )

    def _refuse_destinations(self, cleaned: dict, *, moved: bool) -> None:
        """Destinations that get a post now, judged by the post's checks as scheduling does."""
        added = [
            d
            for d in Destination
            if cleaned.get(f"post_to_{d}") and (moved or f"post_to_{d}" in self.changed_data)
        ]
        try:
            lifecycle.refuse_destinations_with_errors(media=self.instance, destinations=added)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    self.add_error(field, message)


def save_edit(*, form: MediaContentAdminForm, base_url: str) -> list[str]:
    """Save an accepted edit as the portal saves one; answers what happened to the posts.

    ``services.media_update`` saves the fields and moves a scheduled item's posts;
    ``lifecycle`` schedules a draft or takes a scheduled item back to a draft;
    ``approval.media_edited`` then does what approval asks of the change, in the
    same transaction; a new file goes last (``services.media_replace_file``). A
    ValidationError from any of them leaves nothing saved (the caller's transaction).
    """
    from library.form_fields import uploaded_file_path

    from . import approval, services
    from .ribbons import ribbon_set

    cleaned, changed = form.cleaned_data, set(form.changed_data)
    media = MediaContent.objects.select_related("organization").get(pk=form.instance.pk)
    was, status = media.status, cleaned["status"]
    changes = {
        name: cleaned[name]
        for name in services.EDITABLE_FIELDS
        if name in changed and cleaned[name] != getattr(media, name)
    }
    notes = []
    if (was, status) == (Status.SCHEDULED, Status.DRAFT):
        notes.append(f"{lifecycle.media_unschedule(media=media)} pending post(s) cancelled.")
    moved = was == status == Status.SCHEDULED and "scheduled_post_time" in changed
    when = cleaned["scheduled_post_time"] if moved else None
    if changes or when:  # a new file alone leaves the fields and posts as they are
        services.media_update(media=media, when=when, **changes)
    if (was, status) == (Status.DRAFT, Status.SCHEDULED):
        created = lifecycle.media_reschedule(media=media, when=cleaned["scheduled_post_time"])
        notes.append(f"{len(created)} post(s) scheduled.")
    media.refresh_from_db()
    if "ribbon_text" in changed and cleaned["ribbon_text"] != media.ribbon_text:
        ribbon_set(media=media, text=cleaned["ribbon_text"])
    by = membership_for(user=form.actor, organization=media.organization)
    approval.media_edited(by=by, media=media, was=was, base_url=base_url)
    if cleaned.get("file"):
        new_file = cleaned["file"]
        media.refresh_from_db()
        with uploaded_file_path(new_file) as path:
            services.media_replace_file(
                media=media,
                path=path,
                original_filename=new_file.original_name,
                sniffed=new_file.sniffed,
            )
    return notes
