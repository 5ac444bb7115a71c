#!/usr/bin/python3
"""The incremental scan is a full evaluation, proved on a random month.

Usage: watch-equiv.py CASEWATCH WORKDIR SEED PACK...

Builds a random case database, then walks through a simulated month (across
the clock change and Easter) in uneven steps. Between scans another writer
changes the database the way a case system does: new cases (some dated in
the future), contacts, risk changes, holds, closures, edits, deletions,
identified parties, events dated ahead or behind; and what schema version 2
added: parties with several roles (and their roles edited), `hate` events
and the hate column, `agreed` contact timescales (for the case or for one
party, and now and then one that does not read), and events dated before
the case was received (days before, or earlier the same day). At every
step the same database is scanned twice with `casewatch run --once --at T`: once into a
state database that is only ever scanned incrementally (as casewatchd does),
and once with --full into another. The two state databases must hold the
same cases, obligations, stages and outbox rows after every scan, and each
the counts of its obligations by rule and state that the metrics read.

Prints TAP lines; the calling shell script adds the plan.
"""
import collections
import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import zoneinfo

casewatch, work, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
packs = sys.argv[4:]
rng = random.Random(seed)
db_path = os.path.join(work, "cases.db")

ROLES = ["victim", "complainant", "witness", "perpetrator", "referrer"]
CHANNELS = ["phone", "letter", "email", "visit", "sms", "meeting"]
DETAILS = ["acknowledgement", "update", "sendback", None, "other"]
CATEGORIES = ["personal", "nuisance", "environmental", None]
OFFSETS = ["Z", "+01:00", "+00:00"]
# The configuration sets no time zone: casewatch's default.
LOCAL = zoneinfo.ZoneInfo("Europe/London")
# More roles of a party (parties.roles), by its role, in the spellings
# integrations write: with or without the party's own role, any separator.
EXTRA_ROLES = {
    "victim": ["complainant", "complainant", "victim, complainant", "victim;complainant", "witness",
               "complainant/witness"],
    "complainant": ["victim", "victim", "witness", "victim complainant"],
    "witness": ["referrer", "victim", "witness/victim", "complainant"],
    "perpetrator": ["complainant", "perpetrator, complainant"],  # a counter-complaint
    "referrer": ["witness", "referrer; witness", "complainant", "witness victim"],
}
# Agreed contact timescales as officers write them, of every form read.
AGREED = ["10 working days", "fortnightly", "2 weeks", "1 month", "weekly", "Every 10 Working Days",
          "daily", "a month", "every fortnight", "three weeks", "5 days", "2 calendar days", "36 hours",
          "every working day", "Monthly.", "one week"]
AGREED_BAD = ["as needed", None, "when convenient", "0 days"]


