# The fixture of the report's tests (cli-report.sh, report-html.sh): a
# rule pack of a deadline, a gate, an interval target, a unit rule and a
# satisfaction target, and a case database of eight cases in two teams,
# in $T; $conf is the configuration, $db the database and $range the
# report's options.
#
# Every figure below was worked out by hand from casewatch(1) (report),
# casewatch-rules(5) and DESIGN.md section 2; none was taken from what the
# program prints. October and November 2026 have no bank holiday in
# England and Wales; British Summer Time ends on Sunday 25 October, and
# every event is at 10:00Z, which is the same local date either side.
#
#     October 2026            November 2026
#     Mo Tu We Th Fr Sa Su    Mo Tu We Th Fr Sa Su
#               1  2  3  4                       1
#      5  6  7  8  9 10 11     2  3  4  5  6  7  8
#     12 13 14 15 16 17 18     9 10 11 12 13 14 15
#     19 20 21 22 23 24 25    16 17 18 19 20 21 22
#     26 27 28 29 30 31       23 24 25 26 27 28 29
#                             30
#
# The report is at Friday 20 November 2026, 12:00 (--at 2026-11-20).
# Obligations count in the month of their deadline (a gate's, which has
# none, in that of the day it was met or breached); due = met + met late +
# overdue + pending; on time = met / (met + met late + overdue); working
# days from the start (day 0) to the meeting's date, median and 90th
# percentile interpolated as PERCENTILE.INC: of sorted v[0..n-1], rank
# h = (n - 1) p, v[floor h] + (h - floor h)(v[floor h + 1] - v[floor h]).
db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
cat >"$T/pack.conf" <<'PACK'
pack = "report-test";
rules = (
	{ id = "ack"; title = "Acknowledge \"promptly\", within 3 working days"; kind = "deadline";
	  within = "3 working days"; met_by = { kind = "contact"; }; },
	{ id = "sendback"; title = "Sendback letter before the case is closed"; kind = "gate";
	  when = { category = "nuisance"; }; before = "closed";
	  met_by = { kind = "contact"; channel = "letter"; detail = "sendback"; }; },
	{ id = "update"; title = "Updated within 14 days on average"; kind = "target"; measure = "interval";
	  when = { category = "personal"; stage = [ "enquiry", "case" ]; }; every = "14 days";
	  met_by = { kind = "contact"; detail = "update"; }; },
	{ id = "jag"; title = "A JAG meeting every month"; kind = "unit"; meeting = "jag"; every = "1 month"; },
	{ id = "satisfaction"; title = "75% satisfied"; kind = "target"; measure = "satisfaction"; goal = "75%"; }
);
PACK
conf="$T/c.conf"
printf 'database = "cases.db";\nrules = [ "pack.conf" ];\n' >"$conf"

