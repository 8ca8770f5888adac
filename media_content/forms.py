"""The media form: what a dealer fills in when uploading, for both regular and tus uploads."""

import dataclasses

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from dealer_media.validators import validate_multi_line_text, validate_single_line_text
from library.form_fields import uploaded_file_path
from library.validation import MediaRejected, Sniffed, sniff

from . import captions, timing
from .models import MediaContent
from .services import MediaDetails

FIT_CHOICES = MediaContent.InstagramFit.choices


class MediaDetailsForm(forms.Form):
    """Everything but the file: used by complete-chunk-upload after a tus upload."""

    SCHEDULE_MODES = [
        ("now", "Post now"),
        ("scheduled", "Schedule"),
        ("draft", "Save as draft"),
        ("library", "Only add to the library"),
    ]

    title = forms.CharField(max_length=255, required=False, validators=[validate_single_line_text])
    description = forms.CharField(
        required=False, widget=forms.Textarea, validators=[validate_multi_line_text]
    )
    link_url = forms.URLField(
        max_length=2000,
        required=False,
        assume_scheme="https",
        validators=[validate_single_line_text],
    )
    facebook_caption = forms.CharField(
        required=False,
        widget=forms.Textarea,
        validators=[validate_multi_line_text, captions.validate_facebook_caption],
    )
    instagram_caption = forms.CharField(
        required=False,
        widget=forms.Textarea,
        validators=[validate_multi_line_text, captions.validate_instagram_caption],
    )
    first_comment = forms.CharField(
        required=False,
        max_length=captions.FIRST_COMMENT_MAX_CHARS,
        widget=forms.Textarea,
        validators=[validate_multi_line_text],
    )
    alt_text = forms.CharField(
        required=False,
        max_length=captions.ALT_TEXT_MAX_CHARS,
        validators=[validate_single_line_text],
    )
    post_to_facebook = forms.BooleanField(required=False)
    post_to_instagram = forms.BooleanField(required=False)
    post_to_banner = forms.BooleanField(required=False)
    instagram_fit = forms.ChoiceField(choices=FIT_CHOICES, required=False)
    facebook_video_format = forms.ChoiceField(
        choices=MediaContent.FacebookVideoFormat.choices,
        required=False,
        error_messages={"invalid_choice": "Choose Automatic, Reel or Regular video."},
    )
    schedule_mode = forms.ChoiceField(choices=SCHEDULE_MODES, required=False)
    scheduled_date = forms.DateField(required=False)
    scheduled_time = forms.TimeField(required=False)
    banner_end_date = forms.DateField(
        required=False, help_text="Last day the website shows the banner (optional)."
    )
    allow_duplicate = forms.BooleanField(
        required=False, help_text="Keep a second copy of a file the library already has."
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_instagram_fit(self) -> str:
        """Pad unless the dealer chose crop (only asked for images Instagram would refuse)."""
        return self.cleaned_data.get("instagram_fit") or MediaContent.InstagramFit.PAD

    def clean_facebook_video_format(self) -> str:
        return self.cleaned_data.get("facebook_video_format") or "auto"

    def clean_schedule_mode(self) -> str:
        return self.cleaned_data.get("schedule_mode") or "draft"

    def clean(self) -> dict:
        data = super().clean()
        for field, messages in captions.default_caption_errors(data).items():
            if field not in self.errors:
                self.add_error(field, messages)
        mode = data.get("schedule_mode") or "draft"
        chosen = [data.get(f"post_to_{d}") for d in ("facebook", "instagram", "banner")]
        if mode not in ("draft", "library") and not any(chosen):
            raise forms.ValidationError(
                "Choose at least one destination (Facebook, Instagram or the website banner), "
                "or save as a draft.",
                code="no_destination",
            )
        data["scheduled_at"] = None
        if mode == "scheduled":
            date, time = data.get("scheduled_date"), data.get("scheduled_time")
            if date is None or time is None:
                if "scheduled_date" not in self.errors and "scheduled_time" not in self.errors:
                    raise forms.ValidationError(
                        "Pick a date and a time to schedule the post.", code="no_date"
                    )
                return data
            try:
                when = timing.local_schedule_time(
                    organization=self.organization, date=date, time=time
                )
            except forms.ValidationError as error:
                self.add_error("scheduled_time", error)
                return data
            data["scheduled_at"] = when
        self._clean_banner_end(data, mode)
        return data

    def _clean_banner_end(self, data: dict, mode: str) -> None:
        end = data.get("banner_end_date")
        if not (end and data.get("post_to_banner")) or mode == "draft":
            return
        start = timing.local_date(data.get("scheduled_at") or timezone.now(), self.organization)
        if end < start:
            self.add_error(
                "banner_end_date",
                f"The banner's last day cannot be before its first day, "
                f"{start:%B} {start.day}, {start.year}.",
            )

    def media_details(self) -> MediaDetails:
        """The new item's details, for ``services.media_create``."""
        data = self.cleaned_data
        return MediaDetails(
            **{field.name: data.get(field.name) for field in dataclasses.fields(MediaDetails)}
        )


class MediaUploadForm(MediaDetailsForm):
    """The regular (one request, multipart) upload: the file is checked by its content."""

    media_file = forms.FileField(allow_empty_file=True)

    field_order = ["media_file"]

    def clean_media_file(self) -> UploadedFile:
        uploaded = self.cleaned_data["media_file"]
        try:
            with uploaded_file_path(uploaded) as path:
                self.sniffed: Sniffed = sniff(path)
        except MediaRejected as error:
            self.rejection = error
            raise forms.ValidationError(error.message, code=error.code) from error
        return uploaded
