"""The library's edit modal (the upload form, MediaUploadForm, lives in forms.py)."""

from django import forms

from .models import MediaContent


class MediaEditForm(forms.ModelForm):
    link_url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = MediaContent
        fields = [
            "title",
            "description",
            "link_url",
            "post_to_facebook",
            "post_to_instagram",
            "post_to_banner",
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = any(
            cleaned.get(name)
            for name in ("post_to_facebook", "post_to_instagram", "post_to_banner")
        )
        if not chosen and self.instance.status != MediaContent.Status.DRAFT:
            raise forms.ValidationError(
                "Choose at least one destination: Facebook, Instagram or Website banner.",
                code="no_destination",
            )
        if (
            cleaned.get("post_to_banner")
            and self.instance.media_type != MediaContent.MediaType.IMAGE
        ):
            self.add_error("post_to_banner", "Only images can be shown as website banners.")
        return cleaned

    @property
    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def form_errors_json(form: forms.BaseForm) -> dict:
    """``{"errors": {"field": ["reason"]}}``; errors of the whole form under ``__all__``."""
    return {"errors": {field: list(messages) for field, messages in form.errors.items()}}
