"""Processing a library file: metadata, thumbnails and renditions. It knows no post.

Small modules, one concern each:

- ``ffmpeg``: the one interface to the ffmpeg binary that imageio-ffmpeg ships.
- ``metadata``: what a file is (size, duration, codecs...), for images and videos.
- ``thumbnails``: image thumbnail and display rendition, video frame thumbnail.
- ``placeholder``: the drawn title card used when a video gives no frame.
- ``rendition_kinds``: the registry of rendition kinds; the posts register theirs
  (``media_content.instagram_copies``, ``media_content.ribbons``).
- ``renditions``: derived files kept as ``Rendition`` rows (display, catalog copy, and
  the pixels of the Instagram-ready copy).
- ``limits``: what each destination accepts, which the posts' checks
  (``media_content.post_checks``) and the Instagram-ready copy follow.
- ``services``: what the Celery tasks (``library.tasks``) and the admin call.
"""


class ProcessingFailed(Exception):
    """A file we cannot process, in words a dealer understands. Retrying will not help."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
