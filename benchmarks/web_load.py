"""Load on `kyodo-rules serve`, localhost only, bounded in time: interviews and API calls at once.

    python benchmarks/web_load.py                  # 50 interviews + 200 classify/s, 60 s
    python benchmarks/web_load.py --seconds 10     # a quick look

Starts the installed `kyodo-rules serve` on 127.0.0.1 (a free port, a fresh
data directory), then for `--seconds`:

- `--users` browsers each run interviews end to end as a person without
  JavaScript would (the start page, the profile form, each question page and
  its answer, the summary, the result page), pausing `--think` seconds
  between answers, and start again when one is done;
- `/api/classify` receives `--rate` requests a second on a fixed schedule
  (open loop: a late answer does not slow the schedule; latency is counted
  from the scheduled time, so queueing shows).

Every answer must have the expected status (200, or 303 for a form post);
anything else, or a broken connection, is an error. Prints p50/p99 latency
per kind of request, the error count and the server's peak memory (VmHWM).
The client is a few lines of asyncio over keep-alive connections, so that
the load generator itself stays light on a two-core machine.

Then, beside those rows, the light requests during the largest upload allowed:
an inventory CSV packed to just under the upload limit (1,000,000 bytes: about
20,000 short rows, many of them 協働ではない so that the what-if search runs)
is posted to `/api/batch`, and while it is answered a light request of each
kind (`/api/classify` of 事例1, a question page) is sent `--light-rate` times a
second, open loop; their p50/p99/max are the figures (goal: p99 <= 1 s).

    python benchmarks/web_load.py --upload-only    # just that, about a minute
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # never anything but this machine
ROOT = Path(__file__).resolve().parents[1]


def request_bodies(count: int = 2000, seed: int = 14) -> list[bytes]:
    """The API's cases: the library's, then the test suite's seeded generator (varied, so that
    nothing is answered from a warm path the real traffic would not take)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from kyodo_rules.rulebase.case_library import load_cases
    from strategies import random_facts

    rng = random.Random(seed)
    cases = [case.facts for case in load_cases()]
    cases += [random_facts(rng) for _ in range(max(0, count - len(cases)))]
    return [json.dumps(case).encode() for case in cases]


