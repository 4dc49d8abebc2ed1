#!/usr/bin/env python3
"""Generates ekahook's event schemas and Eka Care test fixtures.

Run from the project root:

    python3 schemas/generate.py ../shared/eka/post_webhook.yaml ../shared/eka/webhook-samples.mdx

It reads Eka Care's OpenAPI file post_webhook.yaml (one path per event family),
appointment-statuses.txt (next to it) and webhook-samples.mdx, and writes

    schemas/<event>.json                      one JSON Schema per event name
    schemas/schemas.am                        the list of them, for make install
    tests/fixtures/eka/examples/<event>.json  one example event per name, from the YAML examples
    tests/fixtures/eka/samples/<name>.json    each JSON payload of webhook-samples.mdx

Its output is committed: rerun it after changing it or Eka's files, and commit the result.
The schemas use only the keywords ekahook's validator knows (see src/jschema.h).
"""
import copy, json, os, re, sys, textwrap

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYS = ("type", "format", "required", "x-known-values", "items", "properties")
YAML_KEYS = {"type", "properties", "required", "items", "enum", "example", "description", "format"}
FREE_KEYS = ("partner_meta", "workflow_data")  # their YAML properties are example keys
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
JTYPE = {type(None): "null", bool: "boolean", int: "integer", float: "number",
         str: "string", list: "array", dict: "object"}
unmapped = []


def convert(node, name, where):
    """Maps one YAML schema node to our subset; "type" is kept as a list here."""
    unmapped.extend(f"{where}: {k}" for k in node if k not in YAML_KEYS)
    types = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
    out = {}
    if node.get("format") == "date-time":
        out["format"] = "date-time"
    elif "format" in node:
        unmapped.append(f"{where}: format {node['format']}")
    if types == ["integer"] and (name == "timestamp" or name.endswith("_at")):
        types, out["format"] = ["integer", "string"], "date-time"  # Unix time or RFC 3339
    if "example" in node and node["example"] is None:
        types.append("null")  # Eka sends null there
    out["type"] = types
    if node.get("required"):
        out["required"] = list(node["required"])
    if "enum" in node:
        out["x-known-values"] = [str(v) for v in node["enum"]]
    if "items" in node:
        out["items"] = convert(node["items"], "", where + "[]")
    if node.get("properties") and name not in FREE_KEYS:
        out["properties"] = {k: convert(v, k, f"{where}.{k}") for k, v in node["properties"].items()}
    return out


def finish(s):
    """Orders a node's keys as we write them; a one-name type becomes a string."""
    out = {}
    for k in (k for k in KEYS if k in s):
        v = s[k]
        if k == "type" and len(v) == 1:
            v = v[0]
        elif k == "items":
            v = finish(v)
        elif k == "properties":
            v = {p: finish(x) for p, x in v.items()}
        out[k] = v
    return out


def example(node):
    """An example value for a YAML node, from its examples."""
    if "example" in node:
        return node["example"]
    if "enum" in node:
        return node["enum"][0]
    if node["type"] == "object":
        out, req = {}, node.get("required", [])
        for k, v in node.get("properties", {}).items():
            x = example(v)
            if x not in ({}, []) or "example" in v or k in req:
                out[k] = x
        return out
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "array": []}[node["type"]]


def check(s, v, strict, path, bad, warn):
    """Judges v against s; problems go to bad as (path, node, value, why), where
    node is the schema node for a wrong type (to widen) and None otherwise."""
    t, types = JTYPE[type(v)], s["type"]
    ok = t in types or (t == "integer" and "number" in types)
    if not strict and t == "integer" and s.get("format") == "date-time":
        ok = True
    if not strict and path == "event_time" and t == "string" and RFC3339.match(v):
        ok = True
    if not ok:
        bad.append((path, s, v, f"is {t}, not {'|'.join(types)}"))
        return
    if t == "string" and s.get("format") == "date-time" and not RFC3339.match(v):
        bad.append((path, None, v, "is not an RFC 3339 date-time"))
    if t == "string" and v not in s.get("x-known-values", [v]):
        warn.append(f"{path}: {v!r} is not a known value")
    if t == "object":
        for r in s.get("required", []) if strict else []:
            if r not in v:
                bad.append((f"{path}.{r}".lstrip("."), None, None, "is missing"))
        for k, sub in s.get("properties", {}).items():
            if k in v:
                check(sub, v[k], strict, f"{path}.{k}".lstrip("."), bad, warn)
    if t == "array" and "items" in s:
        for i, x in enumerate(v):
            check(s["items"], x, strict, f"{path}[{i}]", bad, warn)


