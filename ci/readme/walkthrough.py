"""Run the README's "Walk-through with curl" block by block against a live server, and compare
what each block prints with the output the README shows after it.

Usage: walkthrough.py README.md BASE_URL WORK_DIR

The first block, which starts the server, is not run: the caller starts it with the admin
password that block names (printed by `walkthrough.py README.md --password`). The other blocks
run in one bash process (`set -euo pipefail`), in WORK_DIR, with the README's
http://127.0.0.1:8080 replaced by BASE_URL. A block's expected output is the untagged or json
block that follows it. What is compared, after replacing ids, times and dates by placeholders:
every `HTTP/1.1 <status>` line, every `name: value` header line, and every JSON value that
parses (a shown value with "…" in it is shortened, and skipped).
"""

import json
import re
import subprocess
import sys

SECTION = "## Walk-through with curl"
README_URL = "http://127.0.0.1:8080"

ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{8}-[0-9a-f-]*…")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
HTTP_DATE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


def blocks(readme):
    """The (language, text) code blocks of the walk-through section, in order."""
    text = readme.split(SECTION, 1)[1]
    text = re.split(r"^## ", text, maxsplit=1, flags=re.M)[0]
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)]


def steps(readme):
    """[(shell text, expected output or None)] after the server-starting block."""
    found, out = blocks(readme), []
    for i, (lang, body) in enumerate(found):
        if lang != "sh" or "cargo run" in body:
            continue
        nxt = found[i + 1] if i + 1 < len(found) else None
        expected = nxt[1] if nxt and nxt[0] in ("", "json") else None
        out.append((body, expected))
    return out


def password(readme):
    start = next(body for lang, body in blocks(readme) if lang == "sh" and "cargo run" in body)
    return re.search(r"BYLINE_ADMIN_PASSWORD=(\S+)", start).group(1)


def normal(s):
    return HTTP_DATE.sub("<date>", TIME.sub("<time>", ID.sub("<id>", s)))


def json_values(text):
    """Every JSON object found in text, normalised."""
    decoder, values, i = json.JSONDecoder(), [], 0
    while (i := text.find("{", i)) != -1:
        try:
            value, end = decoder.raw_decode(text, i)
        except ValueError:
            i += 1
            continue
        values.append(json.loads(normal(json.dumps(value))))
        i = end
    return values


def facts(expected):
    """What an expected output promises: status lines, header lines, JSON values."""
    statuses, headers, values = [], [], []
    for line in expected.splitlines():
        line = line.strip()
        if line.startswith("HTTP/1.1 "):
            statuses.append(line.split()[1])
        elif re.match(r"^[a-z-]+: ", line):
            name, value = line.split(": ", 1)
            headers.append((name, normal(value)))
    values = [v for v in json_values(expected.replace("…", "\0")) if "\0" not in json.dumps(v)]
    return statuses, headers, values


def check(expected, actual):
    """Differences between a block's expected and actual output, as sentences."""
    statuses, headers, values = facts(expected)
    problems = []
    got_statuses = re.findall(r"^HTTP/[\d.]+ (\d{3})", actual, re.M)
    if statuses and got_statuses != statuses:
        problems.append(f"status lines {got_statuses}, README shows {statuses}")
    got_headers = {}
    for line in actual.splitlines():
        m = re.match(r"^([A-Za-z-]+): (.*?)\r?$", line)
        if m:
            got_headers.setdefault(m.group(1).lower(), []).append(normal(m.group(2)))
    for name, value in headers:
        if value not in got_headers.get(name, []):
            problems.append(f"header {name}: {got_headers.get(name)}, README shows {value!r}")
    got_values = json_values(actual)
    for value in values:
        if value not in got_values:
            problems.append(f"no JSON {json.dumps(value)} in the output")
    return problems


def main():
    readme = open(sys.argv[1], encoding="utf-8").read()
    if sys.argv[2] == "--password":
        print(password(readme))
        return 0
    base, work = sys.argv[2], sys.argv[3]
    todo = steps(readme)
    script = ["set -euo pipefail", f"cd {json.dumps(work)}"]
    for n, (body, _) in enumerate(todo):
        # On a line of its own even after a body without a final newline.
        script.append(f"printf '\\n@@@ block {n}\\n'")
        script.append(body.replace(README_URL, base))
    script.append("printf '\\n@@@ end\\n'")
    run = subprocess.run(["bash", "-c", "\n".join(script)], capture_output=True, text=True, timeout=120)
    parts = re.split(r"^@@@ (?:block \d+|end)\n", run.stdout, flags=re.M)[1:]
    failures = 0
    for n, (body, expected) in enumerate(todo):
        first = body.strip().splitlines()[0]
        if n >= len(parts):
            print(f"block {n + 1} ({first}): did not run")
            failures += 1
            continue
        problems = check(expected, parts[n]) if expected else []
        print(f"block {n + 1} ({first}): {'ok' if not problems else 'DIFFERS'}")
        for p in problems:
            print(f"    {p}")
        failures += bool(problems)
    if run.returncode != 0:
        print(f"the blocks stopped with status {run.returncode}:\n{run.stderr}")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
