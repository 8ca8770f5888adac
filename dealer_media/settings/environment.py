"""Where the project is and what its environment says, read once for every settings module."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; missing file is fine

DEBUG = env.bool("DEBUG", default=False)
# Where media files live: "local" (MEDIA_ROOT) or "s3" (the media bucket).
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
