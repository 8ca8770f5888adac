from django.core.exceptions import ValidationError
from django.utils import timezone

from media_content.carousel_checks import first_image
from media_content.models import ScheduledPost
from media_content.ribbons import ribbon_for
from publishing.publisher import Claim, PublishError, PublishResult

from .services import banner_from_media


class BannerPublisher:
    """The website carousel: publishing a post creates or activates the item's banner."""

    label = "website"

    def publish(self, post: ScheduledPost, claim: Claim) -> PublishResult:
        if post.media_content is None:
            raise PublishError(
                "The media item was deleted before it could be shown on the website."
            )
        media = post.media_content
        # The banner starts on the dealer's local date of the post's time (not the
        # day a late worker got to it) and ends on the day the dealer chose, if any.
        start_date = timezone.localdate(post.scheduled_time, timezone=post.organization.tzinfo)
        try:
            banner = banner_from_media(
                media=media,
                start_date=start_date,
                end_date=media.banner_end_date,
                image=first_image(media),
                picture=ribbon_for(media),  # the cover with its ribbon, when the post has one
            )
        except ValidationError as error:
            raise PublishError(" ".join(error.messages)) from error
        return PublishResult(external_id=f"banner-{banner.pk}")
