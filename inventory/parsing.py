"""Reading a vehicle feed row by row, in constant memory: CSV, TSV or Meta's XML.

Rows come out as ``(line, fields)``: ``fields`` keyed by Meta's column names
(``vin``, ``mileage.value``, ``image[0].url`` gathered into ``images``...).
Columns we do not know are ignored; a feed without a required column is refused
naming them. CSV and TSV go through the csv module over a text wrapper of the
byte stream; XML through expat fed chunk by chunk (its line numbers say where a
refused listing is), keeping one listing at a time; no DTD or entity is accepted.
"""

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from xml.parsers import expat

from . import columns

REQUIRED = columns.REQUIRED
KNOWN = set(columns.FIELD_NAMES) - {"images"}
CSV_TYPES = {
    "text/csv",
    "application/csv",
    "text/comma-separated-values",
    "application/vnd.ms-excel",
}
TSV_TYPES = {"text/tab-separated-values", "text/tsv"}
XML_TYPES = {"application/xml", "text/xml", "application/rss+xml", "application/atom+xml"}
SNIFFED_TYPES = {"text/plain", "application/octet-stream", ""}  # look at the content


class FeedBroken(Exception):
    """The whole feed is unusable; ``message`` says why. Nothing is changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _ChunkReader(io.RawIOBase):
    """A file object over an iterator of byte chunks (what the csv text wrapper reads)."""

    def __init__(self, chunks: Iterable[bytes], head: bytes = b""):
        self._chunks = iter(chunks)
        self._pending = head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _head(chunks: Iterator[bytes], at_least: int = 4096) -> bytes:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= at_least:
            break
    return head


def feed_format(content_type: str, head: bytes) -> str:
    """'csv', 'tsv' or 'xml', from the content type, else from the first bytes."""
    if content_type in XML_TYPES:
        return "xml"
    if content_type in TSV_TYPES:
        return "tsv"
    if content_type not in CSV_TYPES | SNIFFED_TYPES:
        raise FeedBroken(
            f"The feed's content type is “{content_type}”; a vehicle feed is CSV, TSV or XML."
        )
    start = head.lstrip(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"<"):
        if content_type in CSV_TYPES:
            raise FeedBroken("The feed says it is CSV but its content is XML or HTML.")
        return "xml"
    first_line = start.split(b"\n", 1)[0]
    if content_type not in CSV_TYPES and first_line.count(b"\t") > first_line.count(b","):
        return "tsv"
    return "csv"


def _encoding(charset: str | None) -> str:
    name = (charset or "utf-8").lower()
    try:
        name = codecs.lookup(name).name
    except LookupError:
        raise FeedBroken(f"The feed's character set “{charset}” is not one we know.") from None
    return "utf-8-sig" if name == "utf-8" else name


def rows(
    chunks: Iterable[bytes],
    *,
    content_type: str = "",
    charset: str | None = None,
    mapping: dict | None = None,
    report: columns.ColumnReport | None = None,
) -> Iterator[tuple[int, dict]]:
    """Every row of the feed as ``(line number, fields)``. Raises FeedBroken.

    ``mapping`` (header → field, from the dealer's column mapper) wins over our
    guesses for CSV and TSV; ``report`` is filled with the headers and samples.
    """
    chunks = iter(chunks)
    head = _head(chunks)
    if not head.strip():
        raise FeedBroken("The feed is empty.")
    kind = feed_format(content_type, head)
    report = report if report is not None else columns.ColumnReport()
    if kind == "xml":
        yield from _xml_rows(head, chunks)
    else:
        delimiter = "\t" if kind == "tsv" else ","
        yield from _delimited_rows(head, chunks, delimiter, charset, mapping, report)


def _unit_hint(wanted: list) -> str:
    """MI or KM when the mileage column's header says it ("Miles", "Kilometers")."""
    headers = [header for _i, header, name in wanted if name == "mileage.value"]
    return columns.UNIT_HEADERS.get(columns.normalise(headers[0]), "") if headers else ""


class ColumnsMissing(FeedBroken):
    """The file has no column we read as a required field: the dealer maps its columns."""


def _missing_columns(missing: list[str]) -> FeedBroken:
    names = ", ".join(f"{columns.LABELS[m]} ({m})" for m in missing)
    return ColumnsMissing(
        f"The feed has no column for {names}. Choose which of your columns it is in the "
        "column mapper, or add it to the file."
    )


def _delimited_rows(
    head: bytes,
    chunks: Iterator[bytes],
    delimiter: str,
    charset: str | None,
    mapping: dict | None,
    report: columns.ColumnReport,
) -> Iterator[tuple[int, dict]]:
    text = io.TextIOWrapper(
        io.BufferedReader(_ChunkReader(chunks, head)), encoding=_encoding(charset), newline=""
    )
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise FeedBroken("The feed is empty.")
        report.headers = [h.strip() for h in header]
        report.fields = columns.resolve(report.headers, mapping)
        if missing := columns.missing_required(report.fields):
            raise _missing_columns(missing)
        pairs = enumerate(zip(report.headers, report.fields, strict=True))
        wanted = [(i, h, f) for i, (h, f) in pairs if f]
        unit_hint = _unit_hint(wanted) if "mileage.unit" not in report.fields else ""
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            fields: dict = {}
            images: list[tuple[int, int, str]] = []
            if len(report.samples) < len(report.headers):  # a sample of every column
                for header_name, value in zip(report.headers, values, strict=False):
                    report.sample(header_name, value.strip())
            for index, header_name, name in wanted:
                value = values[index].strip() if index < len(values) else ""
                if name == "images":
                    match = columns.IMAGE_COLUMN.match(header_name)
                    position = int(match.group(1)) if match else 0
                    for order, url in enumerate(columns.split_urls(value)):
                        images.append((position, order, url))
                elif value and not fields.get(name):
                    fields[name] = value
                else:
                    fields.setdefault(name, value)
            if unit_hint and fields.get("mileage.value"):
                fields["mileage.unit"] = unit_hint
            fields["images"] = [url for _p, _o, url in sorted(images)]
            yield reader.line_num, fields
    except UnicodeDecodeError:
        raise FeedBroken(
            f"The feed is not {_encoding(charset).removesuffix('-sig').upper()} text "
            f"(an undecodable byte near line {reader.line_num + 1})."
        ) from None
    except csv.Error as error:
        raise FeedBroken(
            f"The feed is not valid CSV near line {reader.line_num}: {error}."
        ) from None


class _XmlListings:
    """Expat handlers that collect one ``<listing>`` at a time."""

    def __init__(self, parser):
        self.parser = parser
        self.ready: list[tuple[int, dict]] = []
        self.path: list[str] = []
        self.listing: dict | None = None
        self.line = 0
        self.text: list[str] = []
        self.seen_listing = False

    def start(self, name: str, _attributes) -> None:
        name = name.rsplit(":", 1)[-1].lower()
        if name == "listing" and self.listing is None:
            self.listing, self.line, self.path = {"images": []}, self.parser.CurrentLineNumber, []
            self.seen_listing = True
            return
        if self.listing is not None:
            self.path.append(name)
        self.text = []

    def end(self, name: str) -> None:
        if self.listing is None:
            return
        if not self.path:  # </listing>
            self.ready.append((self.line, self.listing))
            self.listing = None
            return
        key = ".".join(self.path)
        value = "".join(self.text).strip()
        if key == "image.url" and value:
            self.listing["images"].append(value)
        elif key in KNOWN and key not in self.listing:
            self.listing[key] = value
        self.path.pop()
        self.text = []

    def data(self, text: str) -> None:
        if self.listing is not None:
            self.text.append(text)


def _refuse_dtd(*_args) -> None:
    raise FeedBroken("The XML feed declares a DTD or entities; a vehicle feed does not.")


def _xml_rows(head: bytes, chunks: Iterator[bytes]) -> Iterator[tuple[int, dict]]:
    parser = expat.ParserCreate()
    handlers = _XmlListings(parser)
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    parser.CharacterDataHandler = handlers.data
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    first = True
    for chunk, final in _with_head(head, chunks):
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise FeedBroken(f"The XML feed is not well-formed: {error}.") from None
        for line, fields in handlers.ready:
            if first:  # XML has no header: the first listing shows which fields there are
                missing = [c for c in REQUIRED if c not in fields]
                if missing:
                    raise FeedBroken("The feed's listings have no " + ", ".join(missing) + ".")
                first = False
            yield line, fields
        handlers.ready.clear()


def _with_head(head: bytes, chunks: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    yield head, False
    for chunk in chunks:
        yield chunk, False
    yield b"", True


def columns_preview(
    chunks: Iterable[bytes],
    *,
    content_type: str = "",
    charset: str | None = None,
    mapping: dict | None = None,
    rows_read: int = 50,
) -> columns.ColumnReport | None:
    """A CSV or TSV file's headers, what each is read as, and samples, from its first rows.

    None for XML (its fields have Meta's names; nothing to map). Raises
    FeedBroken for a file that is empty, not text, or not CSV.
    """
    chunks = iter(chunks)
    head = _head(chunks)
    if not head.strip():
        raise FeedBroken("The feed is empty.")
    kind = feed_format(content_type, head)
    if kind == "xml":
        return None
    text = io.TextIOWrapper(
        io.BufferedReader(_ChunkReader(chunks, head)), encoding=_encoding(charset), newline=""
    )
    reader = csv.reader(text, delimiter="\t" if kind == "tsv" else ",")
    report = columns.ColumnReport()
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise FeedBroken("The feed is empty.")
        report.headers = [h.strip() for h in header]
        report.fields = columns.resolve(report.headers, mapping)
        for values in itertools.islice(reader, rows_read):
            for header_name, value in zip(report.headers, values, strict=False):
                report.sample(header_name, value.strip())
    except UnicodeDecodeError:
        raise FeedBroken(
            f"The feed is not {_encoding(charset).removesuffix('-sig').upper()} text."
        ) from None
    except csv.Error as error:
        raise FeedBroken(
            f"The feed is not valid CSV near line {reader.line_num}: {error}."
        ) from None
    return report
