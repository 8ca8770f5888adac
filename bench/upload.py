"""Benchmark: a large file through our tus server under gunicorn, against the disk and Node's tus.

    .venv/bin/python bench/upload.py                 # 1 GiB, 5 MiB chunks
    .venv/bin/python bench/upload.py --size-mib 256 1024 --runs 3 --no-node
    .venv/bin/python bench/upload.py --store s3 --size-mib 256   # both on one moto S3 server

For each size it prints: tus upload throughput (tuspy client, 5 MiB PATCHes,
median of the runs), the raw sequential disk write throughput of the same
size in the same directory (write + fsync: the physical limit), their ratio,
and the server's peak memory (VmHWM, the kernel's high-water mark of resident
memory, of the largest gunicorn worker and of all processes together). With
Node.js on the PATH it installs @tus/server and @tus/file-store under a
temporary folder and uploads the same file to it the same way.

Everything lives in a temporary directory on the same file system as the
repository: a SQLite database, the partial uploads and the media root. With
``--store s3`` both servers keep partial uploads in one moto S3 server over
HTTP (ours: ``MEDIA_STORAGE=s3``, so ``TUS_STORE=s3``; Node: @tus/s3-store),
both in 5 MiB parts.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from tusclient import client as tus_client

REPO = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
# An MP4 file-type box: the server checks the first bytes before accepting more.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"

NODE_SERVER = """
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';
import http from 'node:http';
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: process.argv[2] }) });
const server = http.createServer((req, res) => tus.handle(req, res));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
"""


NODE_S3_SERVER = """
import { Server } from '@tus/server';
import { S3Store } from '@tus/s3-store';
import http from 'node:http';
const [endpoint, bucket] = process.argv.slice(2);
const datastore = new S3Store({
  partSize: 5 * 1024 * 1024,
  s3ClientConfig: {
    bucket, endpoint, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  },
});
const tus = new Server({ path: '/files', datastore });
const server = http.createServer((req, res) => tus.handle(req, res));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
"""
S3_ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def start_s3() -> tuple[object, str]:
    """moto's S3 server on a free port, with one bucket for each server."""
    import boto3
    from moto.server import ThreadedMotoServer

    os.environ.update(S3_ENV)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for bucket in ("bench-ours", "bench-node"):
        client.create_bucket(Bucket=bucket)
    return server, endpoint


def empty_bucket(endpoint: str, bucket: str) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])


def make_file(path: Path, size: int) -> None:
    block = os.urandom(8 * MiB)
    with open(path, "wb") as file:
        file.write(MP4_HEAD)
        written = len(MP4_HEAD)
        while written < size:
            part = block[: min(len(block), size - written)]
            file.write(part)
            written += len(part)


def raw_disk_write(directory: Path, size: int) -> float:
    """MB/s for writing ``size`` bytes in 5 MiB blocks, fsynced, like the server does."""
    block = os.urandom(5 * MiB)
    path = directory / "raw-write.bin"
    start = time.perf_counter()
    with open(path, "wb") as file:
        written = 0
        while written < size:
            part = block[: min(len(block), size - written)]
            file.write(part)
            written += len(part)
        file.flush()
        os.fsync(file.fileno())
    elapsed = time.perf_counter() - start
    path.unlink()
    return size / elapsed / 1e6


