"""The carousel serves a lighter display copy of wide banner images, beside the original."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import Context, Template
from PIL import Image

from banners import display, services
from banners.models import Banner
from banners.selectors import active_banners

from ..factories import BannerFactory, MediaContentFactory
from ..media import jpeg_bytes

pytestmark = pytest.mark.django_db


def wide_banner(organization, width=3000, **fields) -> Banner:
    return BannerFactory(
        organization=organization,
        image=ContentFile(jpeg_bytes(width, width // 3, "teal"), name="wide.jpg"),
        **fields,
    )


def test_a_wide_image_gets_a_display_copy_after_the_commit(
    sunrise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        banner = wide_banner(sunrise)
    banner.refresh_from_db()
    assert (banner.display_width, banner.display_height) == (1280, 427)
    with default_storage.open(banner.display.name) as stored:
        picture = Image.open(stored)
        assert (picture.format, picture.size) == ("JPEG", (1280, 427))
    assert banner.image.name != banner.display.name


def test_the_carousel_offers_both_and_loads_the_light_one_by_default(
    sunrise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        banner = wide_banner(sunrise, width=2400, title="Wide")
    banner.refresh_from_db()
    html = Template("{% load banners %}{% banner_carousel org %}").render(Context({"org": sunrise}))
    assert f'src="{banner.display.url}"' in html
    assert f'srcset="{banner.display.url} 1280w, {banner.image.url} 2400w"' in html
    assert 'width="2400" height="800"' in html  # the picture's shape, for the layout


def test_an_original_far_wider_than_any_screen_is_never_offered(
    sunrise, django_capture_on_commit_callbacks
):
    """The probe's 13000 px banner was in the public srcset; past 2x the display width, no."""
    with django_capture_on_commit_callbacks(execute=True):
        banner = wide_banner(sunrise, width=6000, title="Huge")
    banner.refresh_from_db()
    html = Template("{% load banners %}{% banner_carousel org %}").render(Context({"org": sunrise}))
    assert f'src="{banner.display.url}" srcset="{banner.display.url} 1280w"' in html
    assert banner.image.url not in html


def test_the_copy_invalidates_the_cached_carousel(sunrise, django_capture_on_commit_callbacks):
    banner = wide_banner(sunrise)  # on_commit not run: no copy yet
    [before] = active_banners(organization=sunrise)
    assert before.image_url == banner.image.url
    display.banner_display_make(banner_id=banner.pk)
    [after] = active_banners(organization=sunrise)
    banner.refresh_from_db()
    assert after.image_url == banner.display.url


def test_small_images_need_no_copy(sunrise, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        banner = BannerFactory(organization=sunrise)  # 1200 px wide
    banner.refresh_from_db()
    assert not display.needs_display(banner) and not banner.display
    html = Template("{% load banners %}{% banner_carousel org %}").render(Context({"org": sunrise}))
    assert f'src="{banner.image.url}" srcset="{banner.image.url} 1200w"' in html


def test_a_replaced_image_gets_a_new_copy_and_the_old_one_goes(
    sunrise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        banner = wide_banner(sunrise)
    banner.refresh_from_db()
    old_copy = banner.display.name
    with django_capture_on_commit_callbacks(execute=True):
        banner = services.banner_update(
            banner=banner, image=ContentFile(jpeg_bytes(2000, 1000, "red"), name="new.jpg")
        )
    banner.refresh_from_db()
    assert banner.display.name != old_copy
    assert (banner.display_width, banner.display_height) == (1280, 640)
    assert not default_storage.exists(old_copy)


def test_a_copy_made_for_an_image_since_replaced_is_not_kept(
    sunrise, monkeypatch, django_capture_on_commit_callbacks
):
    banner = wide_banner(sunrise)
    encode = display.encode_jpeg
    made = []

    def replaced_meanwhile(image, **options):
        # The dealer uploads another image while the old one's copy is being made.
        Banner.objects.filter(pk=banner.pk).update(image="org-x/banners/newer.jpg")
        data = encode(image, **options)
        made.append(data)
        return data

    monkeypatch.setattr(display, "encode_jpeg", replaced_meanwhile)
    before = (
        set(default_storage.listdir(f"org-{sunrise.pk}/banners/display")[1])
        if (default_storage.exists(f"org-{sunrise.pk}/banners/display"))
        else set()
    )
    with django_capture_on_commit_callbacks(execute=True):
        display.banner_display_make(banner_id=banner.pk)
    banner.refresh_from_db()
    assert made and not banner.display
    after = set(default_storage.listdir(f"org-{sunrise.pk}/banners/display")[1])
    assert after == before  # the orphan copy was deleted


def test_an_unreadable_image_makes_no_copy_and_no_error(sunrise):
    banner = wide_banner(sunrise)
    Banner.objects.filter(pk=banner.pk).update(image="org-x/banners/missing.jpg")
    assert display.banner_display_make(banner_id=banner.pk).display == ""


def test_deleting_a_banner_deletes_its_copy(sunrise, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        banner = wide_banner(sunrise)
    banner.refresh_from_db()
    copy = banner.display.name
    with django_capture_on_commit_callbacks(execute=True):
        services.banner_delete(banner=banner)
    assert not default_storage.exists(copy)


def test_a_banner_made_from_a_library_image_gets_its_own_copy(
    sunrise, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(
        organization=sunrise,
        file=ContentFile(jpeg_bytes(2560, 1280), name="wide.jpg"),
        width=2560,
        height=1280,
    )
    with django_capture_on_commit_callbacks(execute=True):
        banner = services.banner_from_media(media=media)
    banner.refresh_from_db()
    assert banner.image.name == media.lead_file.file.name
    assert (banner.display_width, banner.display_height) == (1280, 640)
