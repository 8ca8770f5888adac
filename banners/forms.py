"""The portal's banner forms: the image goes through the library's content check."""

from django import forms

from library.form_fields import CheckedFileField

from .models import Banner


class BannerForm(forms.ModelForm):
    # The library's check (Pillow's full decode, its pixel limit, the image size
    # limit); stored under the detected format's extension and type.
    image = CheckedFileField(images_only=True)

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

    image = CheckedFileField(images_only=True, required=False)

    def clean_image(self):
        return self.cleaned_data.get("image") or self.instance.image
