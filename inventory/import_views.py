"""The import's pages: the column mapper, the sample file, and the held run's confirm or refuse."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dealer_media.tenancy.roles import Action, role_required

from . import columns, importing, sources
from .forms import ColumnMappingForm
from .models import ImportRun, InventorySource

# The sample file's one vehicle, in columns.FIELDS' order.
SAMPLE_ROW = {
    "vin": "1HGCV1F34MA012345",
    "stock_number": "A1234",
    "vehicle_id": "",
    "year": "2021",
    "make": "Honda",
    "model": "Civic",
    "trim": "EX",
    "price": "$21,995",
    "sale_price": "",
    "mileage.value": "18,400",
    "mileage.unit": "MI",
    "state_of_vehicle": "used",
    "exterior_color": "Sonic Gray",
    "body_style": "Sedan",
    "url": "https://www.example.com/used/honda-civic-a1234",
    "images": "https://www.example.com/photos/a1234-1.jpg|https://www.example.com/photos/a1234-2.jpg",
    "description": "One owner, “EX” package, new tyres.",
    "availability": "available",
}


def sample_columns() -> list[dict]:
    return [
        {"name": name, "label": label, "help": help_text, "sample": SAMPLE_ROW.get(name, "")}
        for name, label, help_text in columns.FIELDS
    ]


def mapper_rows(*, source: InventorySource, form: ColumnMappingForm | None = None) -> dict:
    """The mapper's rows: each header, what we read it as, a sample; and whether to check it."""
    state = (source.column_mapping or {}) if source.pk else {}
    headers = state.get("headers") or []
    if form is None:
        form = ColumnMappingForm(headers=headers, initial_mapping=state.get("mapping") or {})
    rows = [
        {
            "header": header,
            "field": form[f"column_{i}"],
            "sample": (state.get("samples") or {}).get(header, ""),
        }
        for i, header in enumerate(headers)
    ]
    return {"rows": rows, "form": form, "confirmed": bool(state.get("confirmed"))}


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def columns_save(request: HttpRequest) -> HttpResponse:
    """The dealer's mapping of their file's columns, kept for the next fetches and uploads."""
    from .views import _settings_page

    source = sources.source_for(organization=request.organization)
    state = (source.column_mapping or {}) if source.pk else {}
    headers = state.get("headers") or []
    if not headers:
        messages.error(request, "Import a file or fetch your feed first: its columns show here.")
        return redirect(reverse("inventory:settings") + "#columns")
    form = ColumnMappingForm(
        request.POST, headers=headers, initial_mapping=state.get("mapping") or {}
    )
    if not form.is_valid():
        return _settings_page(request, mapper=mapper_rows(source=source, form=form), status=400)
    sources.source_columns_save(organization=request.organization, mapping=form.mapping())
    follow = "fetch" if source.feed_url else "upload the file"
    messages.success(request, f"Saved how your columns are read; {follow} again to import with it.")
    return redirect(reverse("inventory:settings") + "#columns")


@require_GET
@role_required(Action.VIEW)
def sample_csv(request: HttpRequest) -> HttpResponse:
    """A one-vehicle CSV with every column we read, to start from."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _label, _help in columns.FIELDS])
    writer.writerow([SAMPLE_ROW.get(name, "") for name, _label, _help in columns.FIELDS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inventory-sample.csv"'
    return response


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def held_run_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Confirm or refuse the sales a held import asked about."""
    run = ImportRun.objects.for_org(request.organization).filter(pk=pk).first()
    if run is None or decision not in ("confirm", "refuse"):
        raise Http404("No such import in this dealership.")
    try:
        run = importing.held_run_decide(run=run, confirm=decision == "confirm", by=request.user)
    except importing.HeldRunRefused as refused:
        messages.error(request, refused.message)
        return redirect(reverse("inventory:settings") + f"#run-{pk}")
    if decision == "confirm":
        messages.success(request, f"Marked {run.sold} vehicles sold.")
    else:
        messages.success(request, "Kept every vehicle in stock; none was marked sold.")
    return redirect(reverse("inventory:settings") + f"#run-{pk}")