def peak_memory(root_pid: int) -> tuple[int, int]:
    """(largest process, sum over the process tree) of VmHWM, in bytes."""
    pids = [root_pid]
    children_file = Path(f"/proc/{root_pid}/task/{root_pid}/children")
    if children_file.exists():
        pids += [int(pid) for pid in children_file.read_text().split()]
    peaks = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024)
        except FileNotFoundError:
            pass
    return max(peaks), sum(peaks)


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU time of the process and its children (load-independent cost)."""
    pids = [root_pid]
    children_file = Path(f"/proc/{root_pid}/task/{root_pid}/children")
    if children_file.exists():
        pids += [int(pid) for pid in children_file.read_text().split()]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def timed_upload(url: str, path: Path, headers: dict, chunk: int) -> float:
    client = tus_client.TusClient(url, headers=headers)
    uploader = client.uploader(
        file_path=str(path), chunk_size=chunk, metadata={"filename": path.name}
    )
    start = time.perf_counter()
    uploader.upload()
    elapsed = time.perf_counter() - start
    if uploader.offset != path.stat().st_size:
        raise SystemExit(f"upload stopped at {uploader.offset}")
    return path.stat().st_size / elapsed / 1e6


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def start_django(
    work: Path, workers: int, threads: int, s3: str = "", database_url: str = ""
) -> tuple[subprocess.Popen, str, dict]:
    env = {
        **os.environ,
        **(
            {
                **S3_ENV,
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "bench-ours",
                "AWS_S3_ENDPOINT_URL": s3,
                "AWS_S3_REGION_NAME": "us-east-1",
            }
            if s3
            else {}
        ),
        "DEBUG": "true",
        "DATABASE_URL": database_url or f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "TUS_UPLOAD_DIR": str(work / "uploads"),
        # Every finished upload stays open here (never turned into an item): lift the caps.
        "TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION": "10000",
        "TUS_MAX_OPEN_BYTES_PER_ORGANIZATION": str(10**15),
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    setup = (
        "from django.contrib.auth.models import User\n"
        "from dealer_media.tenancy.models import Organization, Membership\n"
        "org, _ = Organization.objects.get_or_create(slug='bench', defaults={'name': 'Bench'})\n"
        "User.objects.filter(username='bench').delete()\n"
        "user = User.objects.create_user('bench', password='bench-pass-123')\n"
        "Membership.objects.get_or_create(user=user, organization=org)\n"
    )
    subprocess.run([python, "manage.py", "shell", "-c", setup], cwd=REPO, env=env, check=True)
    sock = listening_socket()
    gunicorn = Path(python).parent / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "dealer_media.wsgi",
            "--bind",
            f"fd://{sock.fileno()}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        pass_fds=[sock.fileno()],
    )
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    session = requests.Session()
    for _ in range(200):
        try:
            session.get(f"{base}/accounts/login/", timeout=60)
            break
        except requests.ConnectionError:  # not listening yet (a slow first request is waited for)
            time.sleep(0.1)
    token = session.cookies["csrftoken"]
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": "bench", "password": "bench-pass-123", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    response.raise_for_status()
    token = session.cookies["csrftoken"]
    headers = {
        "Cookie": f"sessionid={session.cookies['sessionid']}; csrftoken={token}",
        "X-CSRFToken": token,
    }
    return process, f"{base}/marketing/uploads/", headers


def start_node(work: Path, s3: str = "") -> tuple[subprocess.Popen, str] | None:
    if not shutil.which("node") or not shutil.which("npm"):
        return None
    node_dir = work / "node"
    node_dir.mkdir()
    (node_dir / "package.json").write_text('{"type": "module", "private": true}')
    subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "@tus/server"]
        + (["@tus/s3-store"] if s3 else ["@tus/file-store"]),
        cwd=node_dir,
        check=True,
    )
    (node_dir / "server.mjs").write_text(NODE_S3_SERVER if s3 else NODE_SERVER)
    store = work / "node-files"
    store.mkdir()
    process = subprocess.Popen(
        ["node", "server.mjs", *([s3, "bench-node"] if s3 else [str(store)])],
        cwd=node_dir,
        stdout=subprocess.PIPE,
        text=True,
    )
    port = json.loads(process.stdout.readline())["port"]
    return process, f"http://127.0.0.1:{port}/files"


def clear(directory: Path) -> None:
    for path in directory.glob("*"):
        if path.is_file():
            path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, nargs="+", default=[1024])
    parser.add_argument("--chunk-mib", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn gthread threads")
    parser.add_argument("--no-node", action="store_true")
    parser.add_argument("--store", choices=["local", "s3"], default="local")
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty PostgreSQL database (as production; persistent connections), "
        "instead of a SQLite file opened per request",
    )
    args = parser.parse_args()

    moto, s3 = start_s3() if args.store == "s3" else (None, "")
    with tempfile.TemporaryDirectory(dir=REPO / "var" if (REPO / "var").exists() else None) as tmp:
        work = Path(tmp)
        django, django_url, headers = start_django(
            work, args.workers, args.threads, s3, args.database_url
        )
        node = None if args.no_node else start_node(work, s3)
        try:
            for size_mib in args.size_mib:
                size = size_mib * MiB
                source = work / f"source-{size_mib}.mp4"
                make_file(source, size)
                raw = statistics.median(raw_disk_write(work, size) for _ in range(args.runs))
                ours = []
                cpu_before = cpu_seconds(django.pid)
                for _ in range(args.runs):
                    ours.append(timed_upload(django_url, source, headers, args.chunk_mib * MiB))
                    clear(work / "uploads")
                    if s3:
                        empty_bucket(s3, "bench-ours")
                ours_cpu = (cpu_seconds(django.pid) - cpu_before) / args.runs / (size / 2**30)
                ours_mb = statistics.median(ours)
                worker_peak, total_peak = peak_memory(django.pid)
                print(
                    f"== {size_mib} MiB in {args.chunk_mib} MiB chunks, {args.runs} run(s), "
                    f"gunicorn {args.workers} worker(s) x {args.threads} thread(s), "
                    f"{args.store} store, {'PostgreSQL' if args.database_url else 'SQLite'}, "
                    f"load average {os.getloadavg()[0]:.1f}"
                )
                print(f"raw disk write (fsync)      {raw:8.1f} MB/s")
                label = "s3-store  " if s3 else "file-store"
                print(
                    f"dealer-media tus (gunicorn) {ours_mb:8.1f} MB/s  ratio to disk "
                    f"{ours_mb / raw:.2f}  runs {', '.join(f'{r:.0f}' for r in ours)}"
                )
                print(
                    f"  server peak memory: largest worker {worker_peak / 1e6:.0f} MB, "
                    f"all gunicorn processes {total_peak / 1e6:.0f} MB; "
                    f"server CPU {ours_cpu:.2f} s per GiB"
                )
                if node:
                    theirs = []
                    node_cpu_before = cpu_seconds(node[0].pid)
                    for _ in range(args.runs):
                        theirs.append(timed_upload(node[1], source, {}, args.chunk_mib * MiB))
                        clear(work / "node-files")
                        if s3:
                            empty_bucket(s3, "bench-node")
                    node_mb = statistics.median(theirs)
                    node_peak, _ = peak_memory(node[0].pid)
                    node_cpu = (
                        (cpu_seconds(node[0].pid) - node_cpu_before) / args.runs / (size / 2**30)
                    )
                    print(
                        f"@tus/server + {label}  {node_mb:8.1f} MB/s  ratio to disk "
                        f"{node_mb / raw:.2f}  runs {', '.join(f'{r:.0f}' for r in theirs)}"
                    )
                    print(
                        f"  node peak memory {node_peak / 1e6:.0f} MB; "
                        f"server CPU {node_cpu:.2f} s per GiB"
                    )
                    print(f"ours / node throughput      {ours_mb / node_mb:8.2f}")
                source.unlink()
        finally:
            django.terminate()
            django.wait(timeout=30)
            if node:
                node[0].terminate()
                node[0].wait(timeout=30)
            if moto:
                moto.stop()


if __name__ == "__main__":
    main()
