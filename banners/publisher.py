from django.core.exceptions import ValidationError

from media_content.models import ScheduledPost
from media_content.publishing import PublishError, PublishResult

from .services import banner_from_media


class BannerPublisher:
    """The website carousel: publishing a post creates or activates the item's banner."""

    label = "website"

    def publish(self, post: ScheduledPost) -> PublishResult:
        if post.media_content is None:
            raise PublishError(
                "The media item was deleted before it could be shown on the website."
            )
        try:
            banner = banner_from_media(media=post.media_content)
        except ValidationError as error:
            raise PublishError(" ".join(error.messages)) from error
        return PublishResult(external_id=f"banner-{banner.pk}")
