"""The inventory settings page, drawn again with a refused form's errors.

The pages that save one part of it (the feed, a rule, the posting times, the
brand colour, an upload, the column mapping) answer a refusal with this page.
"""

from django.http import HttpResponse
from django.shortcuts import render

from . import captions, columns, rules, selectors, sources
from .forms import ColumnMappingForm, FeedUploadForm, SourceForm
from .kept_uploads import kept_upload_for
from .models import InventoryRule, InventorySource, Vehicle
from .rule_forms import BrandColourForm, PostingTimesForm, RuleForm

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
    chosen = [form[f"column_{i}"].value() or "" for i in range(len(headers))]
    missing = [columns.LABELS[m] for m in columns.missing_required(chosen)] if headers else []
    return {
        "rows": rows,
        "form": form,
        "confirmed": bool(state.get("confirmed")),
        "missing": missing,
    }


def preview_vehicle(*, organization, kind: str) -> Vehicle | None:
    """A real vehicle to preview on: one that dropped in price for the Price drop rule."""
    vehicles = Vehicle.objects.for_org(organization).order_by("-first_seen_at", "pk")
    if kind == InventoryRule.Kind.PRICE_DROP:
        return vehicles.filter(previous_price__isnull=False).first() or vehicles.first()
    if kind == InventoryRule.Kind.SOLD:
        return vehicles.filter(availability="sold").first() or vehicles.first()
    return vehicles.exclude(availability="sold").first() or vehicles.first()


def preview_text(*, organization, kind: str, template: str) -> dict:
    problems = captions.template_problems(template)
    vehicle = preview_vehicle(organization=organization, kind=kind)
    if problems or vehicle is None:
        return {"problems": problems, "text": "", "vehicle": str(vehicle or "")}
    return {
        "problems": [],
        "text": captions.render(template, vehicle, network="facebook"),
        "vehicle": f"{vehicle.year} {vehicle.make} {vehicle.model} ({vehicle.vin})",
    }


def settings_page(
    request,
    *,
    form=None,
    upload=None,
    rule_forms=None,
    times_form=None,
    brand_form=None,
    mapper=None,
    mapper_error: str = "",
    upload_error: str = "",
    status=200,
) -> HttpResponse:
    organization = request.organization
    rule_forms = rule_forms or {}
    rule_rows = []
    for rule in rules.rules_for(organization=organization):
        rule_form = rule_forms.get(rule.kind) or RuleForm(instance=rule)
        preview = preview_text(
            organization=organization,
            kind=rule.kind,
            template=rule_form["caption_template"].value() or "",
        )
        rule_rows.append({"rule": rule, "form": rule_form, "preview": preview})
    source = sources.source_for(organization=organization)
    form = form or SourceForm(
        initial={
            "feed_url": source.feed_url,
            "every_minutes": source.every_minutes,
            "is_complete": source.is_complete,
        }
    )
    return render(
        request,
        "marketing/inventory_settings.html",
        {
            "source": source,
            "mapper": mapper or mapper_rows(source=source),
            "mapper_error": mapper_error,
            "upload_error": upload_error,
            "kept": kept_upload_for(organization=organization),
            "sample_columns": sample_columns(),
            "form": form,
            "upload": upload or FeedUploadForm(),
            "runs": selectors.recent_runs(organization=organization),
            "rules": rule_rows,
            "times_form": times_form
            or PostingTimesForm(times=rules.posting_times_for(organization=organization)),
            "brand_form": brand_form or BrandColourForm(instance=organization),
        },
        status=status,
    )
