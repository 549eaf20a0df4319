#!/usr/bin/python3
"""Validate every line of a JSON Lines file against a JSON Schema.

usage: validate_jsonl.py SCHEMA FILE

Exit status: 0 if every line is a JSON value the schema accepts, 1 at the
first line that is not (printed with what is wrong), 2 for usage errors
(wrong arguments, unreadable files, a schema that is not Draft 2020-12).
"""

import json
import sys

import jsonschema


def usage_error(message):
    print(f"validate_jsonl: {message}", file=sys.stderr)
    sys.exit(2)


def load_validator(schema_path):
    try:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        usage_error(f"{schema_path}: not a usable schema: {e}")
    return jsonschema.Draft202012Validator(schema)


def first_problem(validator, line):
    """What is wrong with one line, or None if the schema accepts it."""
    try:
        value = json.loads(line)
    except ValueError as e:
        return f"not JSON: {e}"
    errors = sorted(validator.iter_errors(value),
                    key=jsonschema.exceptions.relevance)
    if not errors:
        return None
    return "; ".join(describe(e) for e in errors)


def describe(error):
    """One schema error; for a oneOf, what failed in the alternatives
    whose "op" matched (the others are of another kind of line)."""
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    if not error.context:
        return f"{where}: {error.message}"
    other_op = {e.relative_schema_path[0] for e in error.context
                if e.validator == "const" and list(e.absolute_path) == ["op"]}
    reasons = [e.message for e in error.context
               if e.relative_schema_path[0] not in other_op]
    return f"{where}: fits no kind of line ({'; '.join(reasons)})"


def main(argv):
    if len(argv) != 3:
        usage_error("usage: validate_jsonl.py SCHEMA FILE")
    validator = load_validator(argv[1])
    try:
        with open(argv[2], "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        usage_error(f"cannot read {argv[2]}: {e}")
    if lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            problem = f"not UTF-8: {e}"
        else:
            problem = first_problem(validator, line)
        if problem:
            print(f"{argv[2]}:{number}: {problem}", file=sys.stderr)
            print(raw.decode("utf-8", "backslashreplace"), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
