"""The import's pages: the upload, the column mapper (and a kept file), the sample file, a held run."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dealer_media.tenancy.roles import Action, role_required

from . import columns, importing, kept_uploads, sources
from .forms import ColumnMappingForm, FeedUploadForm
from .importing import import_feed
from .models import ImportRun
from .parsing import FeedBroken
from .settings_page import SAMPLE_ROW, mapper_rows, settings_page


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refused(request: HttpRequest, *, message: str, code: str, status: int, upload=None):
    """A refused upload, in words: JSON (the portal's error shape) or the page again, never a redirect."""
    if _wants_json(request):
        body = {"error": message, "code": code, "errors": {"feed": [message]}}
        return JsonResponse(body, status=status)
    form = upload if upload is not None else FeedUploadForm()
    if form.is_bound and not form.errors.get("feed"):
        form.add_error("feed", message)
    return settings_page(request, upload=form, upload_error=message, status=status)


def run_summary(run: ImportRun) -> str:
    return (
        f"Imported {run.rows_read} rows: {run.added} added, {run.changed} changed, "
        f"{run.price_dropped} price drops, {run.sold} sold, {run.refused} refused."
    )


def run_json(run: ImportRun) -> dict:
    fields = ["rows_read", "added", "changed", "price_dropped", "sold", "refused", "held_sold"]
    return {
        "run": run.pk,
        "status": run.status,
        **{name: getattr(run, name) for name in fields},
        "ignored_columns": (run.columns or {}).get("ignored", []),
        "missing": [line["message"] for line in run.missing or []],
        "message": run_summary(run),
    }


def _imported(request: HttpRequest, run: ImportRun) -> HttpResponse:
    """A finished import: JSON, or back to the page at the run with what it did."""
    if _wants_json(request):
        return JsonResponse(run_json(run), status=200)
    messages.success(request, run_summary(run))
    if ignored := (run.columns or {}).get("ignored"):
        messages.warning(request, "Columns not read: " + ", ".join(ignored) + ".")
    if run.status == ImportRun.Status.HELD:
        messages.warning(
            request,
            f"{run.held_sold} of your {run.stock_before} vehicles are not in this file; they "
            "were not marked sold. Confirm or refuse below.",
        )
    return redirect(reverse("inventory:settings") + f"#run-{run.pk}")


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def inventory_upload(request: HttpRequest) -> HttpResponse:
    """Import an uploaded feed file; its format comes from its content, not its name.

    A file whose columns need mapping is kept (kept_uploads.py) and its columns
    shown; a broken or refused one answers 4xx in words (JSON or the page again).
    """
    upload = FeedUploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        errors = upload.errors.as_data().get("feed", [])
        too_large = any(e.code == "too_large" for e in errors)
        message = " ".join(m for e in errors for m in e.messages) or "Choose a feed file."
        code = "too_large" if too_large else "invalid"
        status = 413 if too_large else 400
        return _refused(request, message=message, code=code, status=status, upload=upload)
    uploaded = upload.cleaned_data["feed"]
    organization = request.organization
    try:
        report, missing = kept_uploads.unmapped_fields(
            organization=organization, chunks=uploaded.chunks()
        )
    except FeedBroken as broken:
        message = f"Nothing was changed: {broken.message}"
        return _refused(request, message=message, code="broken", status=400, upload=upload)
    if missing:
        kept = kept_uploads.upload_keep(
            organization=organization,
            uploaded=uploaded,
            report=report,
            is_complete=upload.cleaned_data["is_complete"],
            by=request.user,
        )
        names = ", ".join(columns.LABELS[m] for m in missing)
        message = (
            f"We kept “{kept.original_name}”: none of its columns is read as {names}. Choose "
            "which column holds it below, then “Save and import”; nothing is imported before."
        )
        if _wants_json(request):
            body = {"kept": True, "message": message, "missing": missing}
            body["columns"] = [{"header": h, "read_as": f} for h, f in report.mapping.items()]
            return JsonResponse(body, status=202)
        messages.warning(request, message)
        response = HttpResponseRedirect(reverse("inventory:settings") + "#columns")
        response.status_code = 303  # See Other: the mapper, where the import goes on
        return response
    uploaded.seek(0)
    run = import_feed(
        organization=organization,
        chunks=uploaded.chunks(),
        origin=ImportRun.Origin.UPLOAD,
        source=sources.source_for_upload(organization=organization),
        complete=upload.cleaned_data["is_complete"],
    )
    if run.status == ImportRun.Status.FAILED:
        message = f"Nothing was changed: {run.error}"
        return _refused(request, message=message, code="broken", status=400, upload=upload)
    return _imported(request, run)


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def columns_save(request: HttpRequest) -> HttpResponse:
    """The dealer's mapping of their file's columns, kept for the next fetches and uploads.

    A kept upload (its columns needed mapping) is imported with it at once.
    """
    source = sources.source_for(organization=request.organization)
    state = (source.column_mapping or {}) if source.pk else {}
    headers = state.get("headers") or []
    if not headers:
        message = "Import a file or fetch your feed first: its columns show here."
        return settings_page(request, mapper_error=message, status=400)
    form = ColumnMappingForm(
        request.POST, headers=headers, initial_mapping=state.get("mapping") or {}
    )
    if not form.is_valid():
        return settings_page(request, mapper=mapper_rows(source=source, form=form), status=400)
    sources.source_columns_save(organization=request.organization, mapping=form.mapping())
    kept = kept_uploads.kept_upload_for(organization=request.organization)
    if kept is None:
        follow = "fetch" if source.feed_url else "upload the file"
        messages.success(
            request, f"Saved how your columns are read; {follow} again to import with it."
        )
        return redirect(reverse("inventory:settings") + "#columns")
    try:
        run = kept_uploads.kept_upload_import(kept=kept)
    except kept_uploads.StillUnmapped as unmapped:
        return settings_page(request, mapper_error=unmapped.message, status=400)
    if run.status == ImportRun.Status.FAILED:
        message = f"Nothing was changed: {run.error} The kept file was deleted; upload it again."
        return settings_page(request, mapper_error=message, status=400)
    return _imported(request, run)


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def kept_upload_discard(request: HttpRequest) -> HttpResponse:
    """Forget the kept file without importing it."""
    if kept_uploads.kept_upload_discard(organization=request.organization):
        messages.success(request, "Deleted the kept file; nothing was imported from it.")
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
