#!/usr/bin/env python3
"""Hostile request bodies against a release build: an article with 100,000 tags (and one with
25,000 related ids, the most a 1 MB body holds), alone and four at a time, while a second
client times GET /healthz on new connections every 10 ms.

    bench/hostile_bodies.py BIN [sqlite|postgres ...]

Each answer must be a 422 with a capped error list; the figures to read are the time to that
422 and the worst /healthz latency while the four run. Loopback only, bounded in time.
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

PG_ADMIN = os.environ.get("BYLINE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1/postgres")
PASSWORD = "benchmark-password"


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return "t" + out


def request(port, method, path, body=None, token=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return resp.status, data, elapsed


def start(binary, backend, port, workdir):
    env = dict(os.environ, BYLINE_BIND=f"127.0.0.1:{port}", BYLINE_DEMO="0",
               BYLINE_ADMIN_EMAIL="admin@bench.test", BYLINE_ADMIN_PASSWORD=PASSWORD,
               RUST_LOG="warn")
    dbname = None
    if backend == "sqlite":
        env["DATABASE_URL"] = os.path.join(workdir, "byline.db")
    else:
        dbname = f"byline_hostile_{os.getpid()}_{port}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {dbname}"], check=True)
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname
    proc = subprocess.Popen(["taskset", "-c", "0", binary], env=env, cwd=workdir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            if request(port, "GET", "/readyz", timeout=1)[0] == 200:
                return proc, dbname
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"byline on {backend} did not start")


def stop(proc, dbname):
    proc.terminate()
    proc.wait(timeout=30)
    if dbname:
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)"],
                       check=True)


def probe_healthz(port, stop_event, out):
    while not stop_event.is_set():
        try:
            out.append(request(port, "GET", "/healthz", timeout=30)[2])
        except OSError:
            out.append(float("inf"))
        time.sleep(0.01)


def run(binary, backend, port):
    with tempfile.TemporaryDirectory() as workdir:
        proc, dbname = start(binary, backend, port, workdir)
        try:
            status, data, _ = request(port, "POST", "/api/v1/auth/login",
                                      json.dumps({"email": "admin@bench.test", "password": PASSWORD}))
            token = json.loads(data)["access_token"]
            bodies = {
                "100,000 tags": json.dumps({"title": "Tags", "tags": [base36(i) for i in range(100_000)]}),
                "25,000 related ids": json.dumps({"title": "Related",
                                                  "related": [str(uuid.uuid4()) for _ in range(25_000)]}),
            }
            rows = []
            for name, body in bodies.items():
                status, data, alone = request(port, "POST", "/api/v1/articles", body, token)
                problem = json.loads(data)
                assert status == 422, (status, data[:200])
                errors = len(problem.get("errors", []))
                samples, stop_event = [], threading.Event()
                prober = threading.Thread(target=probe_healthz, args=(port, stop_event, samples))
                prober.start()
                time.sleep(0.2)
                times = []
                workers = [threading.Thread(target=lambda: times.append(
                    request(port, "POST", "/api/v1/articles", body, token))) for _ in range(4)]
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()
                time.sleep(0.2)
                stop_event.set()
                prober.join()
                assert all(t[0] == 422 for t in times), [t[0] for t in times]
                worst_four = max(t[2] for t in times)
                rows.append((name, len(body), alone, errors, worst_four, max(samples), len(samples)))
            return rows
        finally:
            stop(proc, dbname)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = sys.argv[1]
    backends = sys.argv[2:] or ["sqlite", "postgres"]
    print("| backend | body | bytes | 422 alone | errors listed | slowest of 4 at once | worst /healthz meanwhile |")
    print("|---|---|---|---|---|---|---|")
    for i, backend in enumerate(backends):
        for name, size, alone, errors, four, health, n in run(binary, backend, 18300 + i):
            print(f"| {backend} | {name} | {size:,} | {alone * 1000:.1f} ms | {errors} | "
                  f"{four * 1000:.1f} ms | {health * 1000:.1f} ms ({n} probes) |")


if __name__ == "__main__":
    main()
