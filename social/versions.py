"""The Graph API versions Meta documents, and when each stops answering.

Meta keeps a version about two years; calls to a retired version are upgraded
or refused, so ``check --deploy`` warns when the configured one retires soon.
Source: https://developers.facebook.com/docs/graph-api/changelog/versions
(read 2026-12-01). Add a row when Meta releases a version or dates one.
"""

import datetime

# version: (introduced, available until; None while Meta says "TBD")
GRAPH_API_VERSIONS: dict[str, tuple[datetime.date, datetime.date | None]] = {
    "v26.0": (datetime.date(2026, 7, 29), None),
    "v25.0": (datetime.date(2026, 2, 18), datetime.date(2028, 7, 29)),
    "v24.0": (datetime.date(2025, 10, 8), datetime.date(2028, 2, 18)),
    "v23.0": (datetime.date(2025, 5, 29), datetime.date(2027, 10, 8)),
    "v22.0": (datetime.date(2025, 1, 21), datetime.date(2027, 5, 20)),
    "v21.0": (datetime.date(2024, 10, 2), datetime.date(2027, 1, 21)),
    "v20.0": (datetime.date(2024, 5, 21), datetime.date(2026, 9, 24)),
    "v19.0": (datetime.date(2024, 1, 23), datetime.date(2026, 5, 21)),
}
NEWEST = max(GRAPH_API_VERSIONS, key=lambda version: GRAPH_API_VERSIONS[version][0])
WARN_BEFORE = datetime.timedelta(days=90)


def retirement(version: str) -> datetime.date | None:
    entry = GRAPH_API_VERSIONS.get(version)
    return entry[1] if entry else None
