"""What the file library tells whoever listens: a file's processing finished.

The posts side (``media_content.receivers``) listens: the renditions its posts
need are asked for and the deliveries waiting for the file go. The library
itself knows nothing about posts.
"""

from django.dispatch import Signal

# Sent after the commit that marks the file ready or failed, or records why one of
# its renditions could not be made, or that one was made; ``file_id`` and ``spec``
# ("" for processing itself).
file_changed = Signal()
