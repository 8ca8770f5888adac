"""Publishing at peak: thousands of posts due at the same instant, through Procfile.production.

    python bench/peak.py [--posts 3000] [--dealerships 300] [--delay-ms 500]
                         [--network facebook|instagram] [--post-now] [--reel]
                         [--formation worker_publishing=2] [--json out.json] [--keep]

Targets (issue 26), one 2-core host: 3,000 Facebook photo posts all posted within 60 s of
their time at 500 ms per answer, 0 duplicates; within 150 s at 1,500 ms; a "post now" made
during the peak posted within 5 s; a Reel render during the peak changes none of these by
more than 10 %.

It makes a fresh database (``--database-url``, default ``dm_peak``; Redis db 14 and 15),
runs the fake Graph API (``bench/peak_fake.py``) in a process of its own, ``release`` and
then every ``worker_*`` and ``beat`` line of ``Procfile.production`` as written (through
``sh -c``, each in its own process group), makes the data through the product's services
(``bench/peak_setup.py``), schedules it for the instant T, and measures from T until every
post is settled (``bench/peak_procs.py`` reads /proc, ``bench/peak_report.py`` computes and
prints). What each option does and what each figure means: docs/performance.md,
"Publishing at peak".
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peak_procs as procs
import peak_results as results
from peak_options import parse_args
from peak_report import print_report, summarize

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PUBLIC_MEDIA_URL = "https://cdn.peak.example/media/"
APP_SECRET = "peak-bench-app-secret"  # noqa: S105 - the fake app's, nothing real
SAMPLE_SECONDS = 0.5
BENCH_APP = "peak-bench"  # application_name of our own connections, left out of the counts


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="bench-peak-"))
        (self.work / "media").mkdir()
        self.db_name = urlsplit(args.database_url).path.lstrip("/")
        self.processes: list[subprocess.Popen] = []  # everything we started, stopped at the end
        self.lines: list[procs.Line] = []
        self.fake: subprocess.Popen | None = None
        self.samples: list[dict] = []
        self.stop_sampling = threading.Event()
        self.figures: dict = {"args": vars(args), "work": str(self.work)}

    # --- environment --------------------------------------------------------------
    def environment(self, graph_url: str) -> dict[str, str]:
        from cryptography.fernet import Fernet

        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CELERY_", "DJANGO_", "FACEBOOK_", "INSTAGRAM_", "SOCIAL_"))
        }
        env.update(
            PATH=f"{Path(PYTHON).parent}:{env.get('PATH', '/usr/bin:/bin')}",
            DJANGO_SETTINGS_MODULE="dealer_media.settings",
            DEBUG="false",
            SECRET_KEY="peak-bench-only-not-a-secret",  # noqa: S106 - a throwaway database
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=self.args.database_url,
            CELERY_BROKER_URL=self.args.broker_url,
            REDIS_CACHE_URL=self.args.cache_url,
            MEDIA_ROOT=str(self.work / "media"),
            MEDIA_URL=PUBLIC_MEDIA_URL,  # stands for the S3 bucket or CDN Meta fetches from
            FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            FACEBOOK_APP_ID="4242",
            FACEBOOK_APP_SECRET=APP_SECRET,
            SOCIAL_PUBLISHER="graph",
            FACEBOOK_GRAPH_URL=graph_url,
            FACEBOOK_GRAPH_VIDEO_URL=graph_url,
            FACEBOOK_RUPLOAD_URL=graph_url,
            INSTAGRAM_GRAPH_URL=f"{graph_url}/ig-graph",
            INVENTORY_FETCH_PHOTOS="false",
            EMAIL_URL="consolemail://",
            TUS_UPLOAD_DIR=str(self.work / "uploads"),
            INVENTORY_KEPT_UPLOAD_DIR=str(self.work / "kept"),
        )
        return env

    # --- database and broker --------------------------------------------------------
    def admin_url(self) -> str:
        parts = urlsplit(self.args.database_url)
        return urlunsplit(parts._replace(path="/postgres"))

    def create_database(self) -> None:
        with psycopg.connect(self.admin_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        for url in (self.args.broker_url, self.args.cache_url):
            redis.Redis.from_url(url).flushdb()

    def drop_database(self) -> None:
        with psycopg.connect(self.admin_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        for url in (self.args.broker_url, self.args.cache_url):
            redis.Redis.from_url(url).flushdb()

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.args.database_url, autocommit=True, application_name=BENCH_APP)

    # --- processes ------------------------------------------------------------------
    def start_fake(self) -> str:
        ready = self.work / "fake.url"
        command = [
            PYTHON, str(ROOT / "bench" / "peak_fake.py"),
            "--delay-ms", str(self.args.delay_ms),
            "--media-root", str(self.work / "media"),
            "--public-url", PUBLIC_MEDIA_URL,
            "--app-secret", APP_SECRET,
            "--ready-file", str(ready),
            *(["--no-fetch"] if self.args.no_fetch else []),
        ]  # fmt: skip
        self.fake = subprocess.Popen(
            command, cwd=ROOT, start_new_session=True, stdout=(self.work / "fake.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(self.fake)
        for _ in range(300):
            if ready.exists() and ready.read_text():
                return ready.read_text()
            if self.fake.poll() is not None:
                raise SystemExit(f"The fake Graph API did not start; see {self.work / 'fake.log'}.")
            time.sleep(0.1)
        raise SystemExit("The fake Graph API did not start within 30 s.")

    def fake_summary(self, query: str = "") -> dict:
        url = f"{self.graph_url}/__bench__/summary" + (f"?{query}" if query else "")
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - our own fake
            return json.loads(answer.read())

    def child(self, *arguments: str, stdin: bool = False, eager: bool = False) -> subprocess.Popen:
        """A ``peak_setup.py`` action. ``eager``: its tasks run in it (processing the drafts'
        photos); otherwise they go to the broker like the portal's (post now, the Reel)."""
        env = {**self.env, "LOG_LEVEL": "WARNING"}
        if eager:
            env["CELERY_TASK_ALWAYS_EAGER"] = "true"
        process = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "peak_setup.py"), *arguments],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
            stdin=subprocess.PIPE if stdin else None, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    @staticmethod
    def result(process: subprocess.Popen, what: str) -> dict:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"{what} failed ({process.returncode}).")
        return json.loads(out.strip().splitlines()[-1])

    def slices(self) -> list[tuple[int, int]]:
        jobs = max(1, min(self.args.setup_jobs, self.args.dealerships))
        share, extra = divmod(self.args.dealerships, jobs)
        slices, first = [], 0
        for job in range(jobs):
            count = share + (1 if job < extra else 0)
            slices.append((first, count))
            first += count
        return slices

    def make_drafts(self) -> None:
        started = time.monotonic()
        children = [
            self.child(
                "drafts", "--first", str(first), "--count", str(count),
                "--posts", str(self.args.posts), "--dealerships", str(self.args.dealerships),
                "--network", self.args.network, "--size", self.args.size,
                *(["--reel"] if self.args.reel else []),
                eager=True,
            )
            for first, count in self.slices()
        ]  # fmt: skip
        made = [self.result(child, "Making the drafts") for child in children]
        self.setup = {key: value for result in made for key, value in result.items()}
        self.figures["setup_drafts_seconds"] = round(time.monotonic() - started, 1)
        print(f"{sum(r['posts'] for r in made)} drafts of processed photos in "
              f"{self.figures['setup_drafts_seconds']} s", flush=True)  # fmt: skip

    def start_lines(self) -> None:
        lines = procs.read_procfile(Path(self.args.procfile))
        formation = {name: int(count) for name, _, count in
                     (item.partition("=") for item in self.args.formation)}  # fmt: skip
        wanted = [name for name in lines if name.startswith("worker") or name == "beat"]
        self.figures["commands"] = []
        for name in wanted:
            for number in range(1, formation.get(name, 1) + 1):
                command = procs.scaled(lines[name], number)
                label = name if number == 1 else f"{name}.{number}"
                line = procs.start_line(
                    label, command, env=self.env, cwd=ROOT, log=self.work / f"{label}.log"
                )
                self.lines.append(line)
                self.processes.append(line.process)
                self.figures["commands"].append(
                    {"line": label, "command": procs.expand(command, self.env)}
                )
        procs.wait_ready(self.lines, timeout=180.0, env=self.env, cwd=ROOT)

    # --- measuring ------------------------------------------------------------------
    def roots(self) -> dict[str, int]:
        return {line.name: line.pid for line in self.lines}

    def snapshot(self) -> dict:
        return procs.snapshot(self.roots(), fake_pid=self.fake.pid)

    def sample(self) -> None:
        with self.connect() as db:
            while not self.stop_sampling.is_set():
                snapshot = self.snapshot()
                rows = db.execute(
                    "SELECT state, count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND application_name <> %s GROUP BY state",
                    (self.db_name, BENCH_APP),
                ).fetchall()
                snapshot["connections"] = sum(count for _, count in rows)
                snapshot["active_connections"] = sum(c for state, c in rows if state == "active")
                self.samples.append(snapshot)
                self.stop_sampling.wait(SAMPLE_SECONDS)

    # --- the run --------------------------------------------------------------------
    def run(self) -> dict:
        args = self.args
        self.figures["load_before"] = os.getloadavg()
        print(f"Work directory {self.work}", flush=True)
        self.create_database()
        self.graph_url = self.start_fake()
        self.env = self.environment(self.graph_url)
        release = procs.read_procfile(Path(args.procfile))["release"]
        self.figures["release"] = release
        subprocess.run(["/bin/sh", "-c", release], cwd=ROOT, env=self.env, check=True,
                       stdout=(self.work / "release.log").open("w"), stderr=subprocess.STDOUT)  # fmt: skip
        self.make_drafts()
        started = time.monotonic()
        self.start_lines()
        self.figures["lines_ready_seconds"] = round(time.monotonic() - started, 1)
        print(f"{len(self.lines)} processes of {Path(args.procfile).name} ready in "
              f"{self.figures['lines_ready_seconds']} s", flush=True)  # fmt: skip
        now_child = self.child("post-now", stdin=True) if args.post_now else None
        reel_child = self.child("reel", stdin=True) if args.reel else None
        for child in filter(None, (now_child, reel_child)):
            child.stdout.readline()  # "ready"

        lead = args.lead if args.lead is not None else 30 + 0.03 * args.posts
        due = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(
            seconds=round(lead)
        )
        self.figures["due"] = due.isoformat()
        scheduling = time.monotonic()
        children = [
            self.child(
                "schedule", "--first", str(first), "--count", str(count), "--when", due.isoformat()
            )
            for first, count in self.slices()
        ]
        scheduled = sum(self.result(child, "Scheduling")["scheduled"] for child in children)
        self.figures["scheduling_seconds"] = round(time.monotonic() - scheduling, 1)
        left = due.timestamp() - time.time()
        print(f"{scheduled} posts scheduled for {due:%H:%M:%S} UTC in "
              f"{self.figures['scheduling_seconds']} s; {left:.0f} s to go", flush=True)  # fmt: skip
        if left < 3:
            raise SystemExit("Scheduling ended less than 3 s before the due instant: raise --lead.")

        sampler = threading.Thread(target=self.sample, daemon=True)
        sampler.start()
        idle_from = max(time.time(), due.timestamp() - 10)
        time.sleep(max(0.0, idle_from - time.time()))
        self.figures["idle_start"] = self.snapshot()
        time.sleep(max(0.0, due.timestamp() - time.time()))
        self.figures["at_due"] = self.snapshot()
        self.figures["load_at_due"] = os.getloadavg()
        if reel_child is not None:
            reel_child.stdin.write("go\n")
            reel_child.stdin.flush()

        settled_at = first = None
        posted_now_at = None
        with self.connect() as db:
            deadline = due.timestamp() + args.timeout
            while time.time() < deadline:
                counts = results.statuses(db)
                live = sum(counts.get(s, 0) for s in ("pending", "queued", "publishing", "held"))
                if now_child is not None and posted_now_at is None:
                    first = self.fake_summary("first")["first_publish"]
                    if first is not None and time.time() >= first + args.post_now_after:
                        now_child.stdin.write("go\n")
                        now_child.stdin.flush()
                        posted_now_at = time.time()
                if not live and settled_at is None:
                    settled_at = time.time()
                    self.figures["at_settled"] = self.snapshot()
                    self.figures["load_at_settled"] = os.getloadavg()
                # No post now when the peak settled with nothing published.
                now_done = (
                    now_child is None
                    or (posted_now_at is None and settled_at is not None and first is None)
                    or (
                        posted_now_at is not None
                        and results.post_now_settled(db, self.setup["post_now_media_id"])
                    )
                )
                if settled_at is not None and now_done:
                    break
                time.sleep(SAMPLE_SECONDS)
            if settled_at is None:
                self.figures["at_settled"] = self.snapshot()
                self.figures["load_at_settled"] = os.getloadavg()
                self.figures["timed_out"] = True
            self.figures["fake"] = self.fake_summary()
            self.figures["posts"] = results.peak_posts(db)
            self.figures["posted_twice"] = results.posted_twice(db)
            if posted_now_at is not None:
                self.figures["post_now"] = self.result(now_child, "Post now")
                self.figures["post_now_row"] = results.post_now_row(
                    db, self.setup["post_now_media_id"]
                )
            if reel_child is not None:
                self.figures["reel"] = self.result(reel_child, "The Reel's request")
                self.figures["reel_row"] = results.wait_for_reel(db, deadline)
        self.stop_sampling.set()
        sampler.join(timeout=10)
        self.figures["samples"] = self.samples
        return summarize(self.figures)

    def cleanup(self) -> None:
        self.stop_sampling.set()
        procs.stop_groups(self.processes)
        if not self.args.keep:
            try:
                self.drop_database()
            except psycopg.Error as error:
                print(f"Could not drop {self.db_name}: {error}", file=sys.stderr)
            import shutil

            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print(f"Kept database {self.db_name} and the logs in {self.work}.")


def interrupted(signum, frame) -> None:
    """SIGTERM stops the bench as Ctrl-C does: everything it started is stopped."""
    raise KeyboardInterrupt


def main() -> None:
    args = parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must be a PostgreSQL URL.")
    signal.signal(signal.SIGTERM, interrupted)
    bench = Bench(args)
    started = time.monotonic()
    try:
        report = bench.run()
    except KeyboardInterrupt:
        print("Interrupted; stopping everything.", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        bench.cleanup()
    report["bench_seconds"] = round(time.monotonic() - started, 1)
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
        print(f"Figures written to {args.json}.")


if __name__ == "__main__":
    main()
