#!/usr/bin/python3
"""Read a Prometheus textfile strictly, as the exposition format says.

Usage: prom-parse.py FILE

Each family is a HELP line, a TYPE line (counter or gauge) and its samples,
together, once; names and label names as the format allows them, label
values quoted with only \\\\, \\" and \\n escaped, values numbers, no
timestamps, no sample twice, a counter named NAME_total, and the file
ending in a line end. Prints each sample as NAME{LABEL="VALUE",...} VALUE,
in the file's order; exits 1 with the first fault otherwise.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(?:\{((?:%s=%s)(?:,%s=%s)*)\})? (\S+)$" % (NAME, LABEL, VALUE, LABEL, VALUE))
NUMBER = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def fail(lineno, why):
    print("%s:%d: %s" % (sys.argv[1], lineno, why), file=sys.stderr)
    sys.exit(1)


text = open(sys.argv[1], encoding="utf-8").read()
if not text.endswith("\n"):
    fail(text.count("\n") + 1, "the last line has no line end")
families, seen, out = set(), set(), []
family = typ = None
expect = "help"
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("# HELP "):
        m = re.match(r"^# HELP (%s) (\S.*)$" % NAME, line)
        if not m:
            fail(n, "a HELP line without a name and a text")
        if expect == "type" or expect == "sample":
            fail(n, "family %s has %s" % (family, "no TYPE" if expect == "type" else "no samples"))
        family = m.group(1)
        if family in families:
            fail(n, "family %s a second time" % family)
        families.add(family)
        expect = "type"
    elif line.startswith("# TYPE "):
        m = re.match(r"^# TYPE (%s) (counter|gauge)$" % NAME, line)
        if not m or m.group(1) != family or expect != "type":
            fail(n, "a TYPE line that is not the HELP line's family's, right after it")
        typ = m.group(2)
        if typ == "counter" and not family.endswith("_total"):
            fail(n, "counter %s not named NAME_total" % family)
        expect = "sample"
    elif line.startswith("#") or not line:
        fail(n, "a line that is neither HELP, TYPE nor a sample")
    else:
        m = SAMPLE.match(line)
        if not m:
            fail(n, "not a sample: %r" % line)
        if family is None or m.group(1) != family:
            fail(n, "sample of %s outside its family" % m.group(1))
        if not NUMBER.match(m.group(3)):
            fail(n, "value %r is not a number" % m.group(3))
        labels = m.group(2) or ""
        names = re.findall(r"(%s)=%s" % (LABEL, VALUE), labels)
        if len(set(names)) != len(names):
            fail(n, "a label twice")
        key = (m.group(1), labels)
        if key in seen:
            fail(n, "sample %s{%s} a second time" % key)
        seen.add(key)
        out.append(line)
        expect = "more"
if expect in ("type", "sample"):
    fail(n, "family %s has %s" % (family, "no TYPE" if expect == "type" else "no samples"))
print("\n".join(out))
