"""The figures of ``bench/peak.py``: computed from what the run collected, and printed."""

from __future__ import annotations

from collections import Counter

MB = 1024 * 1024


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _r(value, digits: int = 2):
    return None if value is None else round(value, digits)


def _cpu(start: dict, end: dict) -> dict:
    """CPU seconds used between two snapshots: ours (workers, beat) by line, and the others'."""
    return {
        "workers_and_beat": end["cpu"] - start["cpu"],
        "by_line": {
            name: end["cpu_by_line"].get(name, 0.0) - start["cpu_by_line"].get(name, 0.0)
            for name in end["cpu_by_line"]
        },
        "postgres_server": end["postgres_cpu"] - start["postgres_cpu"],
        "redis_server": end["redis_cpu"] - start["redis_cpu"],
        "fake_graph": end["fake_cpu"] - start["fake_cpu"],
        "bench_itself": end["bench_cpu"] - start["bench_cpu"],
        "seconds": end["time"] - start["time"],
    }


def summarize(figures: dict) -> dict:
    due = figures["at_due"]["time"]
    rows = figures["posts"]
    posted = [row for row in rows if row[1] == "posted"]
    lateness = [float(row[3]) - float(row[2]) for row in posted]
    last = max((float(row[3]) for row in posted), default=None)
    first_posted = min((float(row[3]) for row in posted), default=None)
    fake = figures["fake"]
    cpu = _cpu(figures["at_due"], figures["at_settled"])
    idle = _cpu(figures["idle_start"], figures["at_due"])
    idle_rate = idle["workers_and_beat"] / idle["seconds"] if idle["seconds"] > 0 else 0.0
    count = len(posted) or 1
    samples = [s for s in figures["samples"] if s["time"] >= due - 1]
    sent = Counter(row[6] for row in rows)
    captions = Counter(fake["captions"])
    now_row = figures.get("post_now_row")
    now_text = "Post now during the peak"  # its caption starts with its title
    duplicates = sum(n - 1 for n in captions.values() if n > 1)
    unknown = sum(n for c, n in captions.items() if c not in sent and not c.startswith(now_text))
    never_seen = sum(1 for row in posted if captions.get(row[6], 0) == 0)
    failures = Counter((row[1], (row[4] or "")[:200]) for row in rows if row[1] != "posted")
    buckets = Counter(int((float(row[3]) - due) // 5) * 5 for row in posted)
    report = {
        "network": figures["args"]["network"],
        "posts": len(rows),
        "dealerships": figures["args"]["dealerships"],
        "delay_ms": figures["args"]["delay_ms"],
        "due": figures["due"],
        "posted": len(posted),
        "not_posted": len(rows) - len(posted),
        "timed_out": bool(figures.get("timed_out")),
        "seconds_to_last_post": _r(last - due if last else None),
        "seconds_to_first_post": _r(first_posted - due if first_posted else None),
        "seconds_to_first_publish_request": _r(
            fake["first_publish"] - due if fake["first_publish"] else None
        ),
        "posts_per_second": _r(len(posted) / (last - due) if last and last > due else None),
        "posts_per_second_from_first_to_last": _r(
            len(posted) / (last - first_posted) if last and last > first_posted else None
        ),
        "lateness_p50": _r(percentile(lateness, 0.5)),
        "lateness_p95": _r(percentile(lateness, 0.95)),
        "lateness_max": _r(max(lateness, default=None)),
        "cpu_ms_per_post": {
            "workers_and_beat": _r(cpu["workers_and_beat"] / count * 1000, 1),
            "of_which_idle_rate": _r(idle_rate * cpu["seconds"] / count * 1000, 1),
            "by_line": {k: _r(v / count * 1000, 1) for k, v in cpu["by_line"].items()},
            "postgres_server": _r(cpu["postgres_server"] / count * 1000, 1),
            "redis_server": _r(cpu["redis_server"] / count * 1000, 1),
            "fake_graph": _r(cpu["fake_graph"] / count * 1000, 1),
            "bench_itself": _r(cpu["bench_itself"] / count * 1000, 1),
        },
        "cpu_seconds": {k: _r(v) for k, v in cpu.items() if k != "by_line"},
        "cores_busy_workers_and_beat": _r(cpu["workers_and_beat"] / cpu["seconds"])
        if cpu["seconds"]
        else None,
        "idle_cpu_per_second_before_due": _r(idle_rate, 3),
        "peak_rss_mb": _r(max((s["rss"] for s in figures["samples"]), default=0) / MB, 0),
        "peak_pss_mb": _r(max((s["pss"] for s in figures["samples"]), default=0) / MB, 0),
        "peak_rss_mb_by_line": {
            name: _r(max(s["rss_by_line"].get(name, 0) for s in figures["samples"]) / MB, 0)
            for name in figures["samples"][-1]["rss_by_line"]
        }
        if figures["samples"]
        else {},
        "db_connections_max": max((s["connections"] for s in samples), default=None),
        "db_connections_active_max": max((s["active_connections"] for s in samples), default=None),
        "fake_max_requests_in_flight": fake["max_in_flight"],
        "fake_requests": fake["requests"],
        "fake_requests_by_edge": fake["by_edge"],
        "fake_photos_fetched": fake["fetched"],
        "publishes_at_fake": fake["publishes"],
        "duplicates": duplicates,
        "publishes_of_unknown_captions": unknown,
        "posted_without_publish_at_fake": never_seen,
        "deliveries_posted_twice": figures["posted_twice"],
        "attempts": dict(Counter(row[5] for row in rows)),
        "not_posted_why": [
            {"status": status, "last_error": error, "count": n}
            for (status, error), n in failures.most_common(10)
        ],
        "posted_per_5s_after_due": dict(sorted(buckets.items())),
        "load_average": {
            "before": figures["load_before"],
            "at_due": figures["load_at_due"],
            "at_last_post": figures["load_at_settled"],
        },
        "commands": figures["commands"],
        "release": figures["release"],
        "setup_drafts_seconds": figures["setup_drafts_seconds"],
        "scheduling_seconds": figures["scheduling_seconds"],
        "lines_ready_seconds": figures["lines_ready_seconds"],
    }
    if now_row is not None:
        called = figures["post_now"]["called_at"]
        report["post_now"] = {
            "status": now_row[0],
            "made_after_due": _r(called - due),
            "seconds_to_posted": _r(float(now_row[2]) - called if now_row[2] else None),
            "last_error": now_row[3],
        }
    reel = figures.get("reel_row")
    if reel is not None:
        requested = float(reel[1])
        report["reel"] = {
            "status": reel[0],
            "started_after_request": _r(float(reel[2]) - requested if reel[2] else None),
            "finished_after_request": _r(float(reel[3]) - requested if reel[3] else None),
            "requested_after_due": _r(requested - due),
            "error": reel[4],
        }
    return report


def _line(label: str, value, unit: str = "") -> None:
    shown = "–" if value is None else f"{value}{unit}"
    print(f"  {label:<46} {shown}")


def print_report(r: dict) -> None:
    print()
    print(
        f"{r['posts']} {r['network'].capitalize()} photo posts of {r['dealerships']} "
        f"dealerships due at {r['due']}, fake Graph API answering after {r['delay_ms']:g} ms:"
    )
    _line("posted / not posted", f"{r['posted']} / {r['not_posted']}"
          + (" (timed out)" if r["timed_out"] else ""))  # fmt: skip
    _line(
        "due instant → first publish request at the fake",
        r["seconds_to_first_publish_request"],
        " s",
    )
    _line("due instant → first post posted", r["seconds_to_first_post"], " s")
    _line("due instant → last post posted", r["seconds_to_last_post"], " s")
    _line("posts/s (from the due instant)", r["posts_per_second"])
    _line("posts/s (first post to last)", r["posts_per_second_from_first_to_last"])
    _line("lateness p50 / p95 / max",
          f"{r['lateness_p50']} / {r['lateness_p95']} / {r['lateness_max']} s")  # fmt: skip
    cpu = r["cpu_ms_per_post"]
    _line("CPU per post, workers and beat", cpu["workers_and_beat"], " ms")
    _line("  of which idle (the rate before the due instant)", cpu["of_which_idle_rate"], " ms")
    for name, value in cpu["by_line"].items():
        _line(f"  {name}", value, " ms")
    _line("CPU per post, PostgreSQL server (all databases)", cpu["postgres_server"], " ms")
    _line("CPU per post, Redis server", cpu["redis_server"], " ms")
    _line("CPU per post, the fake Graph API and its CDN", cpu["fake_graph"], " ms")
    _line("CPU per post, this bench (sampling)", cpu["bench_itself"], " ms")
    _line("cores busy, workers and beat (mean)", r["cores_busy_workers_and_beat"])
    _line("peak RSS / PSS, workers and beat", f"{r['peak_rss_mb']} / {r['peak_pss_mb']} MB")
    for name, value in r["peak_rss_mb_by_line"].items():
        _line(f"  {name}", value, " MB")
    _line("database connections, most (active)",
          f"{r['db_connections_max']} ({r['db_connections_active_max']})")  # fmt: skip
    _line("requests in flight at the fake, most", r["fake_max_requests_in_flight"])
    _line("requests at the fake", f"{r['fake_requests']} {r['fake_requests_by_edge']}")
    _line("photos the fake downloaded", r["fake_photos_fetched"])
    _line("duplicates (publishes of one post above 1)", r["duplicates"])
    _line("deliveries posted twice", r["deliveries_posted_twice"])
    _line("publishes of no known post / posted unseen",
          f"{r['publishes_of_unknown_captions']} / {r['posted_without_publish_at_fake']}")  # fmt: skip
    _line("attempts per post", r["attempts"])
    for why in r["not_posted_why"]:
        _line(f"not posted: {why['status']} x{why['count']}", why["last_error"] or "(no error)")
    if "post_now" in r:
        now = r["post_now"]
        _line(f"post now, made {now['made_after_due']} s after the due instant",
              f"{now['status']} after {now['seconds_to_posted']} s")  # fmt: skip
    if "reel" in r:
        reel = r["reel"]
        _line(f"Reel asked {reel['requested_after_due']} s after the due instant",
              f"{reel['status']}, started after {reel['started_after_request']} s, "
              f"finished after {reel['finished_after_request']} s {reel['error'] or ''}".strip())  # fmt: skip
    load = r["load_average"]
    _line("load average before / at due / at last post",
          " / ".join(f"{a[0]:.2f}" for a in (load["before"], load["at_due"], load["at_last_post"])))  # fmt: skip
    _line("posted per 5 s after the due instant", r["posted_per_5s_after_due"])
    print("  processes (Procfile.production, expanded):")
    for command in r["commands"]:
        print(f"    {command['line']}: {command['command']}")
    print(
        f"  setup: drafts {r['setup_drafts_seconds']} s, lines ready {r['lines_ready_seconds']} s, "
        f"scheduling {r['scheduling_seconds']} s; whole bench {r.get('bench_seconds')} s"
    )
