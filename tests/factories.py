import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from banners.models import Banner
from dealer_media.tenancy.models import Membership, Organization
from library.models import MediaFile
from media_content.models import Destination, MediaContent, PostFile, ScheduledPost

from .media import jpeg_bytes


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Dealership {n}")
    slug = factory.Sequence(lambda n: f"dealership-{n}")
    timezone = "America/Chicago"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.OWNER


def _is_image(media) -> bool:
    return media.media_type == MediaFile.MediaType.IMAGE


class MediaFileFactory(factory.django.DjangoModelFactory):
    """A file of the library: a processed 1200x800 JPEG unless told otherwise."""

    class Meta:
        model = MediaFile

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"IMG_{n:04d}")
    media_type = MediaFile.MediaType.IMAGE
    file = factory.LazyAttribute(
        lambda media: (
            ContentFile(jpeg_bytes(1200, 800), name="photo.jpg")
            if media.media_type == MediaFile.MediaType.IMAGE
            else ContentFile(b"\x00\x00\x00\x18ftypmp42" + bytes(1000), name="clip.mp4")
        )
    )
    original_filename = "photo.jpg"
    content_type = "image/jpeg"
    # Processed, as most files in the library are; processing tests make their own.
    processing_status = MediaFile.ProcessingStatus.READY
    container = factory.LazyAttribute(
        lambda media: "JPEG" if media.media_type == MediaFile.MediaType.IMAGE else "mov,mp4"
    )
    width = factory.LazyAttribute(lambda media: 1200 if _is_image(media) else 1080)
    height = factory.LazyAttribute(lambda media: 800 if _is_image(media) else 1920)
    # A 30-second portrait H.264 clip, fit for every destination that takes video.
    duration = factory.LazyAttribute(lambda media: None if _is_image(media) else 30.0)
    video_codec = factory.LazyAttribute(lambda media: "" if _is_image(media) else "h264")
    audio_codec = factory.LazyAttribute(lambda media: "" if _is_image(media) else "aac")
    frame_rate = factory.LazyAttribute(lambda media: None if _is_image(media) else 30.0)
    size_bytes = factory.LazyAttribute(lambda media: getattr(media.file, "size", 0) or 0)


FILE_FIELDS = {field.name for field in MediaFile._meta.get_fields()} - {
    "id",
    "organization",
    "title",
    "created_by",
    "created_at",
    "updated_at",
    "post_files",
    "posts",
    "renditions",
}


class MediaContentFactory(factory.django.DjangoModelFactory):
    """A post of one file (``MediaFileFactory``), or of ``files=[...]`` in that order.

    The file's fields (``media_type``, ``processing_status``, ``width``...) may be
    given here as before: they go to the post's file, which takes the post's title.
    """

    class Meta:
        model = MediaContent

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Spring sale {n}")
    description = "Zero down on every SUV this weekend."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        files = kwargs.pop("files", None)
        file_values = {name: kwargs.pop(name) for name in list(kwargs) if name in FILE_FIELDS}
        post = super()._create(model_class, *args, **kwargs)
        if files is None:
            files = [
                MediaFileFactory(
                    organization=post.organization,
                    title=post.title,
                    created_by=post.created_by,
                    **file_values,
                )
            ]
        PostFile.objects.bulk_create(
            PostFile(organization_id=post.organization_id, post=post, file=file, position=place)
            for place, file in enumerate(files)
        )
        return post


class ScheduledPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledPost

    media_content = factory.SubFactory(MediaContentFactory)
    organization = factory.SelfAttribute("media_content.organization")
    title = factory.SelfAttribute("media_content.title")
    destination = Destination.FACEBOOK
    scheduled_time = factory.LazyFunction(timezone.now)


class BannerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Banner

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Banner {n}")
    image = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(1200, 400), name="banner.jpg"))
    link_url = "https://example.com/offers"
