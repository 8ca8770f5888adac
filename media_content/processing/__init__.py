"""Media processing: metadata, thumbnails, renditions and per-destination checks.

Small modules, one concern each:

- ``ffmpeg``: the one interface to the ffmpeg binary that imageio-ffmpeg ships.
- ``metadata``: what a file is (size, duration, codecs...), for images and videos.
- ``thumbnails``: image thumbnail and display rendition, video frame thumbnail.
- ``placeholder``: the drawn title card used when a video gives no frame.
- ``renditions``: derived files kept as ``Rendition`` rows (display, Instagram-ready).
- ``checks``: ``validate_for(media, destination)``, errors and warnings per destination.
- ``services``: what the Celery tasks and the admin call.
"""


class ProcessingFailed(Exception):
    """A file we cannot process, in words a dealer understands. Retrying will not help."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
