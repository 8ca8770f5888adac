"""The S3 storage of user media: each object's type and disposition come from its name.

django-storages would store the Content-Type the client declared for an
upload (``UploadedFile.content_type``); a browser then renders whatever the
client claimed, HTML included. Setting both parameters here, from the name we
generated from the detected format, leaves the client no say.

It would also make a boto3 session for every thread that touches the storage
(a presigned URL in a page is enough), and each session parses botocore's data
again: about 13 MB per thread, 50 MB in a gthread worker of four. Here the
threads share one session per process, and each still gets its own resource
(boto3's resources are not thread-safe; the session is used only under a
lock). That session only ever talks to S3, so of botocore's table of every
service's endpoints (6 MB once parsed) it keeps S3's and those of the services
its credential providers call.
"""

import os
import threading

import boto3.session
import botocore.loaders
import botocore.session
from storages.backends.s3 import S3Storage

from .stored_files import content_disposition_for, content_type_for

# S3 itself, and what botocore's credential providers may call (assume-role, SSO).
SESSION_SERVICES = frozenset({"s3", "sts", "sso", "sso-oidc"})


class _S3Loader(botocore.loaders.Loader):
    """botocore's data, with the endpoint table cut to ``SESSION_SERVICES``."""

    def load_data_with_path(self, name):
        data, path = super().load_data_with_path(name)
        if name == "endpoints":
            for partition in data.get("partitions", []):
                services = partition.get("services", {})
                partition["services"] = {
                    service: services[service] for service in SESSION_SERVICES & services.keys()
                }
        return data, path


class _ProcessSession(boto3.session.Session):
    """A boto3 session that makes one resource at a time, for threads to share."""

    _lock = threading.RLock()  # resource() calls client()

    def resource(self, *args, **kwargs):
        with self._lock:
            return super().resource(*args, **kwargs)

    def client(self, *args, **kwargs):
        with self._lock:
            return super().client(*args, **kwargs)


_SESSIONS: dict[tuple, _ProcessSession] = {}
_SESSIONS_LOCK = threading.Lock()


def process_session(
    *, profile: str | None, access_key: str | None, secret_key: str | None, token: str | None
) -> _ProcessSession:
    """The process's session for these credentials (settings name one set)."""
    key = (profile, access_key, secret_key, token)
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(key)
        if session is None:
            core = botocore.session.get_session()
            data_path = core.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
            extra_paths = [
                os.path.expanduser(os.path.expandvars(path))
                for path in (data_path.split(os.pathsep) if data_path else [])
            ]
            core.register_component("data_loader", _S3Loader(extra_search_paths=extra_paths))
            if profile:
                session = _ProcessSession(profile_name=profile, botocore_session=core)
            else:
                session = _ProcessSession(
                    aws_access_key_id=access_key,
                    aws_secret_access_key=secret_key,
                    aws_session_token=token,
                    botocore_session=core,
                )
            _SESSIONS[key] = session
        return session


class MediaS3Storage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        params = super().get_object_parameters(name)
        params["ContentType"] = content_type_for(name)
        params["ContentDisposition"] = content_disposition_for(name)
        return params

    def _create_session(self) -> boto3.session.Session:
        return process_session(
            profile=self.session_profile,
            access_key=self.access_key,
            secret_key=self.secret_key,
            token=self.security_token,
        )
