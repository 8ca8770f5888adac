"""A publisher for worker processes started by tests: it writes each call to a file.

Set SCHEDULING_TEST_RECORD to the file. A post whose title starts with "slow"
stays in ``publish`` for a minute, so a test can kill the worker mid-way; every
post stays SCHEDULING_TEST_PUBLISH_SECONDS (none by default), as if Meta were slow.
"""

import os
import time

from publishing.publisher import PublishResult


def _note(line: str) -> None:
    with open(os.environ["SCHEDULING_TEST_RECORD"], "a") as record:
        record.write(line + "\n")


class RecordingPublisher:
    label = "recording"

    def publish(self, post, claim):
        _note(f"start {post.pk}")
        if post.title.startswith("slow"):
            time.sleep(60)
        time.sleep(float(os.environ.get("SCHEDULING_TEST_PUBLISH_SECONDS") or 0))
        _note(f"done {post.pk}")
        return PublishResult(external_id=f"recorded_{post.pk}")