def ts(t):
    """An RFC 3339 text for datetime t (UTC), in one of several spellings."""
    off = rng.choice(OFFSETS)
    if off == "+01:00":
        return (t + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S") + off
    return t.strftime("%Y-%m-%dT%H:%M:%S") + off


def utc(text):
    """The naive UTC datetime of an RFC 3339 text from the database."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(
        dt.timezone.utc).replace(tzinfo=None)


def local_day(t):
    """The local date of datetime t (UTC)."""
    return t.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL).date()


def before_receipt(received, same_day=None):
    """A moment before `received`: days before, or earlier the same local
    day (a case logged in the case system after the first call)."""
    local = received.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    today = (received.replace(tzinfo=dt.timezone.utc).timestamp() - midnight.timestamp()) / 3600
    if same_day is None:
        same_day = rng.random() < 0.5
    if same_day and today > 0.05:
        # At least a second before: ts() drops the fraction.
        return received - dt.timedelta(hours=rng.uniform(0.0003, today - 0.0003))
    return received - dt.timedelta(hours=rng.uniform(26, 24 * 6))


def run(*args):
    p = subprocess.run([casewatch, *args], capture_output=True, text=True)
    if p.returncode != 0:
        print("# command failed: %s\n# %s" % (" ".join(args), p.stderr.replace("\n", "\n# ")))
        sys.exit(1)
    return p.stdout


def setup():
    run("db", "init", db_path)
    for name in ("inc", "full"):
        with open(os.path.join(work, name + ".conf"), "w") as f:
            f.write('database = "cases.db";\nstate = "%s.db";\n' % name)
            f.write('rules = [ %s ];\n' % ", ".join('"%s"' % p for p in packs))


class Writer:
    def __init__(self):
        self.db = sqlite3.connect(db_path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.n_refs = 0
        self.made = collections.Counter()  # what the month wrote, for the report
        c = self.db
        c.execute("BEGIN")
        c.execute("INSERT INTO teams (id, name, supervisor, manager_email) VALUES ('east', 'East', 'o1', 'm@x')")
        for i in range(1, 5):
            c.execute("INSERT INTO officers (id, name, email, team) VALUES (?, ?, ?, 'east')",
                      ("o%d" % i, "Officer %d" % i, "o%d@x" % i))
        c.execute("COMMIT")

    def new_case(self, now, ahead=False):
        self.n_refs += 1
        received = now - dt.timedelta(hours=rng.uniform(0, 24 * 20))
        if ahead:
            received = now + dt.timedelta(hours=rng.uniform(0.5, 30))
        stage = rng.choice(["enquiry", "enquiry", "case"])
        cur = self.db.execute(
            "INSERT INTO cases (ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'east', ?, ?)",
            ("R-%05d" % self.n_refs, stage, rng.choice(CATEGORIES), int(rng.random() < 0.2),
             int(rng.random() < 0.12), rng.choice(["standard", "standard", "medium", "high"]),
             "o%d" % rng.randint(1, 4),
             rng.choice([None, None, None, "10 working days", "5 working days", "weekly", "Every 2 Weeks"]),
             ts(received)))
        cid = cur.lastrowid
        for _ in range(rng.randint(0, 3)):
            self.new_party(cid, received, now)
        if stage == "case":
            accepted = received + dt.timedelta(hours=rng.uniform(0, 30))
            if rng.random() < 0.1:
                # Accepted before it was received: taken as at receipt.
                accepted = before_receipt(received)
            self.event(cid, accepted, "accepted", received=received)
        if rng.random() < 0.08:
            # The first call, logged as a case later that day.
            self.event(cid, before_receipt(received, same_day=True), "contact", None, rng.choice(CHANNELS),
                       rng.choice(DETAILS), received=received)
        return cid

    def extra_roles(self, role):
        """A value for parties.roles: other roles of a party of this role."""
        self.made["party with roles"] += 1
        return rng.choice(EXTRA_ROLES[role])

    def new_party(self, cid, received, now):
        ident = None
        r = rng.random()
        if r < 0.3:
            ident = ts(received + dt.timedelta(hours=rng.uniform(0, 24 * 10)))
        elif r < 0.4:
            ident = ts(now + dt.timedelta(hours=rng.uniform(0.2, 40)))  # identified ahead
        elif r < 0.45:
            ident = ts(before_receipt(received))  # known before: from receipt
        role = rng.choice(ROLES)
        self.db.execute("INSERT INTO parties (case_id, role, label, preferred_channel, identified_at, roles) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (cid, role, "Label %d" % rng.randint(1, 999), rng.choice([None] + CHANNELS), ident,
                         self.extra_roles(role) if rng.random() < 0.4 else None))

    def event(self, cid, at, kind, party=None, channel=None, detail=None, received=None):
        self.db.execute("INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        (cid, ts(at), kind, party, channel, detail))
        self.made[kind] += 1
        if received is not None and at < received:
            self.made["event earlier on the day of receipt" if local_day(at) == local_day(received)
                      else "event dated before receipt"] += 1

    def random_case(self):
        # Chosen here, not by SQLite's random(), so a seed replays exactly.
        ids = [r[0] for r in self.db.execute("SELECT id FROM cases ORDER BY id")]
        return rng.choice(ids) if ids else None

    def mutate(self, now):
        """Between one and a dozen changes, as a case system makes them."""
        c = self.db
        c.execute("BEGIN IMMEDIATE")
        for _ in range(rng.randint(0, 12)):
            op = rng.random()
            cid = self.random_case()
            if cid is None or op < 0.12:
                self.new_case(now, ahead=rng.random() < 0.15)
                continue
            received = utc(c.execute("SELECT received_at FROM cases WHERE id = ?", (cid,)).fetchone()[0])
            # Mostly now, sometimes backdated, sometimes ahead of time,
            # sometimes before the case was received (one of the two
            # dates is wrong: taken as at receipt).
            r = rng.random()
            when = now - dt.timedelta(minutes=rng.uniform(0, 90))
            if r < 0.1:
                when = now - dt.timedelta(hours=rng.uniform(2, 24 * 6))
            elif r < 0.2:
                when = now + dt.timedelta(hours=rng.uniform(0.1, 30))
            elif r < 0.26:
                when = before_receipt(received)
            parties = [p[0] for p in c.execute("SELECT id FROM parties WHERE case_id = ? ORDER BY id", (cid,))]
            if op < 0.48:
                self.event(cid, when, "contact", rng.choice(parties) if parties and rng.random() < 0.8 else None,
                           rng.choice(CHANNELS), rng.choice(DETAILS), received=received)
            elif op < 0.54:
                self.event(cid, when, "risk", detail=rng.choice(["standard", "medium", "high"]),
                           received=received)
            elif op < 0.585:
                self.event(cid, when, rng.choice(["hold", "resume"]), received=received)
            elif op < 0.645:
                self.event(cid, when, rng.choice(["accepted", "closed", "reopened", "not_accepted"]),
                           received=received)
            elif op < 0.67:
                self.event(cid, when, "serious", received=received)
            elif op < 0.69:
                self.event(cid, when, "hate", received=received)
            elif op < 0.75:
                # A contact timescale agreed from that day on, for one
                # party or the whole case, often on a call with them; now
                # and then one that does not read (the standard's own
                # applies from then).
                party = rng.choice(parties) if parties and rng.random() < 0.5 else None
                self.event(cid, when, "agreed", party,
                           detail=rng.choice(AGREED_BAD) if rng.random() < 0.1 else rng.choice(AGREED),
                           received=received)
                if rng.random() < 0.5:
                    self.event(cid, when, "contact", party or (rng.choice(parties) if parties else None),
                               rng.choice(CHANNELS), "update", received=received)
            elif op < 0.8:
                self.new_party(cid, received, now)
            elif op < 0.83:
                # The officer learns the victim reported it themselves, or
                # corrects a role.
                if parties:
                    pid = rng.choice(parties)
                    role = c.execute("SELECT role FROM parties WHERE id = ?", (pid,)).fetchone()[0]
                    c.execute("UPDATE parties SET roles = ? WHERE id = ?",
                              (self.extra_roles(role) if rng.random() < 0.75 else None, pid))
                    self.made["roles edited"] += 1
            elif op < 0.875:
                c.execute("UPDATE cases SET officer = ?, risk = ? WHERE id = ?",
                          ("o%d" % rng.randint(1, 4), rng.choice(["standard", "medium", "high"]), cid))
            elif op < 0.885:
                c.execute("UPDATE cases SET hate = 1 - hate WHERE id = ?", (cid,))
                self.made["hate column edited"] += 1
            elif op < 0.905:
                # The stage column closed with no closed event: closed as
                # of each moment, so what it cancels before a deadline is
                # overdue once the deadline passes, passing time alone.
                c.execute("UPDATE cases SET stage = 'closed' WHERE id = ?", (cid,))
                self.made["stage column closed"] += 1
            elif op < 0.925:
                ids = [r[0] for r in c.execute("SELECT id FROM events WHERE case_id = ? ORDER BY id", (cid,))]
                if ids:
                    c.execute("DELETE FROM events WHERE id = ?", (rng.choice(ids),))
            elif op < 0.935:
                c.execute("DELETE FROM cases WHERE id = ?", (cid,))
            elif op < 0.955:
                # A timescale that does not read: a problem line, and the
                # standard's own applies.
                c.execute("UPDATE cases SET agreed_contact = 'whenever' WHERE id = ?", (cid,))
            elif op < 0.975:
                c.execute("UPDATE cases SET agreed_contact = NULL WHERE id = ?", (cid,))
            else:
                c.execute("UPDATE cases SET agreed_contact = ? WHERE id = ?", (rng.choice(AGREED), cid))
        c.execute("COMMIT")


def snapshot(path):
    s = sqlite3.connect(path)
    out = {
        "cases": s.execute("SELECT * FROM cases ORDER BY case_id").fetchall(),
        "obligations": s.execute("SELECT * FROM obligations ORDER BY case_id, rule, party_id, cycle").fetchall(),
        "outbox": s.execute("SELECT case_id, rule, party_id, cycle, stage, recipient, urgent, created_at, reached_at, status "
                            "FROM outbox ORDER BY case_id, rule, party_id, cycle, stage, recipient").fetchall(),
        # The running counts the triggers keep (a full evaluation counts
        # again): the incremental database's must equal the full one's.
        "counts": s.execute("SELECT name, n FROM outbox_counts ORDER BY name").fetchall(),
        # The counts by rule and state the scans keep for the metrics (a
        # full evaluation counts them all, an incremental scan moves
        # them), and the obligations they count, counted here.
        "by_rule_kept": s.execute("SELECT rule, state, n FROM obligation_counts WHERE n <> 0 ORDER BY rule, state").fetchall(),
        "by_rule_true": s.execute("SELECT rule, state, count(*) FROM obligations GROUP BY rule, state ORDER BY rule, state").fetchall(),
    }
    s.close()
    return out


def main():
    setup()
    w = Writer()
    start = dt.datetime(2026, 3, 16, 7, 0, 0)
    w.db.execute("BEGIN")
    for _ in range(120):
        w.new_case(start)
    w.db.execute("COMMIT")

    t = start
    end = start + dt.timedelta(days=31)
    scans = inc_cases = full_cases = 0
    kinds = {}
    first_bad = None
    while t < end:
        at = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        out_i = run("-c", os.path.join(work, "inc.conf"), "run", "--once", "--at", at)
        run("-c", os.path.join(work, "full.conf"), "run", "--once", "--full", "--at", at)
        scans += 1
        first = out_i.split("\n")[0]
        # "scan at T: N cases evaluated (KIND), M changed"
        n = int(first.split(": ", 1)[1].split(" ")[0])
        kind = first.split("(", 1)[1].split(")")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
        inc_cases += n
        a, b = snapshot(os.path.join(work, "inc.db")), snapshot(os.path.join(work, "full.db"))
        kept_right = a["by_rule_kept"] == a["by_rule_true"] and b["by_rule_kept"] == b["by_rule_true"]
        if (a != b or not kept_right) and first_bad is None:
            first_bad = (at, a, b)
            break
        step = dt.timedelta(minutes=rng.choice([20, 45, 90, 180, 300, 420]))
        if t + step >= end:
            break  # the case database as the last scan saw it, for the figures below
        w.mutate(t)
        t += step
    full_cases = sum(1 for _ in sqlite3.connect(db_path).execute("SELECT id FROM cases")) * scans

    if first_bad:
        at, a, b = first_bad
        print("not ok 1 - incremental scans equal full evaluations (seed %d): differ at %s" % (seed, at))
        print("# obligation_counts equal to the obligations: incremental %s, full %s"
              % (a["by_rule_kept"] == a["by_rule_true"], b["by_rule_kept"] == b["by_rule_true"]))
        for table in ("cases", "obligations", "outbox", "counts", "by_rule_kept", "by_rule_true"):
            sa, sb = set(a[table]), set(b[table])
            for row in sorted(sa - sb, key=str)[:10]:
                print("# %s only incremental: %r" % (table, row))
            for row in sorted(sb - sa, key=str)[:10]:
                print("# %s only full:        %r" % (table, row))
    else:
        print("ok 1 - incremental scans equal full evaluations at all %d scans (seed %d)" % (scans, seed))
    final = snapshot(os.path.join(work, "full.db"))
    incremental = kinds.get("incremental", 0)
    print("# scans by kind: %s; cases evaluated incrementally %d, by full scans about %d"
          % (", ".join("%s %d" % kv for kv in sorted(kinds.items())), inc_cases, full_cases))
    # The proof means something only if both paths ran and the month
    # produced what the daemon exists for.
    ok = incremental >= scans // 2 and inc_cases * 4 < full_cases
    print("%s 2 - most scans were incremental (%d of %d) and evaluated a fraction of the cases"
          % ("ok" if ok else "not ok", incremental, scans))
    stages = {r[4] for r in final["outbox"]}
    ok = {"upcoming", "due", "overdue", "escalated"} <= stages
    print("%s 3 - the month queued every stage (%s; %d outbox rows)"
          % ("ok" if ok else "not ok", ", ".join(sorted(stages)), len(final["outbox"])))
    problems = sum(1 for r in final["cases"] if r[5] is not None)
    waking = sum(1 for r in final["cases"] if r[7] is not None)
    print("# at the end: %d cases kept, %d with problems, %d waiting on a wake-up"
          % (len(final["cases"]), problems, waking))
    print("# written: %s" % ", ".join("%s %d" % kv for kv in sorted(w.made.items())))
    # And only if what schema version 2 added came through to the
    # obligations: owed through a role of `roles`, owed for the hate flag
    # alone, cycles started under an agreed event, and the problem lines of
    # agreed timescales that do not read and of events dated before the day
    # of receipt. (Events earlier on the day of receipt are in the written
    # figures above: what casewatch says of them is not for this test.)
    s = sqlite3.connect(os.path.join(work, "full.db"))
    s.execute("ATTACH ? AS c", (db_path,))
    v2 = {
        "owed through roles": s.execute(
            "SELECT count(*) FROM obligations o JOIN c.parties p ON p.id = o.party_id "
            "WHERE o.party_role <> p.role").fetchone()[0],
        "owed for hate": s.execute(
            "SELECT count(*) FROM obligations o JOIN c.cases k ON k.id = o.case_id "
            "WHERE o.rule = 'serious-incident-call' AND k.serious = 0 "
            "AND NOT EXISTS (SELECT 1 FROM c.events e WHERE e.case_id = k.id AND e.kind = 'serious')").fetchone()[0],
    }
    # A cycle takes the timescale in force on the local date it starts:
    # count those started on or after an agreed event for them.
    agreed = collections.defaultdict(list)
    for cid, at, party, received in s.execute(
            "SELECT e.case_id, e.at, e.party_id, k.received_at FROM c.events e JOIN c.cases k ON k.id = e.case_id "
            "WHERE e.kind = 'agreed'"):
        when = max(utc(at), utc(received))  # before receipt: at receipt
        if when <= t:
            agreed[cid].append((local_day(when).isoformat(), party))
    v2["cycles under an agreed event"] = sum(
        1 for cid, party, start in s.execute("SELECT case_id, party_id, start FROM obligations "
                                             "WHERE rule = 'keep-informed'")
        if any(day <= start and p in (None, party) for day, p in agreed[cid]))
    s.close()
    for name, text in (("bad agreed", "an agreed event with no timescale"), ("bad agreed", "is not an agreed timescale"),
                       ("dated before receipt", "before the case was received on")):
        v2[name] = v2.get(name, 0) + sum(1 for r in final["cases"] if r[5] and text in r[5])
    ok = all(v2.values())
    print("%s 4 - the month exercised schema version 2 (%s)"
          % ("ok" if ok else "not ok", ", ".join("%s %d" % kv for kv in v2.items())))


main()