# Two teams: north (ann, bob), south (cat; dan, who has no case).
#
# ack (3 working days from receipt, any contact), by deadline:
#   C1 north/ann  Thu 1 Oct, due Tue 6; letter Fri 2: met, 1 working day.
#   C2 north/bob  Mon 5 Oct, due Thu 8; letter Mon 12: met late, 5 (6 7 8 9 12).
#   C3 south/cat  Tue 13 Oct, due Fri 16; nothing: overdue.
#   C8 south/cat  Tue 20 Oct, due Fri 23; letter Thu 22: met, 2.
#   C4 south/cat  Mon 2 Nov, due Thu 5; email Wed 4: met, 2.
#   C5 north/ann  Tue 10 Nov, due Fri 13, on hold from Wed 11 and still:
#                 8 working days on hold (11 to 20) move it to Wed 25:
#                 paused, November.
#   C6 south/cat  Thu 19 Nov, due Tue 24: pending.
#   C7 north/bob  Mon 16 Nov, due Thu 19; closed Tue 17: cancelled.
# October: due 4 (C1 C8 met, C2 late, C3 overdue), on time 2/4 = 50.0%;
#   days 1 2 5: median 2.0, p90 h = 1.8: 2 + 0.8 x 3 = 4.4.
#   north: C1 C2, 50.0%, days 1 5: median 3.0, p90 h = 0.9: 1 + 0.9 x 4 = 4.6.
#   south: C3 C8, 50.0%, days 2. ann: C1. bob: C2. cat: C3 C8.
# November: due 2 (C4 met, C6 pending), 1/1 = 100.0%, days 2; C7
#   cancelled, C5 paused, neither due. north: nothing due, C5 and C7.
# Total: due 6, met 3, late 1, overdue 1, pending 1; 3/5 = 60.0%; days
#   1 2 2 5: median h = 1.5: 2.0; p90 h = 2.7: 2 + 0.7 x 3 = 4.1.
#
# sendback (a gate of the nuisance cases, C7 and C8):
#   C8: the sendback letter Thu 22 Oct came before the closure on Fri 23:
#       met, counted on the 22nd, 2 working days from receipt on the 20th.
#   C7: closed Tue 17 Nov with no letter: breached (overdue), counted on
#       the 17th.
#
# update (every 14 days from receipt, personal cases C1 and C3; an
# interval target, so also obligations):
#   C1 #1 from Thu 1 Oct, due Thu 15; update Mon 12: met, 7 working days
#         (2 5 6 7 8 9 12); an interval of 11 days, ending 12 Oct.
#   C1 #2 from Mon 12 Oct, due Mon 26; update Thu 29: late, 13 working
#         days (13-16 19-23 26-29); 17 days, ending 29 Oct.
#   C1 #3 from Thu 29 Oct, due Thu 12 Nov: overdue; still waiting: 22
#         days to the 20th.
#   C3 #1 from Tue 13 Oct, due Tue 27: overdue (October); still waiting:
#         38 days to 20 Nov.
# Obligations: October due 3 (met, late, overdue), 33.3%, days 7 13:
#   median 10.0, p90 h = 0.9: 7 + 0.9 x 6 = 12.4; November C1 #3 overdue.
# Figure, by the day each interval ends: October (11 + 17) / 2 = 14.0,
#   at most 14: met; November (22 + 38) / 2 = 30.0, 2 waiting: not met;
#   all 88 / 4 = 22.0: not met.
#
# jag: one meeting, Thu 8 Oct; owed from October (the first case): October
# met; November, the current month, has not had one yet: open, not owed.
#
# satisfaction (75%): C1 20 Oct yes, C2 21 Oct no, C8 23 Oct yes: 2 of 3,
# 66.7%, not met; C4 10 Nov yes: 100.0%, met; C6's answer of 25 Nov is
# after the moment. Both months: 3 of 4, 75.0%: met.
sqlite3 -bail -batch "$db" <<'SQL'
INSERT INTO teams (id, name) VALUES ('north', 'North'), ('south', 'South');
INSERT INTO officers (id, name, team) VALUES ('ann', 'Ann', 'north'), ('bob', 'Bob', 'north'),
	('cat', 'Cat', 'south'), ('dan', 'Dan', 'south');
INSERT INTO cases (id, ref, stage, category, officer, team, received_at) VALUES
	(1, 'C1', 'enquiry', 'personal', 'ann', 'north', '2026-10-01T10:00:00Z'),
	(2, 'C2', 'enquiry', NULL, 'bob', 'north', '2026-10-05T10:00:00Z'),
	(3, 'C3', 'enquiry', 'personal', 'cat', 'south', '2026-10-13T10:00:00Z'),
	(4, 'C4', 'enquiry', NULL, 'cat', 'south', '2026-11-02T10:00:00Z'),
	(5, 'C5', 'enquiry', NULL, 'ann', 'north', '2026-11-10T10:00:00Z'),
	(6, 'C6', 'enquiry', NULL, 'cat', 'south', '2026-11-19T10:00:00Z'),
	(7, 'C7', 'closed', 'nuisance', 'bob', 'north', '2026-11-16T10:00:00Z'),
	(8, 'C8', 'closed', 'nuisance', 'cat', 'south', '2026-10-20T10:00:00Z');
INSERT INTO events (case_id, at, kind, channel, detail) VALUES
	(1, '2026-10-02T10:00:00Z', 'contact', 'letter', 'acknowledgement'),
	(1, '2026-10-12T10:00:00Z', 'contact', 'phone', 'update'),
	(1, '2026-10-29T10:00:00Z', 'contact', 'phone', 'update'),
	(2, '2026-10-12T10:00:00Z', 'contact', 'letter', 'acknowledgement'),
	(4, '2026-11-04T10:00:00Z', 'contact', 'email', 'acknowledgement'),
	(5, '2026-11-11T10:00:00Z', 'hold', NULL, NULL),
	(7, '2026-11-17T10:00:00Z', 'closed', NULL, NULL),
	(8, '2026-10-22T10:00:00Z', 'contact', 'letter', 'sendback'),
	(8, '2026-10-23T10:00:00Z', 'closed', NULL, NULL);
INSERT INTO meetings (kind, held_on, team) VALUES ('jag', '2026-10-08', NULL);
INSERT INTO surveys (case_id, at, satisfied) VALUES
	(1, '2026-10-20T10:00:00Z', 1), (2, '2026-10-21T10:00:00Z', 0), (8, '2026-10-23T10:00:00Z', 1),
	(4, '2026-11-10T10:00:00Z', 1), (6, '2026-11-25T10:00:00Z', 0);
SQL

range="--at 2026-11-20 --from 2026-10-01 --to 2026-11-30"
