"""A small HTTP load tool: N users, each a thread with its own keep-alive connection, asking
for the given paths in turn for a bounded time; latency per path (p50, p95, p99, max), errors
(a status other than 200, or an exception) and requests per second.

Standard library only. Users log in once through ``/login/`` (CSRF token from the form's
cookie) and share that session: the login itself is not what is measured.

    .venv/bin/python bench/loadtest.py --base http://127.0.0.1:8000 --login USER:PASSWORD \\
        --users 50 --seconds 30 [--think 1.0] [--warmup 5] [--json] /stats/430000000000/ ...

With ``--think T`` each user waits a random 0.5·T–1.5·T seconds between requests, as a person
reading the page would; ``--think 0`` is a closed loop that finds the server's capacity
(latency then is mostly queueing: about users ÷ throughput).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass
class PathResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    bytes: int = 0


def _connect(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("loadtest: loopback only (127.0.0.1, localhost, ::1)")
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def login(base: str, username: str, password: str) -> str:
    """The Cookie header of a fresh session for ``username``."""
    conn = _connect(base)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    cookies = _cookies(response)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or match is None or "csrftoken" not in cookies:
        raise SystemExit(f"loadtest: /login/ answered {response.status} without a CSRF token")
    body = urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password, "next": ""}
    )
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"{base.rstrip('/')}/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response))
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"loadtest: login as {username} failed (status {response.status})")
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, int]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body)


def run(
    base: str,
    paths: list[str],
    *,
    cookie: str = "",
    users: int = 50,
    seconds: float = 30.0,
    think: float = 0.0,
    seed: int = 2024,
) -> dict[str, Any]:
    """Run the load; returns per-path figures and the totals (see ``summary``)."""
    results = {path: PathResult() for path in paths}
    lock = threading.Lock()
    headers = {"Cookie": cookie, "Accept-Language": "zh-hans"} if cookie else {"Accept-Language": "zh-hans"}
    start = threading.Barrier(users + 1)
    deadline = 0.0

    def user(number: int) -> None:
        rng = random.Random(seed + number)
        conn = _connect(base)
        mine = {path: PathResult() for path in paths}
        turn = number  # users start on different paths
        start.wait()
        # Spread the first requests over one think time, as users arriving would.
        if think:
            time.sleep(rng.uniform(0, think))
        while time.perf_counter() < deadline:
            path = paths[turn % len(paths)]
            turn += 1
            began = time.perf_counter()
            try:
                try:
                    status, size = _get(conn, path, headers)
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    # The server closed an idle keep-alive connection: a browser reconnects.
                    conn.close()
                    conn = _connect(base)
                    began = time.perf_counter()
                    status, size = _get(conn, path, headers)
            except Exception as exc:
                conn.close()
                conn = _connect(base)
                mine[path].errors += 1
                if len(mine[path].error_samples) < 3:
                    mine[path].error_samples.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - began
            if status != 200:
                mine[path].errors += 1
                if len(mine[path].error_samples) < 3:
                    mine[path].error_samples.append(f"HTTP {status}")
            else:
                mine[path].latencies.append(elapsed)
                mine[path].bytes += size
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        conn.close()
        with lock:
            for path, got in mine.items():
                total = results[path]
                total.latencies += got.latencies
                total.errors += got.errors
                total.bytes += got.bytes
                total.error_samples += got.error_samples[: max(0, 3 - len(total.error_samples))]

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return summary(results, time.perf_counter() - began, users=users, think=think)


def percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def summary(results: dict[str, PathResult], wall: float, *, users: int, think: float) -> dict[str, Any]:
    paths = {}
    for path, got in results.items():
        ordered = sorted(got.latencies)
        ms = {f"p{int(q * 100)}": percentile(ordered, q) for q in (0.5, 0.95, 0.99)}
        paths[path] = {
            "requests": len(ordered) + got.errors,
            "ok": len(ordered),
            "errors": got.errors,
            "error_samples": got.error_samples,
            **{k: None if v is None else round(v * 1000, 1) for k, v in ms.items()},
            "max": round(ordered[-1] * 1000, 1) if ordered else None,
            "mean": round(sum(ordered) / len(ordered) * 1000, 1) if ordered else None,
            "kb": round(got.bytes / len(ordered) / 1024, 1) if ordered else None,
            "rps": round((len(ordered) + got.errors) / wall, 1),
        }
    total = sum(p["requests"] for p in paths.values())
    return {
        "users": users,
        "think_s": think,
        "seconds": round(wall, 1),
        "requests": total,
        "rps": round(total / wall, 1),
        "errors": sum(p["errors"] for p in paths.values()),
        "paths": paths,
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        f"{report['users']} users, think {report['think_s']} s, {report['seconds']} s: "
        f"{report['requests']:,} requests, {report['rps']} req/s, {report['errors']} errors",
        f"  {'path':<40} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'KB':>6} {'errors':>6}",
    ]
    for path, p in report["paths"].items():
        lines.append(
            f"  {path:<40} {p['requests']:>8,} {p['p50'] or '-':>8} {p['p95'] or '-':>8} "
            f"{p['p99'] or '-':>8} {p['max'] or '-':>8} {p['kb'] or '-':>6} {p['errors']:>6}"
        )
        lines.extend(f"      error: {sample}" for sample in p["error_samples"])
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--login", help="USER:PASSWORD, logged in once and shared by all users")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between a user's requests")
    parser.add_argument("--warmup", type=float, default=0.0, help="seconds of load first, not counted")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    args = parser.parse_args()
    cookie = ""
    if args.login:
        username, _, password = args.login.partition(":")
        cookie = login(args.base, username, password)
    if args.warmup:
        run(args.base, args.paths, cookie=cookie, users=min(args.users, 8), seconds=args.warmup)
    report = run(
        args.base, args.paths, cookie=cookie, users=args.users, seconds=args.seconds, think=args.think
    )
    print(json.dumps(report, ensure_ascii=False) if args.json else table(report))
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
