"""Print one line about a backend's schemathesis passes: operations, test cases, failures, and
the status codes of the responses, so that a run that only reached error paths stands out.

Usage: summary.py REPORT.json... -- RUN.har...
"""

import collections
import json
import sys

args = sys.argv[1:]
split = args.index("--") if "--" in args else len(args)
reports, hars = args[:split], args[split + 1 :]

tested = total = generated = failures = errors = 0
for path in reports:
    r = json.load(open(path))
    tested += r["operations"]["tested"]
    total = max(total, r["operations"]["total"])
    generated += r["test_cases"]["generated"]
    failures += r["test_cases"]["unique_failures"]
    errors += len(r["errors"])

statuses = collections.Counter()
for path in hars:
    try:
        entries = json.load(open(path))["log"]["entries"]
    except (OSError, ValueError, KeyError):
        continue
    statuses.update(str(e["response"]["status"]) for e in entries)

line = f"{tested}/{total} operations, {generated} test cases, {failures} unique failures, {errors} errors"
if statuses:
    line += "; responses " + " ".join(f"{code}x{n}" for code, n in sorted(statuses.items()))
print(line)
