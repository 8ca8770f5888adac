"""The portal's banner forms: the image is checked by its content (Pillow), not its name."""

from django import forms
from PIL import Image

from .models import Banner

BANNER_MAX_BYTES = 10 * 1024 * 1024
BANNER_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}


def validate_banner_image(upload) -> None:
    """Open the bytes with Pillow: a renamed PDF or a truncated file is refused here."""
    if upload.size > BANNER_MAX_BYTES:
        raise forms.ValidationError(
            f"This image is {upload.size / 1024 / 1024:.1f} MB; banners can be at most "
            f"{BANNER_MAX_BYTES // 1024 // 1024} MB.",
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except Exception:
        raise forms.ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.",
            code="not_an_image",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in BANNER_FORMATS:
        raise forms.ValidationError(
            f"{image_format} images cannot be banners. Upload a JPEG, PNG, WebP or GIF.",
            code="format",
        )


class BannerForm(forms.ModelForm):
    image = forms.FileField(validators=[validate_banner_image])

    class Meta:
        model = Banner
        fields = ["title", "image", "link_url", "start_date", "end_date", "is_active"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned


class BannerEditForm(BannerForm):
    """Editing keeps the image unless a new one is sent."""

    image = forms.FileField(required=False, validators=[validate_banner_image])

    def clean_image(self):
        return self.cleaned_data.get("image") or self.instance.image
