"""One boto3 session per process for media on S3 (``dealer_media.storage``).

django-storages would make a session, and parse botocore's data again, in every
thread; here the threads share one session and each gets its own resource. The
session's endpoint table is cut to the services it calls: what it answers for
S3 must stay exactly what boto3 answers.
"""

import threading
from urllib.parse import urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from dealer_media.storage import SESSION_SERVICES, process_session
from tests.s3 import BUCKET


def test_threads_share_the_session_and_each_has_its_own_resource(s3):
    storage = storages["default"]
    seen, errors = [], []

    def work(index: int) -> None:
        try:
            name = storage.save(
                f"org-1/media/thread-{index}.jpg", ContentFile(b"\xff\xd8\xff" * 10)
            )
            seen.append((storage._create_session(), storage.connection, name))
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sessions = {id(session) for session, _, _ in seen}
    resources = {id(resource) for _, resource, _ in seen}
    assert len(sessions) == 1 and len(resources) == 4
    stored = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert stored == {name for _, _, name in seen}


def test_the_endpoint_table_keeps_only_the_services_the_session_calls():
    session = process_session(profile=None, access_key="a", secret_key="b", token=None)
    plain = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b")
    assert session.get_available_regions("s3") == plain.get_available_regions("s3")
    assert session.get_available_regions("s3", "aws-cn") == plain.get_available_regions(
        "s3", "aws-cn"
    )
    assert session.get_available_regions("sts") == plain.get_available_regions("sts")
    assert plain.get_available_regions("ec2") and session.get_available_regions("ec2") == []
    assert {"s3", "sts"} <= SESSION_SERVICES


@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"]
)
def test_s3_urls_are_what_boto3_makes_in_every_partition(region):
    session = process_session(profile=None, access_key="a", secret_key="b", token=None)
    plain = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b")
    ours = session.client("s3", region_name=region)
    theirs = plain.client("s3", region_name=region)
    assert ours.meta.endpoint_url == theirs.meta.endpoint_url
    params = {"Bucket": "dealer-media", "Key": "org-1/media/a.jpg"}
    url = urlsplit(ours.generate_presigned_url("get_object", Params=params))
    expected = urlsplit(theirs.generate_presigned_url("get_object", Params=params))
    assert (url.scheme, url.netloc, url.path) == (expected.scheme, expected.netloc, expected.path)


def test_one_session_per_set_of_credentials():
    first = process_session(profile=None, access_key="a", secret_key="b", token=None)
    assert process_session(profile=None, access_key="a", secret_key="b", token=None) is first
    other = process_session(profile=None, access_key="c", secret_key="d", token=None)
    assert other is not first
    assert other.get_credentials().access_key == "c"
