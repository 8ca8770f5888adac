"""A vehicle with real photos in the library, for the Reel's tests."""

import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from inventory import importing
from inventory.models import Vehicle, VehiclePhoto
from media_content.models import MediaContent
from media_content.services import MediaDetails, media_create

from .conftest import as_csv, stock


def car_photo(path: Path, index: int, size=(1600, 1200)) -> Path:
    """A landscape JPEG with some detail (a gradient, a fractal and a "car" in the middle)."""
    gradient = Image.linear_gradient("L").resize(size)
    fractal = Image.effect_mandelbrot(size, (-2.0 + index / 10, -1.2, 1.0, 1.2), 40)
    image = Image.merge("RGB", (gradient, fractal, Image.effect_noise(size, 30)))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((width // 5, height // 2, width * 4 // 5, height * 3 // 4), fill=(180, 20, 30))
    image.save(path, "JPEG", quality=85)
    return path


def vehicle_with_photos(organization, count: int) -> tuple[Vehicle, list[MediaContent]]:
    """The feed's first vehicle, with ``count`` photos added to the library like photos.py does."""
    importing.import_feed(organization=organization, chunks=[as_csv(stock(1))])
    vehicle = Vehicle.objects.for_org(organization).select_related("organization").get()
    items = []
    with tempfile.TemporaryDirectory() as workdir:
        for position in range(count):
            path = car_photo(Path(workdir) / f"{position}.jpg", position)
            media = media_create(
                organization=organization,
                created_by=None,
                path=str(path),
                original_filename=f"{position}.jpg",
                details=MediaDetails(title=f"{vehicle} – photo {position + 1}"),
            )
            VehiclePhoto.objects.create(
                organization=organization,
                vehicle=vehicle,
                source_url=f"https://cdn.sunrisemotors.example/1/{position}.jpg",
                position=position,
                file=media.lead_file,
            )
            items.append(media)
    return vehicle, items
