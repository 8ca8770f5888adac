"""Catalog files written as they are read: CSV, TSV and Meta's XML, in chunks of text.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return)
gets a leading apostrophe in CSV and TSV, so a spreadsheet opening the file
never runs it as a formula (OWASP's CSV injection advice).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from .rules import Catalog

FLUSH_AT = 64 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def delimited(rows: Iterable[dict], *, catalog: Catalog, delimiter: str) -> Iterator[str]:
    """The header, then a row per vehicle; TSV cells lose tabs and line breaks (TSV has no quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(catalog.headers)
    tsv = delimiter == "\t"
    for row in rows:
        cells = []
        for column in catalog.columns:
            value = str(row[column.value])
            if tsv:
                value = " ".join(value.split())
            cells.append(neutralise(value))
        writer.writerow(cells)
        if buffer.tell() >= FLUSH_AT:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


_NESTED = {"mileage.value", "mileage.unit"}
_ADDRESS = {
    "address.addr1": "addr1",
    "address.city": "city",
    "address.region": "region",
    "address.postal_code": "postal_code",
    "address.country": "country",
}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """Escaped, without the characters XML 1.0 cannot hold."""
    return escape(_NOT_XML.sub("", value))


def _element(name: str, value: str) -> str:
    return f"    <{name}>{_text(value)}</{name}>\n"


def meta_xml(rows: Iterable[dict], *, catalog: Catalog, title: str) -> Iterator[str]:
    """Meta's XML: ``<listings><listing>…</listing></listings>``, images, mileage and address nested."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<listings>\n  <title>{escape(title)}</title>\n'
    parts: list[str] = []
    size = 0
    for row in rows:
        item = ["  <listing>\n"]
        for column in catalog.columns:
            header = column.header
            if header.startswith("image[") or header in _NESTED or header in _ADDRESS:
                continue
            value = str(row[column.value])
            if value:
                item.append(_element(header, value))
        for url in row["images"]:
            item.append(f"    <image>\n      <url>{_text(url)}</url>\n    </image>\n")
        if row["mileage_value"]:
            item.append(
                f"    <mileage>\n      <value>{escape(row['mileage_value'])}</value>\n"
                f"      <unit>{escape(row['mileage_unit'])}</unit>\n    </mileage>\n"
            )
        item.append('    <address format="simple">\n')
        for component, key in _ADDRESS.items():
            name = quoteattr(component.split(".", 1)[1])
            item.append(f"      <component name={name}>{_text(row[key])}</component>\n")
        item.append("    </address>\n  </listing>\n")
        text = "".join(item)
        parts.append(text)
        size += len(text)
        if size >= FLUSH_AT:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("</listings>\n")
    yield "".join(parts)
