"""The library's edit modal (the upload form, MediaUploadForm, lives in forms.py)."""

from django import forms

from . import captions, timing
from .models import MediaContent


class EditRules:
    """What an edit of an item must respect: the portal's edit modal and the admin's form alike."""

    def check_edit(self, cleaned: dict) -> None:
        for field, messages in captions.default_caption_errors(cleaned).items():
            if field not in self.errors:
                self.add_error(field, messages)
        chosen = any(
            cleaned.get(name)
            for name in ("post_to_facebook", "post_to_instagram", "post_to_banner")
        )
        if not chosen and self.instance.status != MediaContent.Status.DRAFT:
            self.add_error(
                None,
                forms.ValidationError(
                    "Choose at least one destination: Facebook, Instagram or Website banner.",
                    code="no_destination",
                ),
            )
        if (
            cleaned.get("post_to_banner")
            and self.instance.media_type != MediaContent.MediaType.IMAGE
            and "post_to_banner" not in self.errors
        ):
            self.add_error("post_to_banner", "Only images can be shown as website banners.")


class MediaEditForm(EditRules, forms.ModelForm):
    link_url = forms.URLField(max_length=2000, required=False, assume_scheme="https")
    # Only a scheduled item shows these: its new local date and time.
    scheduled_date = forms.DateField(required=False)
    scheduled_time = forms.TimeField(required=False)
    # Sent by the modal when it asks (an image Instagram would refuse); else kept as it is.
    instagram_fit = forms.ChoiceField(choices=MediaContent.InstagramFit.choices, required=False)
    # Not sent (an older page, a script): the item keeps its choice.
    facebook_video_format = forms.ChoiceField(
        choices=MediaContent.FacebookVideoFormat.choices,
        required=False,
        error_messages={"invalid_choice": "Choose Automatic, Reel or Regular video."},
    )

    class Meta:
        model = MediaContent
        fields = [
            "title",
            "description",
            "link_url",
            "facebook_caption",
            "instagram_caption",
            "first_comment",
            "alt_text",
            "post_to_facebook",
            "post_to_instagram",
            "post_to_banner",
            "facebook_video_format",
        ]

    def clean_instagram_fit(self) -> str:
        return self.cleaned_data.get("instagram_fit") or self.instance.instagram_fit

    def clean(self):
        cleaned = super().clean()
        self.check_edit(cleaned)
        self._clean_when(cleaned)
        return cleaned

    def clean_facebook_video_format(self) -> str:
        return self.cleaned_data.get("facebook_video_format") or self.instance.facebook_video_format

    def _clean_when(self, cleaned: dict) -> None:
        date, time = cleaned.get("scheduled_date"), cleaned.get("scheduled_time")
        cleaned["when"] = None
        if date is None and time is None:
            return
        if self.instance.status != MediaContent.Status.SCHEDULED:
            self.add_error("scheduled_date", "Only a scheduled item can be given a new time.")
        elif date is None or time is None:
            self.add_error("scheduled_time", "Give both a date and a time.")
        else:
            try:
                cleaned["when"] = timing.local_schedule_time(
                    organization=self.instance.organization, date=date, time=time
                )
            except forms.ValidationError as error:
                self.add_error("scheduled_time", error)

    @property
    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in [*self.Meta.fields, "instagram_fit"]}

    @property
    def when(self):
        """The new scheduled time (aware, UTC) when the dealer moved it, else None."""
        return self.cleaned_data.get("when")


def form_errors_json(form: forms.BaseForm) -> dict:
    """``{"errors": {"field": ["reason"]}}``; errors of the whole form under ``__all__``."""
    return {"errors": {field: list(messages) for field, messages in form.errors.items()}}
