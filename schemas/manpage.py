#!/usr/bin/env python3
"""Writes man/ekahook-events.7.in, the list of shipped events, from schemas/.

Run from the project root after schemas/generate.py (its output is committed):

    python3 schemas/manpage.py

For each event it lists the required fields and the hook's EKA_ variables,
named by the rule of ekahook(8) "The hook": the field's path with a leading
"data" dropped, "_" between segments, upper-cased, every byte outside A-Z0-9
made "_".  A variable a hook can rely on is one whose field and every object
above it are required; the others are set when the event has the field.
"""
import glob, json, os, re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALARS = {"string", "integer", "number", "boolean", "null"}


def types(node):
    t = node.get("type", [])
    return [t] if isinstance(t, str) else list(t)


def var(path):
    if path and path[0] == "data":
        path = path[1:]
    return "EKA_" + re.sub(r"[^A-Z0-9]", "_", "_".join(path).upper())


def walk(node, path, sure, out):
    """(variable, sure) for every scalar field and array of scalars."""
    req = set(node.get("required", []))
    for k, v in node.get("properties", {}).items():
        p, s = path + [k], sure and k in req
        t = types(v)
        if "object" in t and "properties" not in v:
            out.append((var(p) + "_<KEY>", False))  # free keys: partner_meta
        elif "object" in t:
            walk(v, p, s, out)
        elif "array" in t:
            if set(types(v.get("items", {}))) <= SCALARS:
                out.append((var(p), s))
        elif set(t) & SCALARS:
            out.append((var(p), s))
    return out


def required(node, path=()):
    for k in node.get("required", []):
        yield ".".join(path + (k,))
    for k, v in node.get("properties", {}).items():
        if k in node.get("required", []):
            yield from required(v, path + (k,))


def main():
    out = [r'''.\" SPDX-License-Identifier: MIT
.\" Written by schemas/manpage.py from schemas/*.json: edit those, then run it.
.Dd December 5, 2026
.Dt EKAHOOK-EVENTS 7
.Os ekahook @VERSION@
.Sh NAME
.Nm ekahook-events
.Nd the Eka Care webhook events ekahook knows, and what their hooks get
.Sh DESCRIPTION
.Xr ekahook 8
ships a schema for every webhook event of Eka Care's webhook reference, in
.Pa @pkgdatadir@/schemas/ Ns Ar event Ns Pa .json ,
derived from its required fields and types.
An event is held to its schema under
.Cm validation No = Li strict ;
under
.Li relaxed
only its name and
.Li data
are required and the types of the fields present are checked.
A schema in the
.Cm schema_dir
of
.Xr ekahook.conf 5
replaces the shipped one of the same name, and a new file there gives a new
event its schema; an event without any is judged by
.Cm unknown_events .
.Pp
For each event below:
.Sy required ,
the fields a strict event must have;
.Sy hook ,
the
.Ev EKA_
variables its hook can rely on (their fields are required), then, after
.Sy also ,
those set when the event has the field.
.Ev EKA_ Ns Ar NAME Ns Ev _<KEY>
stands for one variable per key of an object whose keys are the sender's
(such as
.Li partner_meta ) .
Every hook also gets
.Ev EKAHOOK_REQUEST_ID , EKAHOOK_RECEIVED_AT , EKAHOOK_ATTEMPT
and
.Ev EKAHOOK_LOG_FILE .
.Bl -tag -width Ds''']
    for f in sorted(glob.glob(os.path.join(ROOT, "schemas", "*.json"))):
        name = os.path.basename(f)[:-5]
        s = json.load(open(f))
        vs = walk(s, [], True, [])
        sure = [v for v, ok in vs if ok]
        maybe = [v for v, ok in vs if not ok]
        out.append(f".It Li {name}")
        out.append(".Sy required :")
        out.append(", ".join(required(s)) or "nothing but the name")
        out.append(".br")
        out.append(".Sy hook :")
        out.append(" ".join(sure) or "(none sure)")
        if maybe:
            out.append(".br")
            out.append(".Sy also :")
            out.append(" ".join(maybe))
    out.append(".El")
    out.append(r'''.Sh SEE ALSO
.Xr ekahookctl 1 ,
.Xr ekahook.conf 5 ,
.Xr ekahook 8''')
    with open(os.path.join(ROOT, "man", "ekahook-events.7.in"), "w") as fp:
        fp.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
