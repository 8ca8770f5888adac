"""The S3 storage of user media: each object's type and disposition come from its name.

django-storages would store the Content-Type the client declared for an
upload (``UploadedFile.content_type``); a browser then renders whatever the
client claimed, HTML included. Setting both parameters here, from the name we
generated from the detected format, leaves the client no say.
"""

from storages.backends.s3 import S3Storage

from .stored_files import content_disposition_for, content_type_for


class MediaS3Storage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        params = super().get_object_parameters(name)
        params["ContentType"] = content_type_for(name)
        params["ContentDisposition"] = content_disposition_for(name)
        return params
