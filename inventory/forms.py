from django import forms
from django.conf import settings

from .fetching import FetchRefused, check_url


class SourceForm(forms.Form):
    feed_url = forms.URLField(
        label="Feed URL",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="The address of your vehicle feed (CSV, TSV or XML), as Meta's catalog reads it.",
    )
    every_minutes = forms.TypedChoiceField(
        label="Fetch it",
        coerce=int,
        initial=60,
        choices=[
            (15, "Every 15 minutes"),
            (30, "Every 30 minutes"),
            (60, "Every hour"),
            (180, "Every 3 hours"),
            (360, "Every 6 hours"),
            (720, "Twice a day"),
            (1440, "Once a day"),
        ],
    )
    is_complete = forms.BooleanField(
        label="The feed lists every vehicle in stock (a vehicle missing from it has sold)",
        required=False,
        initial=True,
    )

    def clean_feed_url(self) -> str:
        return checked_feed_url(self.cleaned_data["feed_url"])


def checked_feed_url(url: str) -> str:
    """The address, or the reason ``source_save`` would refuse it (portal and admin alike)."""
    if url:
        try:
            check_url(url)
        except FetchRefused as refused:
            raise forms.ValidationError(refused.message) from None
    return url


class FeedUploadForm(forms.Form):
    feed = forms.FileField(label="Feed file (CSV, TSV or XML)")
    is_complete = forms.BooleanField(
        label="This file lists every vehicle in stock (vehicles not in it have sold)",
        required=False,
        initial=True,
    )

    def clean_feed(self):
        feed = self.cleaned_data["feed"]
        limit = settings.INVENTORY_FEED_MAX_BYTES
        if feed.size > limit:
            raise forms.ValidationError(
                f"The file is {feed.size:,} bytes; a feed file can be at most {limit:,} bytes.",
                code="too_large",
            )
        return feed
