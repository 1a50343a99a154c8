#!/usr/bin/env python3
"""Writes a `byline import` file of N published articles, each a copy of the first article of an
export (the demo article) with its own ids, slug and title, and one slug per line to a list.

    bench/articles.py EXPORT.json N OUT.json SLUGS.txt
"""
import json
import sys
import uuid

export_path, count, out_path, slugs_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(export_path) as f:
    export = json.load(f)
template = export["articles"][0]
articles = []
slugs = []
for i in range(count):
    a = json.loads(json.dumps(template))
    a["id"] = str(uuid.uuid4())
    a["slug"] = f"bench-article-{i:06d}"
    a["title"] = f"Bench article {i}: {template['title']}"
    a["status"] = "published"
    a["related"] = []
    for kind in ("key_takeaways", "quotes", "highlights", "risk_notes"):
        for child in a.get(kind, []):
            child["id"] = str(uuid.uuid4())
    articles.append(a)
    slugs.append(a["slug"])
export["articles"] = articles
export["revisions"] = []
with open(out_path, "w") as f:
    json.dump(export, f)
with open(slugs_path, "w") as f:
    f.write("\n".join(slugs) + "\n")