def judge(s, doc, strict):
    """Returns an event's (problems, warnings); relaxed needs only its name and data."""
    bad, warn = [], []
    if not strict and not ((doc.get("event") or doc.get("event_type")) and "data" in doc):
        bad.append(("", None, None, "has no event name or no data"))
    check(s, doc, strict, "", bad, warn)
    return bad, warn


def report(label, bad, warn):
    for where, _, value, why in bad:
        print(f"{label}: {where} {why} ({value!r})")
    for w in warn:
        print(f"{label}: warning: {w}")
    return bool(bad)


def write(rel, text):
    os.makedirs(os.path.dirname(os.path.join(ROOT, rel)), exist_ok=True)
    with open(os.path.join(ROOT, rel), "w") as f:
        f.write(text)
    print("wrote", rel)


def main():
    eka = os.path.join(ROOT, "..", "shared", "eka")
    yaml_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(eka, "post_webhook.yaml")
    mdx_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(eka, "webhook-samples.mdx")
    with open(yaml_path) as f:
        api = yaml.safe_load(f)
    with open(os.path.join(os.path.dirname(yaml_path), "appointment-statuses.txt")) as f:
        statuses = re.findall(r"- (\w+) +\(", f.read())
    assert statuses[:2] == ["BK", "CK"] and len(statuses) == 15, statuses
    statuses += ["PC", "PNR"]  # not in Eka's list; ekahook(8) Validation
    with open(mdx_path) as f:
        mdx = f.read()

    base, yamls, family = {}, {}, {}  # per event name: converted schema, YAML schema, path
    for path, item in api["paths"].items():
        y = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        s = convert(y, "", path)
        s["properties"]["event"].pop("x-known-values", None)  # one file per event name
        ev = y["properties"]["event"]
        for name in ev.get("enum") or [ev["example"]]:
            base[name], yamls[name], family[name] = s, y, path  # same s: widened together

    samples = {}
    for block in re.findall(r"```json\n(.*?)```", mdx, re.S):
        text = re.sub(r'"(?:[^"\\]|\\.)*"|\{\{(\w+)\}\}',  # an unquoted {{name}} -> "name-1"
                      lambda m: m[0] if m[1] is None else f'"{m[1]}-1"',
                      textwrap.dedent(block).strip() + "\n")
        doc = json.loads(text)
        name = doc.get("event_type") or doc.get("event_id")
        samples[name] = (doc, text)
        if name not in base:
            print(f"sample {name}: no schema in the YAML, not checked")
            continue
        for where, node, value, why in judge(base[name], doc, False)[0]:
            if node is None:
                sys.exit(f"sample {name}: {where} {why}")
            node["type"].append(JTYPE[type(value)])
            print(f"widened {family[name]} {where} to {node['type']} (sample {name}: {value!r})")

    schemas = {}
    for name, s in base.items():
        s = schemas[name] = copy.deepcopy(s)
        data = s["properties"].get("data", {}).get("properties", {})
        if name.startswith("appointment.") and "status" in data:
            data["status"]["x-known-values"] = statuses
        if name in ("appointment.created", "appointment.updated"):
            data["action"]["x-known-values"] = ["created", "modified", "completed"]

    out, failed = {}, False  # every example strict, every sample relaxed, before writing
    for name, s in schemas.items():
        ex = example(yamls[name])
        ex["event"] = name
        failed |= report(f"example {name}", *judge(s, ex, True))
        out[f"schemas/{name}.json"] = json.dumps(finish(s), indent=2) + "\n"
        out[f"tests/fixtures/eka/examples/{name}.json"] = json.dumps(ex, indent=2) + "\n"
    for name, (doc, text) in samples.items():
        if name in schemas:
            failed |= report(f"sample {name}", *judge(schemas[name], doc, False))
        out[f"tests/fixtures/eka/samples/{name}.json"] = text
    out["schemas/schemas.am"] = (
        "# schemas.am: the event schemas (included by Makefile.am), one file per\n"
        "# event of Eka Care's webhook reference, written by schemas/generate.py.\n"
        "# A new file there is listed here too.\n\n"
        "schemasdir = $(pkgdatadir)/schemas\n"
        "dist_schemas_DATA =" + "".join(f" \\\n\tschemas/{n}.json" for n in sorted(schemas)) + "\n")
    for u in unmapped:
        print("not mapped:", u)
    if failed:
        sys.exit("generate.py: failed, see above; nothing written")
    for rel, text in out.items():
        write(rel, text)
    print(f"{len(schemas)} events:", " ".join(schemas))


if __name__ == "__main__":
    main()
