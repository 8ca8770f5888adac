from django import forms
from django.conf import settings

from . import columns
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
    # Off by default: a partial file must never sell the rest of the stock.
    is_complete = forms.BooleanField(
        label="This file lists every vehicle in stock (vehicles not in it have sold)",
        required=False,
        initial=False,
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


class ColumnMappingForm(forms.Form):
    """One select per header of the dealer's file: which of our fields it is, or ignored."""

    def __init__(self, *args, headers: list[str], initial_mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", "Ignore this column"), *[(n, label) for n, label, _h in columns.FIELDS]]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1}",
                choices=choices,
                required=False,
                initial=initial_mapping.get(header, ""),
            )

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"column_{i}", "") for i in range(len(self.headers))]
        if missing := columns.missing_required(chosen):
            names = ", ".join(columns.LABELS[m] for m in missing)
            raise forms.ValidationError(
                f"Choose the column that holds {names}: a vehicle cannot be imported without it."
            )
        twice = sorted(
            {columns.LABELS[c] for c in chosen if c and c != "images" and chosen.count(c) > 1}
        )
        if twice:
            raise forms.ValidationError(
                "Each field can come from one column only (photos can come from several): "
                + ", ".join(twice)
                + "."
            )
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"column_{i}", "") for i, h in enumerate(self.headers)}