class Connection:
    """One keep-alive HTTP/1.1 connection (enough of HTTP for this server)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        found: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            key = name.strip().lower()
            found[key] = (found[key] + "\n" if key in found else "") + value.strip()
        data = await self.reader.readexactly(int(found.get("content-length", "0")))
        return status, found, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.interviews = 0

    def note(self, kind: str, seconds: float) -> None:
        self.latency[kind].append(seconds)


def _form(fields: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


async def interview_user(port: int, stop: float, think: float, stats: Stats, seed: int) -> None:
    rng = random.Random(seed)
    conn = Connection(port)
    cookie = ""

    async def call(kind: str, method: str, path: str, body: bytes = b"", expect: int = 200) -> Any:
        nonlocal cookie
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        status, found, data = await conn.request(method, path, body, headers)
        stats.note(kind, time.perf_counter() - started)
        if status != expect:
            raise RuntimeError(f"{kind} {method} {path}: {status} (expected {expect})")
        if "set-cookie" in found:
            cookie = found["set-cookie"].split(";")[0]
        return found, data.decode("utf-8", "replace")

    try:
        while time.monotonic() < stop:
            _, home = await call("page: start", "GET", "/")
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', home)
            assert csrf
            token = csrf.group(1)
            profile = rng.choice(["generic", "nichinan", "ogi", "ama"])
            found, _ = await call(
                "post: start",
                "POST",
                "/start",
                _form([("csrf", token), ("profile", profile), ("lang", "ja")]),
                303,
            )
            url = found["location"]
            for _ in range(60):
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                if time.monotonic() >= stop:
                    return
                started = time.perf_counter()
                status, found, data = await conn.request("GET", url, b"", {"Cookie": cookie})
                stats.note("page: question", time.perf_counter() - started)
                if status == 303:  # done: the summary
                    break
                page = data.decode()
                if status != 200:
                    raise RuntimeError(f"question page: {status}")
                field = re.search(r'name="field" value="([a-z_]+)"', page)
                assert field
                values = re.findall(r'name="value" value="([^"]+)"', page)
                fields = [("csrf", token), ("field", field.group(1))]
                if values and rng.random() < 0.8:
                    fields += [("action", "answer"), ("value", rng.choice(values))]
                elif not values:
                    fields += [("action", "answer"), ("value", "負荷試験")]
                else:
                    fields.append(("action", "unknown"))
                await call("post: answer", "POST", f"{url}/answer", _form(fields), 303)
            await call("page: summary", "GET", f"{url}/summary")
            await call("page: result", "GET", f"{url}/result")
            stats.interviews += 1
    except Exception as exc:
        if time.monotonic() < stop:
            stats.errors.append(f"interview: {type(exc).__name__}: {exc}")
    finally:
        conn.close()


async def api_worker(
    port: int,
    start: float,
    stop: float,
    rate: float,
    index: int,
    workers: int,
    stats: Stats,
    bodies: list[bytes],
) -> None:
    conn = Connection(port)
    n = index
    try:
        while True:
            due = start + n / rate
            if due >= stop:
                return
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            body = bodies[n % len(bodies)]
            try:
                status, _, data = await conn.request(
                    "POST", "/api/classify", body, {"Content-Type": "application/json"}
                )
                if status != 200 or b'"verdict"' not in data:
                    stats.errors.append(f"classify: {status}")
            except Exception as exc:
                stats.errors.append(f"classify: {type(exc).__name__}: {exc}")
                conn.close()
                conn = Connection(port)
            stats.note("api: classify", time.monotonic() - due)
            n += workers
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _tree(pid: int) -> list[int]:
    """The server and its worker processes."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            out.extend(_tree(int(child)))
    return out


