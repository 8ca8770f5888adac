"""In a real browser: invite, accept, submit for approval, approve, and the post goes out."""

import re

import pytest
from django.core import mail

from media_content.models import ScheduledPost

from ..factories import MediaContentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_accept_submit_approve_and_it_goes_out(
    live_server, page, sign_in, sunrise, sunrise_user
):
    item = MediaContentFactory(
        organization=sunrise, title="Convertible season", post_to_banner=True
    )

    # The owner invites a contributor from the Team page.
    sign_in("sunrise", next_path="/marketing/team")
    page.get_by_label("Email").fill("sam@sunrise.example")
    page.get_by_label("Role", exact=True).select_option("contributor")
    page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent to sam@sunrise.example" in page.locator(".messages").inner_text()
    link = re.search(r"(/accounts/invitation/\S+)", mail.outbox[-1].body).group(1)
    page.get_by_role("button", name="Sign out sunrise").click()
    page.wait_for_url("**/accounts/login/")

    # The contributor sets a password and joins.
    page.goto(live_server.url + link)
    page.get_by_label("Password", exact=True).fill("convertible-season-2026")
    page.get_by_label("Password again").fill("convertible-season-2026")
    page.get_by_role("button", name="Set password and join").click()
    page.wait_for_url("**/marketing/media")
    assert "Welcome to Sunrise Motors" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name=f"Delete {item.title}").count() == 0

    # They submit the draft for approval.
    page.get_by_role("link", name=f"Approval and preview of {item.title}").click()
    page.get_by_role("button", name="Submit for approval").click()
    assert "is waiting for approval" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Sign out sam@sunrise.example").click()
    page.wait_for_url("**/accounts/login/")

    # The owner sees the notice, approves, and the post goes out.
    sign_in("sunrise", next_path="/marketing/media")
    page.get_by_role("link", name="1 post waits for your approval.").click()
    page.get_by_role("link", name=f"Approval and preview of {item.title}").click()
    page.get_by_role("button", name="Approve", exact=True).click()
    assert "Approved “Convertible season”" in page.locator(".messages").inner_text()
    post = ScheduledPost.objects.get(media_content=item)
    assert post.status == ScheduledPost.Status.POSTED
    trail = page.locator(".approval-trail").inner_text()
    assert "Submitted for approval by sam@sunrise.example" in trail
    assert "Approved by sunrise" in trail
