"""Rewrite OpenAI's OpenAPI 3.1 spec so that Prism validates every request body against it.

OpenAI's spec is declared 3.1 but still uses OpenAPI 3.0's `nullable` keyword, which JSON
Schema 2020-12 (3.1) does not have. Prism copes with `nullable` beside a `type` (a null
`max_completion_tokens` is accepted, as the API does), but its validator refuses a schema where
`nullable` has no sibling `type`; and when one schema of an operation fails to compile, Prism
silently stops validating that operation's bodies and answers 200 to anything. So each such
`nullable` is turned into its 3.1 meaning:

    {nullable: true, ...rest}   ->  {anyOf: [{...rest}, {type: "null"}]}  (annotations kept outside)
    {nullable: false, ...rest}  ->  {...rest}

usage: python prism_spec.py openapi.json openapi.prism.json
"""

import json
import os
import sys

ANNOTATIONS = ("title", "description", "default", "deprecated", "example", "examples")


def fix(node):
    if isinstance(node, list):
        return [fix(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: fix(value) for key, value in node.items()}
    if "type" in node or not isinstance(node.get("nullable"), bool):
        return node
    if not node.pop("nullable"):
        return node
    outer = {key: node.pop(key) for key in ANNOTATIONS if key in node}
    outer["anyOf"] = [node, {"type": "null"}]
    return outer


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        spec = json.load(f)
    spec = fix(spec)
    with open(dst + ".part", "w", encoding="utf-8") as f:
        json.dump(spec, f)
    os.replace(dst + ".part", dst)


if __name__ == "__main__":
    main()