def _usage(pid: int) -> tuple[int, int, float]:
    """(peak RSS KiB, RSS KiB, CPU seconds), summed over the server's processes."""
    peak = rss = 0
    cpu = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for p in _tree(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key == "VmHWM":
                peak += int(value.split()[0])
            elif key == "VmRSS":
                rss += int(value.split()[0])
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / ticks
    return peak, rss, cpu


def _command() -> list[str]:
    script = Path(sys.executable).with_name("kyodo-rules")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kyodo_rules"]


async def _run(port: int, args: argparse.Namespace, stats: Stats) -> float:
    start = time.monotonic() + 0.5
    stop = start + args.seconds
    workers = max(1, int(args.rate // 10))
    bodies = request_bodies()
    tasks = [
        asyncio.create_task(interview_user(port, stop, args.think, stats, seed))
        for seed in range(args.users)
    ]
    tasks += [
        asyncio.create_task(api_worker(port, start, stop, args.rate, i, workers, stats, bodies))
        for i in range(workers)
    ]
    # Bounded: whatever is still running a little after the end is cancelled.
    _done, pending = await asyncio.wait(tasks, timeout=args.seconds + 30)
    for task in pending:
        task.cancel()
    return time.monotonic() - start


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


#: The upload limit of `kyodo-rules serve` for a file (web/guard.py MAX_UPLOAD).
UPLOAD_LIMIT = 1_000_000


def largest_inventory(seed: int = 20) -> tuple[bytes, int]:
    """A CSV inventory just under the upload limit, of short rows (the shape of the
    990 KB, 32,292-row file that once held the server for 36 s); (bytes, rows)."""
    rng = random.Random(seed)
    lines = ["title,actors,planner,spec_author,city_supervises,funding"]
    size = len(lines[0]) + 1
    actors = ["city", "business", "citizen", "civic_group", "community_org"]
    funding = ["contract_fee", "operating_subsidy", "project_subsidy", "cost_share"]
    while True:
        row = ",".join(
            [
                f"p{len(lines)}",
                "、".join(rng.sample(actors, rng.randint(1, 2))),
                rng.choice(["city", "partner", "joint", ""]),
                rng.choice(["city", "partner", "joint", ""]),
                rng.choice(["true", "false", ""]),
                rng.choice([*funding, ""]),
            ]
        )
        if size + len(row.encode()) + 1 > UPLOAD_LIMIT - 200:
            break
        lines.append(row)
        size += len(row.encode()) + 1
    return ("\n".join(lines) + "\n").encode(), len(lines) - 1


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "kyodo-load-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


async def upload_phase(port: int, rate: float) -> dict[str, Any]:
    """The largest allowed inventory posted once; light requests all the while."""
    data, rows = largest_inventory()
    body, boundary = _multipart("largest.csv", data)
    page_conn = Connection(port)
    status, found, home = await page_conn.request("GET", "/")
    cookie = found["set-cookie"].split(";")[0]
    token = re.search(rb'name="csrf" value="([0-9a-f]+)"', home)
    assert token
    status, found, _ = await page_conn.request(
        "POST",
        "/start",
        _form([("csrf", token.group(1).decode()), ("profile", "generic"), ("title", "軽い")]),
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 303, status
    question = found["location"]
    light: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    done = asyncio.Event()

    async def upload() -> tuple[float, int, dict[str, str]]:
        conn = Connection(port)
        started = time.perf_counter()
        try:
            status, found, _ = await conn.request(
                "POST",
                "/api/batch",
                body,
                {"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
        finally:
            conn.close()
            done.set()
        return time.perf_counter() - started, status, found

    async def ticker(kind: str, offset: float) -> None:
        conn = Connection(port)
        body = json.dumps(
            {"actors": ["city", "business"], "spec_author": "city", "city_supervises": True}
        ).encode()
        start = time.monotonic() + offset
        n = 0
        try:
            while not done.is_set():
                due = start + n / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if done.is_set():
                    return
                try:
                    if kind == "api: classify":
                        status, _, answer = await conn.request(
                            "POST", "/api/classify", body, {"Content-Type": "application/json"}
                        )
                        ok = status == 200 and b'"verdict"' in answer
                    else:
                        status, _, _ = await conn.request("GET", question, b"", {"Cookie": cookie})
                        ok = status == 200
                    if not ok:
                        errors.append(f"{kind}: {status}")
                except Exception as exc:
                    errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                    conn.close()
                    conn = Connection(port)
                light[kind].append(time.monotonic() - due)
                n += 1
        finally:
            conn.close()

    tasks = [
        asyncio.create_task(ticker("api: classify", 0.2)),
        asyncio.create_task(ticker("page: question", 0.2 + 0.5 / rate)),
    ]
    seconds, status, found = await upload()
    await asyncio.gather(*tasks)
    page_conn.close()
    if status != 200:
        errors.append(f"upload: {status}")
    return {
        "rows": rows,
        "bytes": len(data),
        "seconds": seconds,
        "status": status,
        "answered": found.get("x-kyodo-rows", "?"),
        "light": light,
        "errors": errors,
    }


def report_upload(found: dict[str, Any], rate: float) -> list[str]:
    lines = [
        f"\n## light requests during the largest allowed upload ({found['bytes']:,} bytes, "
        f"{found['rows']:,} rows, /api/batch answered {found['status']} in "
        f"{found['seconds']:.1f} s; {rate:g} light requests/s of each kind)\n",
        "| request | count | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in sorted(found["light"]):
        values = found["light"][kind]
        lines.append(
            f"| {kind} (during the upload) | {len(values)} | {_ms(values, 0.5)} | "
            f"{_ms(values, 0.99)} | {max(values) * 1000:.1f} |"
        )
    worst = max((v for vs in found["light"].values() for v in vs), default=0.0)
    p99 = max((float(_ms(vs, 0.99)) for vs in found["light"].values() if vs), default=float("nan"))
    verdict = "met" if p99 <= 1000 else "NOT met"
    lines.append(
        f"\ngoal p99 <= 1 s: {verdict} (p99 {p99:.1f} ms, worst {worst * 1000:.1f} ms); "
        f"errors: {len(found['errors'])}"
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=50, help="concurrent interviews")
    parser.add_argument("--rate", type=float, default=200.0, help="/api/classify per second")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between answers")
    parser.add_argument("--engine", choices=["durable", "python"], default="durable")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--light-rate", type=float, default=10.0, help="light requests/s of each kind, upload"
    )
    parser.add_argument("--upload-only", action="store_true", help="only the upload phase")
    parser.add_argument("--no-upload", action="store_true", help="skip the upload phase")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600:
        parser.error("--seconds: 0 < s <= 600")
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [
                    *_command(),
                    "serve",
                    *("--host", HOST, "--port", str(port), "--data", tmp),
                    *("--engine", args.engine, "--workers", str(args.workers)),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://{HOST}:{port}/api/rules", timeout=5):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        print(log.read_text(), file=sys.stderr)
                        return 1
                    time.sleep(0.1)
            time.sleep(1.0 if args.workers > 1 else 0)  # every worker up
            idle_peak, idle_rss, idle_cpu = _usage(server.pid)
            stats = Stats()
            client_cpu = time.process_time()
            elapsed = 0.0
            if not args.upload_only:
                elapsed = asyncio.run(_run(port, args, stats))
            client_cpu = time.process_time() - client_cpu
            peak, rss, cpu = _usage(server.pid)
            uploaded = None
            if not args.no_upload:
                uploaded = asyncio.run(upload_phase(port, args.light_rate))
                after_upload = _usage(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    if args.upload_only:
        assert uploaded is not None
        print("\n".join(report_upload(uploaded, args.light_rate)).lstrip())
        print(f"server memory: peak {after_upload[0] / 1024:.0f} MiB (VmHWM)")
        for error in uploaded["errors"][:10]:
            print(f"  error: {error}")
        return 1 if uploaded["errors"] else 0
    total = sum(len(v) for v in stats.latency.values())
    print(
        f"## web load: {args.users} interviews + {args.rate:g} /api/classify/s "
        f"for {args.seconds:g} s (localhost, --engine {args.engine}, --workers {args.workers})\n"
    )
    print("| request | count | per second | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in sorted(stats.latency):
        values = stats.latency[kind]
        print(
            f"| {kind} | {len(values)} | {len(values) / args.seconds:.1f} | {_ms(values, 0.5)} | "
            f"{_ms(values, 0.99)} | {max(values) * 1000:.1f} |"
        )
    print(
        f"\n{total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s); "
        f"{stats.interviews} interviews completed; errors: {len(stats.errors)}"
    )
    print(
        f"server memory: {idle_rss / 1024:.0f} MiB after start, "
        f"{rss / 1024:.0f} MiB at the end, peak {peak / 1024:.0f} MiB (VmHWM; "
        f"{idle_peak / 1024:.0f} MiB before the load)"
    )
    print(
        f"CPU: server {cpu - idle_cpu:.1f} s, load generator {client_cpu:.1f} s, "
        f"in {elapsed:.1f} s on {os.cpu_count()} CPUs (load average at the end: "
        f"{os.getloadavg()[0]:.2f})"
    )
    scheduled = int(args.rate * args.seconds)
    unanswered = scheduled - len(stats.latency.get("api: classify", []))
    if unanswered > 0:
        stats.errors.append(
            f"classify: {unanswered} of {scheduled} scheduled requests not answered in time"
        )
        print(f"not answered within the run (+30 s): {unanswered} classify requests")
    if uploaded is not None:
        print("\n".join(report_upload(uploaded, args.light_rate)))
        print(f"server memory after the upload: peak {after_upload[0] / 1024:.0f} MiB (VmHWM)")
        stats.errors += uploaded["errors"]
    for error in stats.errors[:10]:
        print(f"  error: {error}")
    return 1 if stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
