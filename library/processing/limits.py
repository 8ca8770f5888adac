"""What each destination accepts: Meta's limits and our carousel's, each with its source.

The posts' checks (``media_content.post_checks``) judge files against these; the
renditions (``renditions.py``) make the Instagram-ready copy to fit them.
"""

from fractions import Fraction

MB = 1024 * 1024

# --- Instagram (content publishing through the Graph API) --------------------
# Source: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
# (IG User Media: image and Reels specifications), figures as restated in
# https://www.ayrshare.com/docs/media-guidelines/instagram.md
IG_IMAGE_FORMATS = {"JPEG"}  # IG User Media reference: "Format: JPEG" (the API takes only JPEG)
IG_IMAGE_MAX_BYTES = 8 * MB  # ayrshare instagram.md: "Max image size: 8 MB"
IG_MIN_ASPECT = Fraction(4, 5)  # ayrshare instagram.md: "Within a 4:5 to 1.91:1 range"
IG_MAX_ASPECT = Fraction(191, 100)  # same source
IG_IMAGE_MIN_WIDTH = 320  # ayrshare instagram.md: "Minimum width: 320 px" (smaller is scaled up)
IG_IMAGE_MAX_WIDTH = 1440  # ayrshare instagram.md: "Maximum width: 1440 px" (larger is scaled down)
# Reels (media_type=REELS; single videos are Reels since VIDEO was retired):
IG_REELS_CONTAINERS = {"mp4", "mov"}  # ayrshare instagram.md: "Container: MOV or MP4"
IG_REELS_VIDEO_CODECS = {"h264", "hevc"}  # ayrshare instagram.md: "Video codec: HEVC or H264"
IG_REELS_AUDIO_CODECS = {"aac"}  # ayrshare instagram.md: "Audio codec: AAC"
IG_REELS_MIN_SECONDS = 3  # ayrshare instagram.md: "Duration min: 3 seconds"
IG_REELS_MAX_SECONDS = 15 * 60  # ayrshare instagram.md: "Duration max: 15 minutes"
IG_REELS_MAX_BYTES = 300 * MB  # ayrshare instagram.md (English): "Max video size: 300 MB"
IG_REELS_MIN_FPS, IG_REELS_MAX_FPS = 23, 60  # ayrshare instagram.md: "Frame rate: 23-60 FPS"
IG_REELS_MAX_WIDTH = 1920  # ayrshare instagram.md: "Maximum columns (horizontal pixels): 1920"
IG_REELS_RECOMMENDED_ASPECT = 9 / 16  # ayrshare instagram.md: "Recommended aspect ratio: 9:16"

# --- Facebook Page photos and videos ------------------------------------------
# Source: https://developers.facebook.com/docs/graph-api/reference/page/photos
# and https://developers.facebook.com/docs/graph-api/reference/video-upload-limits/
# figures as restated in https://www.ayrshare.com/docs/media-guidelines/facebook_pages.md
FB_PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "BMP", "TIFF"}  # facebook_pages.md: supported formats
FB_PHOTO_MAX_BYTES = 10 * MB  # facebook_pages.md: "Max image size: 10 MB"
FB_PHOTO_RECOMMENDED_BYTES = 4 * MB  # Page Photos reference: under 4 MB recommended
FB_PNG_RECOMMENDED_BYTES = 1 * MB  # Page Photos reference: PNG under 1 MB recommended
FB_VIDEO_CONTAINERS = {"mp4", "mov", "avi"}  # facebook_pages.md: "MP4, MOV, and AVI"
FB_VIDEO_URL_MAX_BYTES = 1024 * MB  # Page videos by file_url: about 1 GB (larger: chunked)
FB_VIDEO_MAX_BYTES = 10 * 1024 * MB  # facebook_pages.md: chunked uploads up to 10 GB
FB_VIDEO_MAX_SECONDS = 4 * 3600  # facebook_pages.md: "Duration max: 4 hours"
FB_VIDEO_MIN_ASPECT = Fraction(9, 16)  # facebook_pages.md: portrait 9:16 ...
FB_VIDEO_MAX_ASPECT = Fraction(16, 9)  # ... to landscape 16:9

# --- Website banner (our own carousel) ----------------------------------------
BANNER_MIN_WIDTH = 800  # narrower images look blurred across a desktop carousel
BANNER_RECOMMENDED_WIDTH = 1200
BANNER_MIN_ASPECT = 1.2  # the carousel is a wide strip; tall images get cropped hard
