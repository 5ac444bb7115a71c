#!/usr/bin/python3
"""Check Teams webhook bodies: the Workflows message envelope around one
Adaptive Card, the card against the Adaptive Card JSON schema
(tests/data/adaptive-card/adaptive-card.json, with Debian's
python3-jsonschema), and the rules the schema leaves loose.

  card-check.py SCHEMA BODIES

BODIES holds one JSON body a line. Prints one line per problem,
"LINE: WHERE: what", then "N cards checked". The schema is applied to the
card as a whole and, since it checks only the first element of a list of
elements (its "items" is a one-element tuple), to every element and every
action on its own, wherever it is. Beyond the schema: each element and
action has a type the schema defines and only the properties the schema
gives that type; the card's version is a string and at most 1.4 (what
Teams' Workflows take); every TextBlock has a non-empty text and wraps;
every FactSet has facts, each a title and a value; every Action.OpenUrl
has an http or https url and a title; the only action is Action.OpenUrl.
Standard library and jsonschema only; run with /usr/bin/python3.
"""
import json
import sys

import jsonschema

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
ACTIONS = {"Action.OpenUrl"}


def main():
    schema_path, bodies = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        schema = json.load(f)
    defs = schema["definitions"]
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    whole = validator_class(schema)

    def sub(name):
        return validator_class({"$ref": "#/definitions/" + name, "definitions": defs})

    element_refs = [r["$ref"].rsplit("/", 1)[1] for r in defs["CardElements"]["items"][0]["anyOf"]]
    element_types = set(element_refs) | {"Column"}
    action_types = {r["$ref"].rsplit("/", 1)[1] for r in defs["Action"]["anyOf"]}
    common = set(defs["CardElement"]["properties"])
    card_keys = set(schema["properties"]) | set(defs["AdaptiveCard"]["properties"]) | {"$schema"}
    validators = {t: sub(t) for t in element_types | action_types}

    problems = []
    count = 0

    def say(line, where, what):
        problems.append("%d: %s: %s" % (line, where, what))

    def keys_of(name, is_action):
        d = defs[name]
        keys = set(d.get("properties", {}))
        if not is_action:
            keys |= common
        return keys

    def check_action(line, where, a):
        if not isinstance(a, dict) or a.get("type") not in action_types:
            say(line, where, "not an action the schema knows: %s" % json.dumps(a)[:80])
            return
        for e in validators[a["type"]].iter_errors(a):
            say(line, where, "schema: %s" % e.message)
        extra = sorted(set(a) - keys_of(a["type"], True))
        if extra:
            say(line, where, "properties the schema does not give %s: %s" % (a["type"], ", ".join(extra)))
        if a["type"] not in ACTIONS:
            say(line, where, "%s: not an action casewatch's cards use" % a["type"])
        if a["type"] == "Action.OpenUrl":
            url = a.get("url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                say(line, where, "Action.OpenUrl without an http or https url")
            if not isinstance(a.get("title"), str) or not a["title"]:
                say(line, where, "Action.OpenUrl without a title")

    def check_element(line, where, el):
        if not isinstance(el, dict) or el.get("type") not in element_types:
            say(line, where, "not an element the schema knows: %s" % json.dumps(el)[:80])
            return
        t = el["type"]
        for e in validators[t].iter_errors(el):
            say(line, where, "schema: %s" % e.message)
        extra = sorted(set(el) - keys_of(t, False))
        if extra:
            say(line, where, "properties the schema does not give %s: %s" % (t, ", ".join(extra)))
        if t == "TextBlock":
            if not isinstance(el.get("text"), str) or not el["text"].strip():
                say(line, where, "TextBlock without text")
            if el.get("wrap") is not True:
                say(line, where, "TextBlock that does not wrap")
        if t == "FactSet":
            facts = el.get("facts")
            if not isinstance(facts, list) or not facts:
                say(line, where, "FactSet without facts")
            else:
                for i, f in enumerate(facts):
                    if (not isinstance(f, dict) or set(f) != {"title", "value"}
                            or not all(isinstance(f[k], str) and f[k] for k in f)):
                        say(line, "%s.facts[%d]" % (where, i), "a fact is a title and a value: %s"
                            % json.dumps(f)[:80])
        if "selectAction" in el:
            check_action(line, where + ".selectAction", el["selectAction"])
        for key in ("items", "columns"):
            if key in el:
                kids = el[key]
                if not isinstance(kids, list):
                    say(line, where, "%s is not a list" % key)
                    continue
                for i, kid in enumerate(kids):
                    check_element(line, "%s.%s[%d]" % (where, key, i), kid)

    with open(bodies) as f:
        for line, text in enumerate(f, 1):
            count += 1
            try:
                body = json.loads(text)
            except ValueError as e:
                say(line, "body", "not JSON: %s" % e)
                continue
            if not isinstance(body, dict) or set(body) != {"type", "attachments"}:
                say(line, "body", "not {type, attachments}: %s" % json.dumps(body)[:80])
                continue
            if body["type"] != "message":
                say(line, "type", "not \"message\"")
            atts = body["attachments"]
            if not isinstance(atts, list) or len(atts) != 1:
                say(line, "attachments", "not one attachment")
                continue
            att = atts[0]
            if not isinstance(att, dict) or set(att) != {"contentType", "contentUrl", "content"}:
                say(line, "attachments[0]", "not {contentType, contentUrl, content}")
                continue
            if att["contentType"] != CONTENT_TYPE:
                say(line, "contentType", "not %s" % CONTENT_TYPE)
            if att["contentUrl"] is not None:
                say(line, "contentUrl", "not null")
            card = att["content"]
            if not isinstance(card, dict):
                say(line, "content", "not an object")
                continue
            for e in whole.iter_errors(card):
                say(line, "content", "schema: %s" % e.message)
            if card.get("type") != "AdaptiveCard":
                say(line, "content.type", "not AdaptiveCard")
            if card.get("$schema") != "http://adaptivecards.io/schemas/adaptive-card.json":
                say(line, "content.$schema", "not the Adaptive Card schema's URL")
            version = card.get("version")
            if not isinstance(version, str):
                say(line, "content.version", "not a string")
            else:
                try:
                    major, minor = (int(x) for x in version.split("."))
                    if (major, minor) > (1, 4):
                        say(line, "content.version", "%s: later than Workflows take (1.4)" % version)
                except ValueError:
                    say(line, "content.version", "%r: not MAJOR.MINOR" % version)
            extra = sorted(set(card) - card_keys)
            if extra:
                say(line, "content", "properties the schema does not give a card: %s" % ", ".join(extra))
            elements = card.get("body")
            if not isinstance(elements, list) or not elements:
                say(line, "content.body", "no elements")
            else:
                for i, el in enumerate(elements):
                    check_element(line, "body[%d]" % i, el)
            actions = card.get("actions", [])
            if not isinstance(actions, list):
                say(line, "content.actions", "not a list")
            else:
                for i, a in enumerate(actions):
                    check_action(line, "actions[%d]" % i, a)

    for p in problems:
        print(p)
    print("%d card%s checked" % (count, "" if count == 1 else "s"))


if __name__ == "__main__":
    main()
