"""Validate smtpprobe's JSON documents against doc/smtpprobe.schema.json
(JSON Schema draft 2020-12), with Debian's python3-jsonschema.

    from schema import schema_problems
    problems = schema_problems(doc)     # [] when the document conforms

Every JSON document the integration and end-to-end suites produce goes
through here, so a field added to the output without the schema (or the
schema without the output) fails the run.
"""
import json
import os

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "..", "doc", "smtpprobe.schema.json")

with open(SCHEMA_PATH, encoding="utf-8") as _f:
    SCHEMA = json.load(_f)
jsonschema.Draft202012Validator.check_schema(SCHEMA)
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _part(name):
    """A validator for one kind of document, so that errors name the field
    rather than the top-level oneOf."""
    sub = {k: v for k, v in SCHEMA.items() if k not in ("oneOf", "$id")}
    sub["$ref"] = "#/$defs/" + name
    return jsonschema.Draft202012Validator(sub)


_PARTS = {"report": _part("report"), "explanation": _part("explanation"),
          "explanation_list": _part("explanation_list")}


def schema_problems(doc, limit=3):
    """Why `doc` does not conform to the schema, as short strings."""
    out = []
    if _VALIDATOR.is_valid(doc):
        return out
    if isinstance(doc, list):
        kind = "explanation_list"
    else:
        kind = "report" if isinstance(doc, dict) and "smtpprobe" in doc else "explanation"
    for e in sorted(_PARTS[kind].iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        out.append("schema (%s): %s: %s" % (kind, where, e.message[:200]))
        if len(out) >= limit:
            break
    return out or ["schema: the document is neither a report nor an explanation (or a list of them)"]
