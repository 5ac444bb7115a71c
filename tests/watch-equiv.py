#!/usr/bin/python3
"""The incremental scan is a full evaluation, proved on a random month.

Usage: watch-equiv.py CASEWATCH WORKDIR SEED PACK...

Builds a random case database, then walks through a simulated month (across
the clock change and Easter) in uneven steps. Between scans another writer
changes the database the way a case system does: new cases (some dated in
the future), contacts, risk changes, holds, closures, edits, deletions,
identified parties, events dated ahead or behind. At every step the same
database is scanned twice with `casewatch run --once --at T`: once into a
state database that is only ever scanned incrementally (as casewatchd does),
and once with --full into another. The two state databases must hold the
same cases, obligations, stages and outbox rows after every scan.

Prints TAP lines; the calling shell script adds the plan.
"""
import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys

casewatch, work, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
packs = sys.argv[4:]
rng = random.Random(seed)
db_path = os.path.join(work, "cases.db")

ROLES = ["victim", "complainant", "witness", "perpetrator", "referrer"]
CHANNELS = ["phone", "letter", "email", "visit", "sms", "meeting"]
DETAILS = ["acknowledgement", "update", "sendback", None, "other"]
CATEGORIES = ["personal", "nuisance", "environmental", None]
OFFSETS = ["Z", "+01:00", "+00:00"]


def ts(t):
    """An RFC 3339 text for datetime t (UTC), in one of several spellings."""
    off = rng.choice(OFFSETS)
    if off == "+01:00":
        return (t + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S") + off
    return t.strftime("%Y-%m-%dT%H:%M:%S") + off


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
             int(rng.random() < 0.1), rng.choice(["standard", "standard", "medium", "high"]),
             "o%d" % rng.randint(1, 4), rng.choice([None, None, "10 working days", "5 working days"]),
             ts(received)))
        cid = cur.lastrowid
        for _ in range(rng.randint(0, 3)):
            self.new_party(cid, received, now)
        if stage == "case":
            self.event(cid, received + dt.timedelta(hours=rng.uniform(0, 30)), "accepted")
        return cid

    def new_party(self, cid, received, now):
        ident = None
        r = rng.random()
        if r < 0.3:
            ident = ts(received + dt.timedelta(hours=rng.uniform(0, 24 * 10)))
        elif r < 0.4:
            ident = ts(now + dt.timedelta(hours=rng.uniform(0.2, 40)))  # identified ahead
        self.db.execute("INSERT INTO parties (case_id, role, label, preferred_channel, identified_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (cid, rng.choice(ROLES), "Label %d" % rng.randint(1, 999),
                         rng.choice([None] + CHANNELS), ident))

    def event(self, cid, at, kind, party=None, channel=None, detail=None):
        self.db.execute("INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        (cid, ts(at), kind, party, channel, detail))

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
            # Mostly now, sometimes backdated, sometimes ahead of time.
            r = rng.random()
            when = now - dt.timedelta(minutes=rng.uniform(0, 90))
            if r < 0.1:
                when = now - dt.timedelta(hours=rng.uniform(2, 24 * 6))
            elif r < 0.2:
                when = now + dt.timedelta(hours=rng.uniform(0.1, 30))
            parties = [p[0] for p in c.execute("SELECT id FROM parties WHERE case_id = ? ORDER BY id", (cid,))]
            if op < 0.55:
                self.event(cid, when, "contact", rng.choice(parties) if parties and rng.random() < 0.8 else None,
                           rng.choice(CHANNELS), rng.choice(DETAILS))
            elif op < 0.62:
                self.event(cid, when, "risk", detail=rng.choice(["standard", "medium", "high"]))
            elif op < 0.67:
                self.event(cid, when, rng.choice(["hold", "resume"]))
            elif op < 0.74:
                self.event(cid, when, rng.choice(["accepted", "closed", "reopened", "not_accepted"]))
            elif op < 0.77:
                self.event(cid, when, "serious")
            elif op < 0.83:
                received = c.execute("SELECT received_at FROM cases WHERE id = ?", (cid,)).fetchone()[0]
                self.new_party(cid, dt.datetime.fromisoformat(received.replace("Z", "+00:00")).astimezone(
                    dt.timezone.utc).replace(tzinfo=None), now)
            elif op < 0.89:
                c.execute("UPDATE cases SET officer = ?, risk = ? WHERE id = ?",
                          ("o%d" % rng.randint(1, 4), rng.choice(["standard", "medium", "high"]), cid))
            elif op < 0.93:
                ids = [r[0] for r in c.execute("SELECT id FROM events WHERE case_id = ? ORDER BY id", (cid,))]
                if ids:
                    c.execute("DELETE FROM events WHERE id = ?", (rng.choice(ids),))
            elif op < 0.95:
                c.execute("DELETE FROM cases WHERE id = ?", (cid,))
            elif op < 0.97:
                # A bad row: the case is reported and skipped until fixed.
                c.execute("UPDATE cases SET agreed_contact = 'whenever' WHERE id = ?", (cid,))
            else:
                c.execute("UPDATE cases SET agreed_contact = NULL WHERE id = ?", (cid,))
        c.execute("COMMIT")


def snapshot(path):
    s = sqlite3.connect(path)
    out = {
        "cases": s.execute("SELECT * FROM cases ORDER BY case_id").fetchall(),
        "obligations": s.execute("SELECT * FROM obligations ORDER BY case_id, rule, party_id, cycle").fetchall(),
        "outbox": s.execute("SELECT case_id, rule, party_id, cycle, stage, recipient, urgent, created_at, status "
                            "FROM outbox ORDER BY case_id, rule, party_id, cycle, stage, recipient").fetchall(),
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
        if a != b and first_bad is None:
            first_bad = (at, a, b)
            break
        w.mutate(t)
        t += dt.timedelta(minutes=rng.choice([20, 45, 90, 180, 300, 420]))
    full_cases = sum(1 for _ in sqlite3.connect(db_path).execute("SELECT id FROM cases")) * scans

    if first_bad:
        at, a, b = first_bad
        print("not ok 1 - incremental scans equal full evaluations (seed %d): differ at %s" % (seed, at))
        for table in ("cases", "obligations", "outbox"):
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


main()
