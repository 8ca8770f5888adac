"""The rule and posting-time forms of the inventory settings page."""

from django import forms

from dealer_media.tenancy.models import Organization

from .models import InventoryRule
from .posting_times import WEEKDAYS, parse_times, validate_posting_times

DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


class RuleForm(forms.ModelForm):
    class Meta:
        model = InventoryRule
        fields = [
            "mode",
            "post_to_facebook",
            "post_to_instagram",
            "post_to_banner",
            "banner_days",
            "caption_template",
            "ribbon",
            "min_drop_amount",
            "min_drop_percent",
        ]

    def clean(self):
        data = super().clean()
        if data.get("mode") != InventoryRule.Mode.OFF and not any(
            data.get(f"post_to_{d}") for d in ("facebook", "instagram", "banner")
        ):
            raise forms.ValidationError("Choose at least one destination, or switch the rule off.")
        return data


class PostingTimesForm(forms.Form):
    def __init__(self, *args, times: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[day] = forms.CharField(
                label=DAY_NAMES[day],
                required=False,
                initial=", ".join((times or {}).get(day, [])),
                help_text="Local times, e.g. 10:00, 16:00",
            )

    def clean(self):
        data = super().clean()
        times = {}
        for day in WEEKDAYS:
            try:
                times[day] = parse_times(data.get(day, ""))
            except ValueError:
                self.add_error(day, f"“{data.get(day)}” is not a list of times like 10:00, 16:00.")
        if not self.errors:
            try:
                validate_posting_times(times)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        data["times"] = times
        return data


class BrandColourForm(forms.ModelForm):
    """The dealership's colour, for the ribbons on its vehicle photos."""

    class Meta:
        model = Organization
        fields = ["brand_colour"]
