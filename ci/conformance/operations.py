"""Print the operationIds of an OpenAPI document whose path matches a regular expression.

Usage: operations.py OPENAPI.json PATH_REGEX
"""

import json
import re
import sys

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

doc = json.load(open(sys.argv[1]))
pattern = re.compile(sys.argv[2])
print(
    " ".join(
        op["operationId"]
        for path, item in doc.get("paths", {}).items()
        if pattern.search(path)
        for method, op in item.items()
        if method in METHODS and "operationId" in op
    )
)
