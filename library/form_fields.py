"""The form field for every file we store: checked by content, named and typed from it.

The portal's banner forms, the admin's media and banner forms all use
``CheckedFileField``: the bytes go through ``validation.sniff`` (Pillow's full
decode under the decompression-bomb limit, ffmpeg for videos, the size limits
from settings), and the upload leaves the field renamed ``upload.<detected
extension>`` with the detected Content-Type, so neither the client's file name
nor its declared type ever reaches storage. The client's name is kept on
``original_name`` for display.
"""

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile

from library.validation import MediaRejected, sniff

# The HTTP status of a refused file, by the refusal's code (the library answers the same).
REJECTION_STATUS = {"too_large": 413, "decompression_bomb": 413, "unsupported_type": 415}


@contextlib.contextmanager
def uploaded_file_path(uploaded: UploadedFile) -> Iterator[Path]:
    """A path to the uploaded bytes: Django's temporary file, or a copy of a small one."""
    if hasattr(uploaded, "temporary_file_path"):
        yield Path(uploaded.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        for chunk in uploaded.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


class CheckedFileField(forms.FileField):
    def __init__(self, *, images_only: bool = False, **kwargs):
        kwargs.setdefault("allow_empty_file", True)  # sniff names an empty file in words
        super().__init__(**kwargs)
        self.images_only = images_only

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not isinstance(value, UploadedFile):
            return value  # unchanged (the stored file) or cleared
        try:
            with uploaded_file_path(value) as path:
                sniffed = sniff(path, images_only=self.images_only)
        except MediaRejected as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        value.original_name = value.name
        value.name = f"upload.{sniffed.extension}"
        value.content_type = sniffed.content_type
        value.sniffed = sniffed
        return value


def rejection_status(form: forms.BaseForm, default: int = 400) -> int:
    """413 or 415 when a file was refused for its size or type, else ``default``."""
    for errors in form.errors.as_data().values():
        for error in errors:
            if error.code in REJECTION_STATUS:
                return REJECTION_STATUS[error.code]
    return default
