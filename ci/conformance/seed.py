"""Create fixture articles on a running Byline and write a schemathesis.toml that uses them.

Without real identifiers, nearly every request schemathesis makes to `/articles/{id}/...` and
`.../{child_id}` is a 404, and the handlers behind them are never reached. This script creates
articles with children of every kind through the API and writes dictionaries of their ids,
which the config binds to the path parameters of each operation with a probability below 1,
so that generated values are still tried as well.

DELETE operations get their own articles, so that deleting them does not take the data away
from the other operations.

Usage: seed.py BASE_URL TOKEN OUTPUT_TOML
"""

import json
import sys
import urllib.error
import urllib.request

KINDS = {
    # path segment: (field in the article document, operationId suffix, one item)
    "key-takeaways": ("key_takeaways", "key_takeaway", lambda n, i: {"text": f"Takeaway {i} of fixture {n}."}),
    "quotes": (
        "quotes",
        "quote",
        lambda n, i: {
            "text": f"Quote {i} of fixture {n}.",
            "speaker": f"Speaker {i}",
            "context": "At a fixture press conference",
            "source_url": "https://example.com/fixture",
        },
    ),
    "highlights": ("highlights", "highlight", lambda n, i: {"text": f"Highlight {i} of fixture {n}."}),
    "risk-notes": (
        "risk_notes",
        "risk_note",
        lambda n, i: {"title": f"Risk {i}", "body": f"Risk note {i} of fixture {n}.", "severity": "high"},
    ),
}
ITEMS_PER_KIND = 3


def request(base, token, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as err:
        sys.exit(f"seed: {method} {path} answered {err.code}: {err.read().decode(errors='replace')}")


def create_article(base, token, name, publish):
    body = {
        "title": f"Conformance fixture {name}",
        "dek": f"Fixture article {name} for the conformance run.",
        "summary": "A fixture.",
        "body": "Fixture body text about harbour ferries and council budgets.",
        "kicker": "Fixture",
        "tags": ["fixture", f"fixture-{name}"],
    }
    for field, _, item in KINDS.values():
        body[field] = [item(name, i) for i in range(1, ITEMS_PER_KIND + 1)]
    article = request(base, token, "POST", "/api/v1/articles", body)
    if publish:
        article = request(base, token, "POST", f"/api/v1/articles/{article['id']}/publish")
    return article


def toml_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def main():
    base, token, output = sys.argv[1:4]
    base = base.rstrip("/")

    demo = request(base, token, "GET", "/api/v1/articles?limit=100")["data"]
    # The child operations use one article each, so that a drawn child id mostly belongs to the
    # drawn article id.
    parent = create_article(base, token, "one", publish=True)
    other = create_article(base, token, "two", publish=False)
    doomed_parent = create_article(base, token, "doomed-children", publish=True)
    doomed = [create_article(base, token, f"doomed-{n}", publish=n % 2 == 0) for n in range(1, 4)]

    dictionaries = {
        # Reads accept the id or the slug.
        "article_refs": [a["id"] for a in [parent, other] + demo] + [a["slug"] for a in [parent, other] + demo],
        # Writes take the id only.
        "article_ids": [parent["id"], other["id"]],
        "parent_ids": [parent["id"]],
        "doomed_article_ids": [a["id"] for a in doomed],
        "doomed_parent_ids": [doomed_parent["id"]],
    }
    for field, suffix, _ in KINDS.values():
        dictionaries[f"{suffix}_ids"] = [item["id"] for item in parent[field]]
        dictionaries[f"doomed_{suffix}_ids"] = [item["id"] for item in doomed_parent[field]]

    def binding(name, probability):
        return f'{{ dictionary = "{name}", probability = {probability} }}'

    lines = [
        "# Generated for one conformance run by ci/conformance/seed.py.",
        "",
        "[dictionaries]",
    ]
    lines += [f"{name} = {{ values = {toml_list(values)} }}" for name, values in dictionaries.items()]

    def operation(operation_ids, parameters):
        lines.extend(["", "[[operations]]", f"include-operation-id = {toml_list(operation_ids)}"])
        lines.append("parameters = { " + ", ".join(f'"{k}" = {v}' for k, v in parameters.items()) + " }")

    operation(["get_article"] + [f"list_{s}s" for _, s, _ in KINDS.values()], {"path.id": binding("article_refs", 0.8)})
    operation(
        ["replace_article", "update_article", "publish_article", "unpublish_article", "archive_article", "schedule_article"]
        + [f"create_{s}" for _, s, _ in KINDS.values()]
        + [f"replace_{s}s" for _, s, _ in KINDS.values()],
        {"path.id": binding("article_ids", 0.8)},
    )
    operation(["delete_article"], {"path.id": binding("doomed_article_ids", 0.5)})
    for _, suffix, _ in KINDS.values():
        operation(
            [f"get_{suffix}", f"update_{suffix}"],
            {"path.id": binding("parent_ids", 0.8), "path.child_id": binding(f"{suffix}_ids", 0.8)},
        )
        operation(
            [f"delete_{suffix}"],
            {"path.id": binding("doomed_parent_ids", 0.8), "path.child_id": binding(f"doomed_{suffix}_ids", 0.8)},
        )

    with open(output, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(
        f"seed: 2 fixture articles and {len(doomed) + 1} to delete, "
        f"{ITEMS_PER_KIND} items of each child kind in each",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
