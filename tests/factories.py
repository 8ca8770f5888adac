import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from banners.models import Banner
from dealer_media.tenancy.models import Membership, Organization
from media_content.models import Destination, MediaContent, ScheduledPost

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


class MediaContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaContent

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Spring sale {n}")
    description = "Zero down on every SUV this weekend."
    media_type = MediaContent.MediaType.IMAGE
    file = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="photo.jpg"))
    original_filename = "photo.jpg"
    content_type = "image/jpeg"


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
