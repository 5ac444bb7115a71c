#!/bin/sh
# The Leeds ASBU pack (rules/leeds-asbu.conf), rule by rule, through the real
# case database and the real `casewatch status --json`.
#
# Every expected date below was worked out by hand from casewatch-rules(5)
# and DESIGN.md section 2, with the England and Wales bank holidays of 2026
# (Jan 1, Apr 3, Apr 6, May 4, May 25, Aug 31, Dec 25, Dec 28); the
# arithmetic is in the comment above each scenario. British Summer Time in
# 2026 runs from Sunday 29 March to Sunday 25 October (local = UTC + 1).
# Nothing here is derived from casewatch's own output.
#
# Reminders used throughout (from the man page):
# - "within N working days": the anchor's LOCAL date is day 0, the deadline
#   is the Nth working day after it; met when the meeting event's local date
#   is on or before it; overdue from 00:00 local the day after.
# - with from = [ a, b ] the clock starts at the latest of them.
# - hold: each working day from the hold's date up to (not including) the
#   resume's date, or up to and including the evaluation date while the hold
#   is open, moves the deadline one working day later.
# - `--at YYYY-MM-DD` means 12:00 local that day; later events are ignored.
#
# Each scenario is one case (or two) inserted just before its tests; each
# test runs `status --json --at TIME REF` and compares the rule's
# obligations, one line each:
#   CASE RULE PARTY CYCLE START DUE STATE MET_AT    ("-" for null)
. "${top_srcdir:-.}/tests/lib.sh"

. "$top_srcdir/tests/cases-lib.sh"
cases_setup leeds-asbu

#######################################################################
# serious-incident-call: a phone call within 1 working day of receipt, for
# a serious case (when serious = true; from received; any party).
#######################################################################

# Received Monday 2 March 2026 10:00 GMT: day 0 is Mon 2, the 1st working
# day after is Tue 3 March. A phone call on Tue 3 at 09:30 meets it.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (1, 'SIC-ONTIME', 'enquiry', 1, '2026-03-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (11, 1, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (1, '2026-03-03T09:30:00Z', 'contact', 11, 'phone', 'update');
SQL
expect "serious-incident-call: pending on the day of receipt, the call not made yet" 2026-03-02T15:00:00Z SIC-ONTIME serious-incident-call \
"SIC-ONTIME serious-incident-call - 1 2026-03-02 2026-03-03 pending -"
expect "serious-incident-call: phone call the next working day is met" 2026-03-10 SIC-ONTIME serious-incident-call \
"SIC-ONTIME serious-incident-call - 1 2026-03-02 2026-03-03 met 2026-03-03T09:30:00Z"

# Received Thursday 5 March 14:00: due Friday 6 March. The call on Monday 9
# March is late.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (2, 'SIC-LATE', 'enquiry', 1, '2026-03-05T14:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (21, 2, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (2, '2026-03-09T10:00:00Z', 'contact', 21, 'phone', 'update');
SQL
expect "serious-incident-call: phone call after the working day is met_late" 2026-03-10 SIC-LATE serious-incident-call \
"SIC-LATE serious-incident-call - 1 2026-03-05 2026-03-06 met_late 2026-03-09T10:00:00Z"

# Received Friday 6 March 16:00: Sat and Sun are not working days, due
# Monday 9 March. An email on Monday is not a phone call. Pending at noon on
# Monday 9, overdue from 00:00 on Tuesday 10.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (3, 'SIC-OVERDUE', 'enquiry', 1, '2026-03-06T16:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (31, 3, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (3, '2026-03-09T10:00:00Z', 'contact', 31, 'email', 'update');
SQL
expect "serious-incident-call: Friday receipt still pending on Monday, an email does not count" 2026-03-09 SIC-OVERDUE serious-incident-call \
"SIC-OVERDUE serious-incident-call - 1 2026-03-06 2026-03-09 pending -"
expect "serious-incident-call: no phone call by the deadline is overdue" 2026-03-10 SIC-OVERDUE serious-incident-call \
"SIC-OVERDUE serious-incident-call - 1 2026-03-06 2026-03-09 overdue -"

# Received Monday 9 March 09:00, due Tuesday 10; the enquiry is closed on
# Monday 9 at 15:00, before the deadline and before any call: cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (4, 'SIC-CLOSED', 'closed', 1, '2026-03-09T09:00:00Z');
INSERT INTO events (case_id, at, kind) VALUES (4, '2026-03-09T15:00:00Z', 'closed');
SQL
expect "serious-incident-call: closed before the deadline is cancelled" 2026-03-12 SIC-CLOSED serious-incident-call \
"SIC-CLOSED serious-incident-call - 1 2026-03-09 2026-03-10 cancelled -"

# Received Saturday 14 March 11:00: day 0 is the Saturday itself, the 1st
# working day after it is Monday 16 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (5, 'SIC-SAT', 'enquiry', 1, '2026-03-14T11:00:00Z');
INSERT INTO events (case_id, at, kind, channel) VALUES (5, '2026-03-16T08:00:00Z', 'contact', 'phone');
SQL
expect "serious-incident-call: Saturday receipt is due Monday (an event with no party counts)" 2026-03-17 SIC-SAT serious-incident-call \
"SIC-SAT serious-incident-call - 1 2026-03-14 2026-03-16 met 2026-03-16T08:00:00Z"

# Received Thursday 2 April 15:00 BST (14:00Z). Fri 3 April is Good Friday,
# Sat 4 and Sun 5 the weekend, Mon 6 April Easter Monday: the 1st working
# day after Thu 2 is Tuesday 7 April. Still pending at noon on Easter
# Monday; the call on Tue 7 at 09:00 BST (08:00Z) is on time and is shown in
# local time.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (6, 'SIC-EASTER', 'enquiry', 1, '2026-04-02T14:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (61, 6, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (6, '2026-04-07T08:00:00Z', 'contact', 61, 'phone', 'update');
SQL
expect "serious-incident-call: Easter Monday is not the deadline (pending)" 2026-04-06 SIC-EASTER serious-incident-call \
"SIC-EASTER serious-incident-call - 1 2026-04-02 2026-04-07 pending -"
expect "serious-incident-call: Thursday before Easter is due the Tuesday after" 2026-04-10 SIC-EASTER serious-incident-call \
"SIC-EASTER serious-incident-call - 1 2026-04-02 2026-04-07 met 2026-04-07T09:00:00+01:00"

# Received 2026-06-04T23:30Z, a Thursday in UTC but 00:30 BST on Friday 5
# June locally: day 0 is Fri 5 June, due Monday 8 June (counted from the UTC
# date it would be due Fri 5 and the Monday call would be late).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (7, 'SIC-MIDNIGHT', 'enquiry', 1, '2026-06-04T23:30:00Z');
INSERT INTO parties (id, case_id, role) VALUES (71, 7, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (7, '2026-06-08T08:00:00Z', 'contact', 71, 'phone', 'update');
SQL
expect "serious-incident-call: 23:30Z in summer is received the next local day" 2026-06-09 SIC-MIDNIGHT serious-incident-call \
"SIC-MIDNIGHT serious-incident-call - 1 2026-06-05 2026-06-08 met 2026-06-08T09:00:00+01:00"

# Received Monday 15 June, due Tuesday 16 June. The call at
# 2026-06-16T23:15Z is 00:15 BST on Wednesday 17 June locally: late.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (8, 'SIC-LATECALL', 'enquiry', 1, '2026-06-15T10:00:00+01:00');
INSERT INTO parties (id, case_id, role) VALUES (81, 8, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (8, '2026-06-16T23:15:00Z', 'contact', 81, 'phone', 'update');
SQL
expect "serious-incident-call: a call at 23:15Z in summer falls on the next local day (met_late)" 2026-06-18 SIC-LATECALL serious-incident-call \
"SIC-LATECALL serious-incident-call - 1 2026-06-15 2026-06-16 met_late 2026-06-17T00:15:00+01:00"

# Received Monday 16 March, flagged serious by a `serious` event on
# Wednesday 18 March 11:00: the filter first holds then, so the clock starts
# on Wed 18 (the phone call on Mon 16 is before the clock started and does
# not count) and the deadline is Thursday 19 March. Before the flag there is
# no obligation at all.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (9, 'SIC-FLAGGED', 'enquiry', 1, '2026-03-16T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (91, 9, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(9, '2026-03-16T12:00:00Z', 'contact', 91, 'phone', 'acknowledgement'),
	(9, '2026-03-18T11:00:00Z', 'serious', NULL, NULL, NULL),
	(9, '2026-03-19T10:00:00Z', 'contact', 91, 'phone', 'update');
SQL
expect "serious-incident-call: no obligation before the case is flagged serious" 2026-03-17 SIC-FLAGGED serious-incident-call ""
expect "serious-incident-call: flagged serious after receipt counts from the flag" 2026-03-20 SIC-FLAGGED serious-incident-call \
"SIC-FLAGGED serious-incident-call - 1 2026-03-18 2026-03-19 met 2026-03-19T10:00:00Z"

#######################################################################
# acknowledge-enquiry: an acknowledgement (letter, phone or email) to the
# complainant or referrer within 3 working days of receipt.
#######################################################################

# Received Monday 12 January 2026: Tue 13, Wed 14, Thu 15 -> due Thursday
# 15 January. A letter to the complainant on Wed 14 meets it. The case is
# not serious: no serious-incident-call at all.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (11, 'AE-ONTIME', 'enquiry', 0, '2026-01-12T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (111, 11, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (11, '2026-01-14T11:00:00Z', 'contact', 111, 'letter', 'acknowledgement');
SQL
expect "acknowledge-enquiry: letter to the complainant within 3 working days is met" 2026-01-20 AE-ONTIME acknowledge-enquiry \
"AE-ONTIME acknowledge-enquiry - 1 2026-01-12 2026-01-15 met 2026-01-14T11:00:00Z"
expect "serious-incident-call: a case that is not serious has none" 2026-01-20 AE-ONTIME serious-incident-call ""

# Received Tuesday 13 January: Wed 14, Thu 15, Fri 16 -> due Friday 16. An
# email to the referrer on Monday 19 is late.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (12, 'AE-LATE', 'enquiry', '2026-01-13T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (121, 12, 'referrer');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (12, '2026-01-19T09:00:00Z', 'contact', 121, 'email', 'acknowledgement');
SQL
expect "acknowledge-enquiry: email to the referrer after 3 working days is met_late" 2026-01-20 AE-LATE acknowledge-enquiry \
"AE-LATE acknowledge-enquiry - 1 2026-01-13 2026-01-16 met_late 2026-01-19T09:00:00Z"

# Received Wednesday 14 January: Thu 15, Fri 16, Mon 19 -> due Monday 19.
# None of these meets it: an acknowledgement phone call recorded with no
# party (an event with no party meets only a rule that names none), a
# letter with detail "update", a letter of acknowledgement to the victim
# (not the complainant or referrer). Pending on Mon 19, overdue on Tue 20.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (13, 'AE-OVERDUE', 'enquiry', '2026-01-14T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (131, 13, 'complainant'), (132, 13, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(13, '2026-01-15T10:00:00Z', 'contact', NULL, 'phone', 'acknowledgement'),
	(13, '2026-01-16T10:00:00Z', 'contact', 131, 'letter', 'update'),
	(13, '2026-01-16T11:00:00Z', 'contact', 132, 'letter', 'acknowledgement');
SQL
expect "acknowledge-enquiry: still pending on the deadline day" 2026-01-19 AE-OVERDUE acknowledge-enquiry \
"AE-OVERDUE acknowledge-enquiry - 1 2026-01-14 2026-01-19 pending -"
expect "acknowledge-enquiry: no party, an update, a letter to the victim do not meet it: overdue" 2026-01-20 AE-OVERDUE acknowledge-enquiry \
"AE-OVERDUE acknowledge-enquiry - 1 2026-01-14 2026-01-19 overdue -"

# Received Thursday 15 January: Fri 16, Mon 19, Tue 20 -> due Tuesday 20.
# Closed on Friday 16 before any acknowledgement: cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (14, 'AE-CLOSED', 'closed', '2026-01-15T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (141, 14, 'complainant');
INSERT INTO events (case_id, at, kind) VALUES (14, '2026-01-16T15:00:00Z', 'closed');
SQL
expect "acknowledge-enquiry: closed before the deadline is cancelled" 2026-01-22 AE-CLOSED acknowledge-enquiry \
"AE-CLOSED acknowledge-enquiry - 1 2026-01-15 2026-01-20 cancelled -"

# Received Saturday 17 January (day 0): Mon 19, Tue 20, Wed 21 -> due
# Wednesday 21. A phone call on Wed 21 at 16:00 is on time.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (15, 'AE-SAT', 'enquiry', '2026-01-17T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (151, 15, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (15, '2026-01-21T16:00:00Z', 'contact', 151, 'phone', 'acknowledgement');
SQL
expect "acknowledge-enquiry: Saturday receipt counts from the Saturday" 2026-01-22 AE-SAT acknowledge-enquiry \
"AE-SAT acknowledge-enquiry - 1 2026-01-17 2026-01-21 met 2026-01-21T16:00:00Z"

# Received Thursday 24 December 2026: Fri 25 is Christmas Day, Sat 26 and
# Sun 27 the weekend, Mon 28 the Boxing Day substitute; Tue 29, Wed 30,
# Thu 31 -> due Thursday 31 December. Pending on Wed 30; the letter on Thu
# 31 is on time.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (16, 'AE-XMAS', 'enquiry', '2026-12-24T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (161, 16, 'referrer');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (16, '2026-12-31T10:00:00Z', 'contact', 161, 'letter', 'acknowledgement');
SQL
expect "acknowledge-enquiry: over Christmas still pending on 30 December" 2026-12-30 AE-XMAS acknowledge-enquiry \
"AE-XMAS acknowledge-enquiry - 1 2026-12-24 2026-12-31 pending -"
expect "acknowledge-enquiry: Christmas Day and the Boxing Day substitute are skipped" 2027-01-04 AE-XMAS acknowledge-enquiry \
"AE-XMAS acknowledge-enquiry - 1 2026-12-24 2026-12-31 met 2026-12-31T10:00:00Z"

# Received 2026-07-09T23:30Z = 00:30 BST on Friday 10 July: day 0 Fri 10;
# Mon 13, Tue 14, Wed 15 -> due Wednesday 15 July (from the UTC date, Thu 9,
# it would be Tue 14 and this email late).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (17, 'AE-MIDNIGHT', 'enquiry', '2026-07-09T23:30:00Z');
INSERT INTO parties (id, case_id, role) VALUES (171, 17, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (17, '2026-07-15T10:00:00Z', 'contact', 171, 'email', 'acknowledgement');
SQL
expect "acknowledge-enquiry: 23:30Z in summer is received the next local day" 2026-07-16 AE-MIDNIGHT acknowledge-enquiry \
"AE-MIDNIGHT acknowledge-enquiry - 1 2026-07-10 2026-07-15 met 2026-07-15T11:00:00+01:00"

# Received Monday 19 January: Tue 20, Wed 21, Thu 22 -> due Thursday 22.
# The pack takes the standard's "(letter, phone call, email)" as examples,
# not a closed list: an acknowledgement by text message on Tue 20 meets it.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (18, 'AE-SMS', 'enquiry', '2026-01-19T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (181, 18, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (18, '2026-01-20T10:00:00Z', 'contact', 181, 'sms', 'acknowledgement');
SQL
expect "acknowledge-enquiry: an acknowledgement by text message counts" 2026-01-23 AE-SMS acknowledge-enquiry \
"AE-SMS acknowledge-enquiry - 1 2026-01-19 2026-01-22 met 2026-01-20T10:00:00Z"

# Received Monday 19 January with only a victim: no complainant or referrer
# to acknowledge, so nothing is owed (it could never be met). A referrer is
# recorded on Wed 21 January: from then the rule applies, counted from
# receipt as usual: Tue 20, Wed 21, Thu 22 -> due Thursday 22; the letter
# on Thu 22 meets it.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (19, 'AE-REFERRER-LATER', 'enquiry', '2026-01-19T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (191, 19, 'victim', NULL), (192, 19, 'referrer', '2026-01-21T10:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (19, '2026-01-22T10:00:00Z', 'contact', 192, 'letter', 'acknowledgement');
SQL
expect "acknowledge-enquiry: nothing owed while there is no complainant or referrer" 2026-01-20 AE-REFERRER-LATER acknowledge-enquiry ""
expect "acknowledge-enquiry: a referrer recorded later: counted from receipt" 2026-01-23 AE-REFERRER-LATER acknowledge-enquiry \
"AE-REFERRER-LATER acknowledge-enquiry - 1 2026-01-19 2026-01-22 met 2026-01-22T10:00:00Z"

#######################################################################
# sendback-letter: a gate. After `not_accepted`, a sendback letter to the
# referrer must come before `closed`. No due date.
#######################################################################

# not_accepted Wed 4 February, the sendback letter Thu 5, closed Fri 6: met.
# The gate starts at not_accepted (start 2026-02-04) and is pending until
# either the letter or the closure happens.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (21, 'SB-MET', 'closed', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (211, 21, 'referrer');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(21, '2026-02-04T10:00:00Z', 'not_accepted', NULL, NULL, NULL),
	(21, '2026-02-05T10:00:00Z', 'contact', 211, 'letter', 'sendback'),
	(21, '2026-02-06T10:00:00Z', 'closed', NULL, NULL, NULL);
SQL
expect "sendback-letter: pending after not_accepted, nothing yet" 2026-02-04T15:00:00Z SB-MET sendback-letter \
"SB-MET sendback-letter 211 1 2026-02-04 - pending -"
expect "sendback-letter: the letter before the closure is met" 2026-02-10 SB-MET sendback-letter \
"SB-MET sendback-letter 211 1 2026-02-04 - met 2026-02-05T10:00:00Z"

# not_accepted Wed 4 February; a letter of acknowledgement (not sendback)
# on Wed 4; closed Thu 5 with no sendback letter: breached (overdue).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (22, 'SB-BREACHED', 'closed', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (221, 22, 'referrer');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(22, '2026-02-04T10:00:00Z', 'not_accepted', NULL, NULL, NULL),
	(22, '2026-02-04T12:00:00Z', 'contact', 221, 'letter', 'acknowledgement'),
	(22, '2026-02-05T10:00:00Z', 'closed', NULL, NULL, NULL);
SQL
expect "sendback-letter: closed with no sendback letter is breached (overdue)" 2026-02-10 SB-BREACHED sendback-letter \
"SB-BREACHED sendback-letter 221 1 2026-02-04 - overdue -"

# not_accepted Wed 4, closed Thu 5 10:00, the sendback letter Fri 6:
# breached at Thu 5 15:00, met_late once the letter follows.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (23, 'SB-LATE', 'closed', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (231, 23, 'referrer');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(23, '2026-02-04T10:00:00Z', 'not_accepted', NULL, NULL, NULL),
	(23, '2026-02-05T10:00:00Z', 'closed', NULL, NULL, NULL),
	(23, '2026-02-06T10:00:00Z', 'contact', 231, 'letter', 'sendback');
SQL
expect "sendback-letter: breached between the closure and the late letter" 2026-02-05T15:00:00Z SB-LATE sendback-letter \
"SB-LATE sendback-letter 231 1 2026-02-04 - overdue -"
expect "sendback-letter: the letter after the closure is met_late" 2026-02-10 SB-LATE sendback-letter \
"SB-LATE sendback-letter 231 1 2026-02-04 - met_late 2026-02-06T10:00:00Z"

# not_accepted Wed 4, then accepted after all on Thu 5: the gate's filter
# (stage enquiry) stops holding, so it is cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (24, 'SB-ACCEPTED', 'case', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (241, 24, 'referrer');
INSERT INTO events (case_id, at, kind) VALUES
	(24, '2026-02-04T10:00:00Z', 'not_accepted'),
	(24, '2026-02-05T10:00:00Z', 'accepted');
SQL
expect "sendback-letter: cancelled when the enquiry is accepted after all" 2026-02-10 SB-ACCEPTED sendback-letter \
"SB-ACCEPTED sendback-letter 241 1 2026-02-04 - cancelled -"

# No referrer (a complainant's enquiry), not accepted and closed: there is no
# one to send the referral back to, so no gate.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (25, 'SB-NOREFERRER', 'closed', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (251, 25, 'complainant');
INSERT INTO events (case_id, at, kind) VALUES
	(25, '2026-02-04T10:00:00Z', 'not_accepted'),
	(25, '2026-02-05T10:00:00Z', 'closed');
SQL
expect "sendback-letter: none without a referrer" 2026-02-10 SB-NOREFERRER sendback-letter ""

#######################################################################
# acknowledgement-letters: a letter of acknowledgement to each victim,
# witness and referrer within 3 working days of acceptance or of the
# party's identification, whichever is later.
#######################################################################

# Accepted Monday 9 February: Tue 10, Wed 11, Thu 12 -> due Thursday 12 for
# every party known then. Victim 311: letter Tue 10 (met). Witness 312:
# letter Fri 13 (met_late). Referrer 313: only a phone call (not a letter),
# so overdue on Mon 16. Perpetrator 314 and complainant 315 get letters but
# are not parties of this rule.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (31, 'AL-MIX', 'case', '2026-02-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (311, 31, 'victim'), (312, 31, 'witness'), (313, 31, 'referrer'),
	(314, 31, 'perpetrator'), (315, 31, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(31, '2026-02-09T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(31, '2026-02-10T10:00:00Z', 'contact', 311, 'letter', 'acknowledgement'),
	(31, '2026-02-10T11:00:00Z', 'contact', 313, 'phone', 'acknowledgement'),
	(31, '2026-02-10T12:00:00Z', 'contact', 314, 'letter', 'acknowledgement'),
	(31, '2026-02-10T13:00:00Z', 'contact', 315, 'letter', 'acknowledgement'),
	(31, '2026-02-13T10:00:00Z', 'contact', 312, 'letter', 'acknowledgement');
SQL
expect "acknowledgement-letters: victim's letter within 3 working days of acceptance is met" 2026-02-16 AL-MIX "acknowledgement-letters 311" \
"AL-MIX acknowledgement-letters 311 1 2026-02-09 2026-02-12 met 2026-02-10T10:00:00Z"
expect "acknowledgement-letters: witness's letter after 3 working days is met_late" 2026-02-16 AL-MIX "acknowledgement-letters 312" \
"AL-MIX acknowledgement-letters 312 1 2026-02-09 2026-02-12 met_late 2026-02-13T10:00:00Z"
expect "acknowledgement-letters: referrer phoned, not written to, is overdue" 2026-02-16 AL-MIX "acknowledgement-letters 313" \
"AL-MIX acknowledgement-letters 313 1 2026-02-09 2026-02-12 overdue -"
expect "acknowledgement-letters: one each for victim, witness, referrer; none for perpetrator or complainant" 2026-02-16 AL-MIX acknowledgement-letters \
"AL-MIX acknowledgement-letters 311 1 2026-02-09 2026-02-12 met 2026-02-10T10:00:00Z
AL-MIX acknowledgement-letters 312 1 2026-02-09 2026-02-12 met_late 2026-02-13T10:00:00Z
AL-MIX acknowledgement-letters 313 1 2026-02-09 2026-02-12 overdue -"

# Accepted Monday 9 February (victim 321 known, letter Wed 11: due Thu 12,
# met). Witness 322 identified Thursday 19 February 14:00, after
# acceptance: the later anchor is Thu 19; Fri 20, Mon 23, Tue 24 -> due
# Tuesday 24 February; the letter on Tue 24 is on time (counted from
# acceptance it would be late). On Wed 18 the witness does not exist yet.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (32, 'AL-LATER', 'case', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (321, 32, 'victim', NULL), (322, 32, 'witness', '2026-02-19T14:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(32, '2026-02-09T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(32, '2026-02-11T10:00:00Z', 'contact', 321, 'letter', 'acknowledgement'),
	(32, '2026-02-24T10:00:00Z', 'contact', 322, 'letter', 'acknowledgement');
SQL
expect "acknowledgement-letters: a witness not yet identified has no obligation" 2026-02-18 AL-LATER acknowledgement-letters \
"AL-LATER acknowledgement-letters 321 1 2026-02-09 2026-02-12 met 2026-02-11T10:00:00Z"
expect "acknowledgement-letters: witness identified after acceptance counts from identification" 2026-02-25 AL-LATER "acknowledgement-letters 322" \
"AL-LATER acknowledgement-letters 322 1 2026-02-19 2026-02-24 met 2026-02-24T10:00:00Z"

# Accepted Monday 9 February (due Thursday 12), closed Tuesday 10 before any
# letter: both cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (33, 'AL-CLOSED', 'closed', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (331, 33, 'victim'), (332, 33, 'witness');
INSERT INTO events (case_id, at, kind) VALUES
	(33, '2026-02-09T10:00:00Z', 'accepted'),
	(33, '2026-02-10T15:00:00Z', 'closed');
SQL
expect "acknowledgement-letters: closed before the deadline is cancelled" 2026-02-16 AL-CLOSED acknowledgement-letters \
"AL-CLOSED acknowledgement-letters 331 1 2026-02-09 2026-02-12 cancelled -
AL-CLOSED acknowledgement-letters 332 1 2026-02-09 2026-02-12 cancelled -"

# Accepted Thursday 30 April 14:00 BST: Fri 1 May, (Mon 4 May is the Early
# May bank holiday), Tue 5, Wed 6 -> due Wednesday 6 May.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (34, 'AL-MAYDAY', 'case', '2026-04-27T10:00:00+01:00');
INSERT INTO parties (id, case_id, role) VALUES (341, 34, 'referrer');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(34, '2026-04-30T14:00:00+01:00', 'accepted', NULL, NULL, NULL),
	(34, '2026-05-06T09:00:00+01:00', 'contact', 341, 'letter', 'acknowledgement');
SQL
expect "acknowledgement-letters: the Early May bank holiday is skipped" 2026-05-07 AL-MAYDAY acknowledgement-letters \
"AL-MAYDAY acknowledgement-letters 341 1 2026-04-30 2026-05-06 met 2026-05-06T09:00:00+01:00"

# Accepted Monday 2 March: due Thursday 5 March (Tue 3, Wed 4, Thu 5). On
# hold from Tuesday 3 March 10:00 to Thursday 5 March 10:00: the days on
# hold are Tue 3 and Wed 4 (2 working days), so the deadline moves to
# Fri 6, Mon 9 -> Monday 9 March. The letter on Monday 9 is on time.
# While the hold is open the days run to the evaluation date: at noon on
# Tue 3 one day (Thu 5 -> Fri 6 March), on Wed 4 two (-> Mon 9 March); the
# obligation is paused.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (35, 'AL-HOLD', 'case', '2026-02-26T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (351, 35, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(35, '2026-03-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(35, '2026-03-03T10:00:00Z', 'hold', NULL, NULL, NULL),
	(35, '2026-03-05T10:00:00Z', 'resume', NULL, NULL, NULL),
	(35, '2026-03-09T10:00:00Z', 'contact', 351, 'letter', 'acknowledgement');
SQL
expect "acknowledgement-letters: paused on the first day of a hold, due moved by one working day" 2026-03-03 AL-HOLD acknowledgement-letters \
"AL-HOLD acknowledgement-letters 351 1 2026-03-02 2026-03-06 paused -"
expect "acknowledgement-letters: paused on the second day of a hold, due moved by two" 2026-03-04 AL-HOLD acknowledgement-letters \
"AL-HOLD acknowledgement-letters 351 1 2026-03-02 2026-03-09 paused -"
expect "acknowledgement-letters: two working days on hold move the deadline two working days" 2026-03-10 AL-HOLD acknowledgement-letters \
"AL-HOLD acknowledgement-letters 351 1 2026-03-02 2026-03-09 met 2026-03-09T10:00:00Z"

# Accepted Tuesday 3 March; witness 362 identified Saturday 7 March: day 0
# is the Saturday; Mon 9, Tue 10, Wed 11 -> due Wednesday 11 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (36, 'AL-SAT', 'case', '2026-03-02T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (361, 36, 'victim', NULL), (362, 36, 'witness', '2026-03-07T11:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(36, '2026-03-03T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(36, '2026-03-11T10:00:00Z', 'contact', 362, 'letter', 'acknowledgement');
SQL
expect "acknowledgement-letters: witness identified on a Saturday counts from the Saturday" 2026-03-12 AL-SAT "acknowledgement-letters 362" \
"AL-SAT acknowledgement-letters 362 1 2026-03-07 2026-03-11 met 2026-03-11T10:00:00Z"

# Accepted Tuesday 14 July; witness 371 identified 2026-07-15T23:30Z, which
# is 00:30 BST on Thursday 16 July: day 0 Thu 16; Fri 17, Mon 20, Tue 21 ->
# due Tuesday 21 July (from the UTC date, Wed 15, it would be Mon 20).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (37, 'AL-MIDNIGHT', 'case', '2026-07-13T09:00:00+01:00');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (371, 37, 'witness', '2026-07-15T23:30:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(37, '2026-07-14T10:00:00+01:00', 'accepted', NULL, NULL, NULL),
	(37, '2026-07-21T09:00:00+01:00', 'contact', 371, 'letter', 'acknowledgement');
SQL
expect "acknowledgement-letters: identified at 23:30Z in summer counts from the next local day" 2026-07-22 AL-MIDNIGHT acknowledgement-letters \
"AL-MIDNIGHT acknowledgement-letters 371 1 2026-07-16 2026-07-21 met 2026-07-21T09:00:00+01:00"

#######################################################################
# victim-visit: a visit to each victim within 10 working days of acceptance
# (or of the victim's identification, if later).
#######################################################################

# Accepted Monday 2 February: Feb 3-6 (4), Feb 9-13 (9), Mon 16 (10) -> due
# Monday 16 February.
# VV-ONTIME: visit Fri 13 -> met; at noon Thu 12 the visit has not happened
# (later events are ignored) -> pending.
# VV-LATE: visit Tue 17 -> met_late.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(41, 'VV-ONTIME', 'case', '2026-01-29T10:00:00Z'),
	(42, 'VV-LATE', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (411, 41, 'victim'), (421, 42, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(41, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(41, '2026-02-13T10:00:00Z', 'contact', 411, 'visit', 'update'),
	(42, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(42, '2026-02-17T10:00:00Z', 'contact', 421, 'visit', 'update');
SQL
expect "victim-visit: pending before the visit (later events ignored)" 2026-02-12 VV-ONTIME victim-visit \
"VV-ONTIME victim-visit 411 1 2026-02-02 2026-02-16 pending -"
expect "victim-visit: visit within 10 working days is met" 2026-02-17 VV-ONTIME victim-visit \
"VV-ONTIME victim-visit 411 1 2026-02-02 2026-02-16 met 2026-02-13T10:00:00Z"
expect "victim-visit: visit after 10 working days is met_late" 2026-02-18 VV-LATE victim-visit \
"VV-LATE victim-visit 421 1 2026-02-02 2026-02-16 met_late 2026-02-17T10:00:00Z"

# Accepted Monday 2 February, due Monday 16 (as above). Victim 431 is only
# phoned; victim 432 is visited on Wed 4 February: a visit to one victim
# does not meet another's. Overdue on Tue 17. A hold from Wed 18 to Fri 20,
# after the deadline had passed, changes nothing: still overdue on Thu 19,
# not paused, due unchanged.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (43, 'VV-OVERDUE', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (431, 43, 'victim'), (432, 43, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(43, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(43, '2026-02-03T10:00:00Z', 'contact', 431, 'phone', 'update'),
	(43, '2026-02-04T10:00:00Z', 'contact', 432, 'visit', 'update'),
	(43, '2026-02-18T10:00:00Z', 'hold', NULL, NULL, NULL),
	(43, '2026-02-20T10:00:00Z', 'resume', NULL, NULL, NULL);
SQL
expect "victim-visit: a phone call is no visit, another victim's visit is not theirs: overdue" 2026-02-17 VV-OVERDUE victim-visit \
"VV-OVERDUE victim-visit 431 1 2026-02-02 2026-02-16 overdue -
VV-OVERDUE victim-visit 432 1 2026-02-02 2026-02-16 met 2026-02-04T10:00:00Z"
expect "victim-visit: a hold that begins after the deadline changes nothing" 2026-02-19 VV-OVERDUE "victim-visit 431" \
"VV-OVERDUE victim-visit 431 1 2026-02-02 2026-02-16 overdue -"

# Accepted Monday 2 February (due Monday 16), closed Wednesday 11 before
# any visit: cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (44, 'VV-CLOSED', 'closed', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (441, 44, 'victim');
INSERT INTO events (case_id, at, kind) VALUES
	(44, '2026-02-02T10:00:00Z', 'accepted'),
	(44, '2026-02-11T10:00:00Z', 'closed');
SQL
expect "victim-visit: closed before the deadline is cancelled" 2026-02-17 VV-CLOSED victim-visit \
"VV-CLOSED victim-visit 441 1 2026-02-02 2026-02-16 cancelled -"

# Accepted Monday 2 February; victim 451 identified Wednesday 11 February
# 15:00: day 0 Wed 11; Thu 12, Fri 13 (2), Feb 16-20 (7), Mon 23, Tue 24,
# Wed 25 (10) -> due Wednesday 25 February.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (45, 'VV-LATER', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (451, 45, 'victim', '2026-02-11T15:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(45, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(45, '2026-02-25T10:00:00Z', 'contact', 451, 'visit', 'update');
SQL
expect "victim-visit: victim identified after acceptance counts from identification" 2026-02-26 VV-LATER victim-visit \
"VV-LATER victim-visit 451 1 2026-02-11 2026-02-25 met 2026-02-25T10:00:00Z"

# Accepted Monday 1 June 09:00 BST: June 2-5 (4), June 8-12 (9), Mon 15
# (10) -> due Monday 15 June. On hold from Wednesday 3 June to Monday 8 June:
# days on hold Wed 3 .. Sun 7, of which Wed 3, Thu 4, Fri 5 are working
# days (3): the deadline moves to Tue 16, Wed 17, Thu 18 -> Thursday 18
# June. The visit on Thu 18 is on time. At noon on Thu 4 June the hold is
# open with two working days so far (Wed 3, Thu 4): paused, due Wed 17 June.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (46, 'VV-HOLD', 'case', '2026-05-29T10:00:00+01:00');
INSERT INTO parties (id, case_id, role) VALUES (461, 46, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(46, '2026-06-01T09:00:00+01:00', 'accepted', NULL, NULL, NULL),
	(46, '2026-06-03T10:00:00+01:00', 'hold', NULL, NULL, NULL),
	(46, '2026-06-08T10:00:00+01:00', 'resume', NULL, NULL, NULL),
	(46, '2026-06-18T10:00:00+01:00', 'contact', 461, 'visit', 'update');
SQL
expect "victim-visit: paused while on hold, due moved by the working days on hold so far" 2026-06-04 VV-HOLD victim-visit \
"VV-HOLD victim-visit 461 1 2026-06-01 2026-06-17 paused -"
expect "victim-visit: three working days on hold (over a weekend) move the deadline three" 2026-06-20 VV-HOLD victim-visit \
"VV-HOLD victim-visit 461 1 2026-06-01 2026-06-18 met 2026-06-18T10:00:00+01:00"

# Accepted Thursday 21 May 09:00 BST: Fri 22 (1), Mon 25 is the Spring bank
# holiday, Tue 26 - Fri 29 (5), Mon 1 - Fri 5 June (10) -> due Friday 5
# June. The visit at 17:00 BST on Fri 5 June is on time.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (47, 'VV-SPRING', 'case', '2026-05-18T10:00:00+01:00');
INSERT INTO parties (id, case_id, role) VALUES (471, 47, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(47, '2026-05-21T09:00:00+01:00', 'accepted', NULL, NULL, NULL),
	(47, '2026-06-05T16:00:00Z', 'contact', 471, 'visit', 'update');
SQL
expect "victim-visit: the Spring bank holiday is skipped" 2026-06-08 VV-SPRING victim-visit \
"VV-SPRING victim-visit 471 1 2026-05-21 2026-06-05 met 2026-06-05T17:00:00+01:00"

# Accepted Monday 2 February; on hold Tue 3 to Thu 5 February; victim 481
# identified Monday 9 February, after the hold ended. Hold days count only
# from the obligation's start (Mon 9), so none count: Feb 10-13 (4),
# Feb 16-20 (9), Mon 23 (10) -> due Monday 23 February.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (48, 'VV-HOLDBEFORE', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (481, 48, 'victim', '2026-02-09T10:00:00Z');
INSERT INTO events (case_id, at, kind) VALUES
	(48, '2026-02-02T10:00:00Z', 'accepted'),
	(48, '2026-02-03T10:00:00Z', 'hold'),
	(48, '2026-02-05T10:00:00Z', 'resume');
SQL
expect "victim-visit: a hold before the obligation started does not move it" 2026-02-10 VV-HOLDBEFORE victim-visit \
"VV-HOLDBEFORE victim-visit 481 1 2026-02-09 2026-02-23 pending -"

#######################################################################
# perpetrator-letter: a letter to each perpetrator within 20 working days of
# acceptance (or of the perpetrator's identification, if later).
#######################################################################

# Accepted Monday 2 February: Feb 3-6 (4), 9-13 (9), 16-20 (14), 23-27 (19),
# Mon 2 March (20) -> due Monday 2 March.
# PL-ONTIME: a letter (any detail) Fri 27 February -> met.
# PL-LATE: letter Tue 3 March -> met_late.
# PL-OVERDUE: only a visit; pending on Mon 2 March, overdue Tue 3 March.
# PL-CLOSED: closed Mon 23 February -> cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(51, 'PL-ONTIME', 'case', '2026-01-29T10:00:00Z'),
	(52, 'PL-LATE', 'case', '2026-01-29T10:00:00Z'),
	(53, 'PL-OVERDUE', 'case', '2026-01-29T10:00:00Z'),
	(54, 'PL-CLOSED', 'closed', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (511, 51, 'perpetrator'), (521, 52, 'perpetrator'),
	(531, 53, 'perpetrator'), (541, 54, 'perpetrator');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(51, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(51, '2026-02-27T10:00:00Z', 'contact', 511, 'letter', 'warning'),
	(52, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(52, '2026-03-03T10:00:00Z', 'contact', 521, 'letter', 'warning'),
	(53, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(53, '2026-02-12T10:00:00Z', 'contact', 531, 'visit', 'warning'),
	(54, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(54, '2026-02-23T10:00:00Z', 'closed', NULL, NULL, NULL);
SQL
expect "perpetrator-letter: letter within 20 working days is met" 2026-03-03 PL-ONTIME perpetrator-letter \
"PL-ONTIME perpetrator-letter 511 1 2026-02-02 2026-03-02 met 2026-02-27T10:00:00Z"
expect "perpetrator-letter: letter after 20 working days is met_late" 2026-03-04 PL-LATE perpetrator-letter \
"PL-LATE perpetrator-letter 521 1 2026-02-02 2026-03-02 met_late 2026-03-03T10:00:00Z"
expect "perpetrator-letter: a visit is no letter; pending on the deadline day" 2026-03-02 PL-OVERDUE perpetrator-letter \
"PL-OVERDUE perpetrator-letter 531 1 2026-02-02 2026-03-02 pending -"
expect "perpetrator-letter: no letter by the deadline is overdue" 2026-03-03 PL-OVERDUE perpetrator-letter \
"PL-OVERDUE perpetrator-letter 531 1 2026-02-02 2026-03-02 overdue -"
expect "perpetrator-letter: closed before the deadline is cancelled" 2026-03-03 PL-CLOSED perpetrator-letter \
"PL-CLOSED perpetrator-letter 541 1 2026-02-02 2026-03-02 cancelled -"

# Accepted Monday 2 February; perpetrator 551 identified Friday 20 February
# 16:00: Feb 23-27 (5), Mar 2-6 (10), 9-13 (15), 16-20 (20) -> due Friday
# 20 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (55, 'PL-LATER', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (551, 55, 'perpetrator', '2026-02-20T16:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(55, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(55, '2026-03-20T10:00:00Z', 'contact', 551, 'letter', 'warning');
SQL
expect "perpetrator-letter: perpetrator identified after acceptance counts from identification" 2026-03-23 PL-LATER perpetrator-letter \
"PL-LATER perpetrator-letter 551 1 2026-02-20 2026-03-20 met 2026-03-20T10:00:00Z"

# Accepted Monday 23 March (GMT): Mar 24-27 (4), Mar 30 - Apr 2 (8), Good
# Friday 3 April and Easter Monday 6 April skipped, Apr 7-10 (12), 13-17
# (17), Mon 20, Tue 21, Wed 22 (20) -> due Wednesday 22 April. The clocks
# went forward on 29 March: the deadline is a date and does not move. The
# letter at 15:00Z = 16:00 BST on Wed 22 is on time.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (56, 'PL-EASTER', 'case', '2026-03-19T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (561, 56, 'perpetrator');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(56, '2026-03-23T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(56, '2026-04-22T15:00:00Z', 'contact', 561, 'letter', 'warning');
SQL
expect "perpetrator-letter: Easter skipped, the change to BST moves nothing (pending the day before)" 2026-04-21 PL-EASTER perpetrator-letter \
"PL-EASTER perpetrator-letter 561 1 2026-03-23 2026-04-22 pending -"
expect "perpetrator-letter: across Easter and the change to BST, met on the day" 2026-04-23 PL-EASTER perpetrator-letter \
"PL-EASTER perpetrator-letter 561 1 2026-03-23 2026-04-22 met 2026-04-22T16:00:00+01:00"

#######################################################################
# no-perpetrator: a check. An accepted case with no identified perpetrator
# should have remained an enquiry: it starts at acceptance when no
# perpetrator is identified, is due that same day and overdue from the
# next; met when the first perpetrator is identified.
#######################################################################

# Accepted Monday 2 February 10:00 with only a victim: started and due Mon 2
# February; pending that afternoon, overdue from Tue 3.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (61, 'NP-NONE', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (611, 61, 'victim');
INSERT INTO events (case_id, at, kind) VALUES (61, '2026-02-02T10:00:00Z', 'accepted');
SQL
expect "no-perpetrator: accepted with no perpetrator is due the same day (pending)" 2026-02-02T15:00:00Z NP-NONE no-perpetrator \
"NP-NONE no-perpetrator - 1 2026-02-02 2026-02-02 pending -"
expect "no-perpetrator: still none the next day is overdue" 2026-02-03 NP-NONE no-perpetrator \
"NP-NONE no-perpetrator - 1 2026-02-02 2026-02-02 overdue -"

# Accepted Mon 2 February 10:00; perpetrator identified the same day at
# 14:00: met then.
# NP-LATE: perpetrator identified Wed 4 February: met_late.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(62, 'NP-SAMEDAY', 'case', '2026-01-29T10:00:00Z'),
	(63, 'NP-LATE', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES
	(621, 62, 'perpetrator', '2026-02-02T14:00:00Z'),
	(631, 63, 'perpetrator', '2026-02-04T10:00:00Z');
INSERT INTO events (case_id, at, kind) VALUES
	(62, '2026-02-02T10:00:00Z', 'accepted'),
	(63, '2026-02-02T10:00:00Z', 'accepted');
SQL
expect "no-perpetrator: perpetrator identified the same day is met" 2026-02-10 NP-SAMEDAY no-perpetrator \
"NP-SAMEDAY no-perpetrator - 1 2026-02-02 2026-02-02 met 2026-02-02T14:00:00Z"
expect "no-perpetrator: perpetrator identified days later is met_late" 2026-02-10 NP-LATE no-perpetrator \
"NP-LATE no-perpetrator - 1 2026-02-02 2026-02-02 met_late 2026-02-04T10:00:00Z"

# NP-KNOWN: perpetrator identified Fri 30 January, before acceptance on Mon 2
# February: the condition never holds, so there is no obligation.
# NP-ENQUIRY: never accepted, no perpetrator: the filter (stage case) never
# holds, no obligation.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(64, 'NP-KNOWN', 'case', '2026-01-29T10:00:00Z'),
	(65, 'NP-ENQUIRY', 'enquiry', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES
	(641, 64, 'perpetrator', '2026-01-30T10:00:00Z'),
	(651, 65, 'victim', NULL);
INSERT INTO events (case_id, at, kind) VALUES (64, '2026-02-02T10:00:00Z', 'accepted');
SQL
expect "no-perpetrator: none when the perpetrator was known at acceptance" 2026-02-10 NP-KNOWN no-perpetrator ""
expect "no-perpetrator: none for an enquiry never accepted" 2026-02-10 NP-ENQUIRY no-perpetrator ""

# Accepted Mon 2 February 10:00 with no perpetrator, closed the same day at
# 15:00, before the check's day was over: cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (66, 'NP-CLOSED', 'closed', '2026-01-29T10:00:00Z');
INSERT INTO events (case_id, at, kind) VALUES
	(66, '2026-02-02T10:00:00Z', 'accepted'),
	(66, '2026-02-02T15:00:00Z', 'closed');
SQL
expect "no-perpetrator: closed on the day it started is cancelled" 2026-02-10 NP-CLOSED no-perpetrator \
"NP-CLOSED no-perpetrator - 1 2026-02-02 2026-02-02 cancelled -"

#######################################################################
# keep-informed: a recurring rule. Contact with each victim (or, while there
# is none, the referrer) at least every 20 working days after acceptance,
# or the case's agreed_contact. Each cycle starts at the contact that met
# the previous one.
#######################################################################

# Accepted Monday 2 February; victim 711.
# Cycle 1: from Mon 2 Feb, 20 working days -> Monday 2 March (see
# perpetrator-letter). Phoned Thu 26 Feb: met.
# Cycle 2: from Thu 26 Feb: Fri 27 (1), Mar 2-6 (6), 9-13 (11), 16-20 (16),
# Mon 23 - Thu 26 (20) -> due Thursday 26 March. Emailed Mon 30 March 10:00
# BST (09:00Z): met_late.
# Cycle 3: from Mon 30 March: Tue 31, Wed 1, Thu 2 April (3), Good Friday and
# Easter Monday skipped, Apr 7-10 (7), 13-17 (12), 20-24 (17), Mon 27 - Wed
# 29 (20) -> due Wednesday 29 April. No contact: overdue from Thu 30, and no
# fourth cycle however long it stays unmet.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (71, 'KI-CHAIN', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (711, 71, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(71, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(71, '2026-02-26T10:00:00Z', 'contact', 711, 'phone', 'update'),
	(71, '2026-03-30T09:00:00Z', 'contact', 711, 'email', 'update');
SQL
expect "keep-informed: cycle 1 met; cycle 2 starts at the contact that met it" 2026-03-10 KI-CHAIN keep-informed \
"KI-CHAIN keep-informed 711 1 2026-02-02 2026-03-02 met 2026-02-26T10:00:00Z
KI-CHAIN keep-informed 711 2 2026-02-26 2026-03-26 pending -"
expect "keep-informed: cycle 2 met late, cycle 3 from the late contact, across Easter" 2026-04-10 KI-CHAIN keep-informed \
"KI-CHAIN keep-informed 711 1 2026-02-02 2026-03-02 met 2026-02-26T10:00:00Z
KI-CHAIN keep-informed 711 2 2026-02-26 2026-03-26 met_late 2026-03-30T10:00:00+01:00
KI-CHAIN keep-informed 711 3 2026-03-30 2026-04-29 pending -"
expect "keep-informed: a missed contact is one overdue cycle, not a growing pile" 2026-07-01 KI-CHAIN keep-informed \
"KI-CHAIN keep-informed 711 1 2026-02-02 2026-03-02 met 2026-02-26T10:00:00Z
KI-CHAIN keep-informed 711 2 2026-02-26 2026-03-26 met_late 2026-03-30T10:00:00+01:00
KI-CHAIN keep-informed 711 3 2026-03-30 2026-04-29 overdue -"

# agreed_contact '10 working days'. Accepted Monday 2 February: Feb 3-6 (4),
# 9-13 (9), Mon 16 (10) -> cycle 1 due Monday 16 February; visited Fri 13:
# met. Cycle 2 from Fri 13: Feb 16-20 (5), 23-27 (10) -> due Friday 27
# February; no contact: overdue on Mon 2 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, agreed_contact, received_at) VALUES (72, 'KI-AGREED', 'case', '10 working days', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (721, 72, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(72, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(72, '2026-02-13T10:00:00Z', 'contact', 721, 'visit', 'update');
SQL
expect "keep-informed: an agreed contact timescale of 10 working days replaces 20" 2026-03-02 KI-AGREED keep-informed \
"KI-AGREED keep-informed 721 1 2026-02-02 2026-02-16 met 2026-02-13T10:00:00Z
KI-AGREED keep-informed 721 2 2026-02-13 2026-02-27 overdue -"

# agreed_contact '7 days' (calendar days). Accepted Thursday 5 February:
# cycle 1 due Thursday 12 February (7 working days would be Mon 16);
# contacted Thu 12: met. Cycle 2 from Thu 12 -> due Thursday 19 February.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, agreed_contact, received_at) VALUES (73, 'KI-AGREED-DAYS', 'case', '7 days', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (731, 73, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(73, '2026-02-05T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(73, '2026-02-12T10:00:00Z', 'contact', 731, 'phone', 'update');
SQL
expect "keep-informed: an agreed contact timescale in calendar days" 2026-02-13 KI-AGREED-DAYS keep-informed \
"KI-AGREED-DAYS keep-informed 731 1 2026-02-05 2026-02-12 met 2026-02-12T10:00:00Z
KI-AGREED-DAYS keep-informed 731 2 2026-02-12 2026-02-19 pending -"

# agreed_contact 'when needed' does not parse: the case is reported as a
# problem and the rule's own 20 working days are used: accepted Monday 2
# February -> due Monday 2 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, agreed_contact, received_at) VALUES (80, 'KI-BADAGREED', 'case', 'when needed', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (801, 80, 'victim');
INSERT INTO events (case_id, at, kind) VALUES (80, '2026-02-02T10:00:00Z', 'accepted');
SQL
expect "keep-informed: an agreed contact timescale that does not parse falls back to 20 working days" 2026-02-10 KI-BADAGREED keep-informed \
"KI-BADAGREED keep-informed 801 1 2026-02-02 2026-03-02 pending -"
if [ -s "$T/json" ] && jq -e '[.problems[]? | select(.case == "KI-BADAGREED")] | length >= 1' "$T/json" >/dev/null 2>&1; then
	ok "keep-informed: an agreed contact timescale that does not parse is listed in problems"
else
	not_ok "keep-informed: an agreed contact timescale that does not parse is listed in problems"
	_diag
fi

# No victim: the referrer takes the victim's place. Accepted Monday 2
# February: cycle 1 due Monday 2 March; letter to the referrer Tue 10
# February: met. Cycle 2 from Tue 10 Feb: Feb 11-13 (3), 16-20 (8), 23-27
# (13), Mar 2-6 (18), Mon 9, Tue 10 (20) -> due Tuesday 10 March; no
# contact: overdue on Thu 12 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (74, 'KI-REFERRER', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (741, 74, 'referrer');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(74, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(74, '2026-02-10T10:00:00Z', 'contact', 741, 'letter', 'update');
SQL
expect "keep-informed: with no victim the referrer is kept informed" 2026-03-12 KI-REFERRER keep-informed \
"KI-REFERRER keep-informed 741 1 2026-02-02 2026-03-02 met 2026-02-10T10:00:00Z
KI-REFERRER keep-informed 741 2 2026-02-10 2026-03-10 overdue -"

# Referrer 751 (known from the start), victim 752 identified Wednesday 18
# February. Accepted Monday 2 February. Until Wed 18 the referrer stands in:
# cycle 1 (due Mon 2 March) met by the letter of Tue 10 Feb; cycle 2 from
# Tue 10 Feb, due Tue 10 March (as above). When the victim is identified on
# Wed 18 Feb the referrer's open cycle stops: cancelled. The victim's chain
# starts Wed 18 Feb (later than acceptance): Thu 19, Fri 20 (2), Feb 23-27
# (7), Mar 2-6 (12), 9-13 (17), Mon 16, Tue 17, Wed 18 (20) -> due
# Wednesday 18 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (75, 'KI-VICTIM-LATER', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (751, 75, 'referrer', NULL), (752, 75, 'victim', '2026-02-18T10:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(75, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(75, '2026-02-10T10:00:00Z', 'contact', 751, 'letter', 'update');
SQL
expect "keep-informed: the referrer stands in while no victim is identified" 2026-02-12 KI-VICTIM-LATER keep-informed \
"KI-VICTIM-LATER keep-informed 751 1 2026-02-02 2026-03-02 met 2026-02-10T10:00:00Z
KI-VICTIM-LATER keep-informed 751 2 2026-02-10 2026-03-10 pending -"
expect "keep-informed: the referrer's chain stops (cancelled) when a victim is identified" 2026-03-02 KI-VICTIM-LATER keep-informed \
"KI-VICTIM-LATER keep-informed 751 1 2026-02-02 2026-03-02 met 2026-02-10T10:00:00Z
KI-VICTIM-LATER keep-informed 751 2 2026-02-10 2026-03-10 cancelled -
KI-VICTIM-LATER keep-informed 752 1 2026-02-18 2026-03-18 pending -"

# Referrer 761 never contacted; accepted Monday 2 February, due Monday 2
# March: overdue from Tue 3 March. Victim 762 identified Wednesday 4 March:
# the referrer's overdue cycle stays overdue; the victim's chain starts Wed
# 4 March: Thu 5, Fri 6 (2), Mar 9-13 (7), 16-20 (12), 23-27 (17), Mon 30,
# Tue 31, Wed 1 April (20) -> due Wednesday 1 April.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (76, 'KI-REFERRER-OVERDUE', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (761, 76, 'referrer', NULL), (762, 76, 'victim', '2026-03-04T10:00:00Z');
INSERT INTO events (case_id, at, kind) VALUES (76, '2026-02-02T10:00:00Z', 'accepted');
SQL
expect "keep-informed: the referrer's overdue cycle stays overdue when a victim is identified" 2026-03-05 KI-REFERRER-OVERDUE keep-informed \
"KI-REFERRER-OVERDUE keep-informed 761 1 2026-02-02 2026-03-02 overdue -
KI-REFERRER-OVERDUE keep-informed 762 1 2026-03-04 2026-04-01 pending -"

# Accepted Monday 2 February, cycle 1 due Monday 2 March. On hold from Mon 9
# to Mon 16 February: days on hold Feb 9-15, working days Feb 9-13 (5): the
# deadline moves to Mar 3, 4, 5, 6, 9 -> Monday 9 March. Contacted Mon 9
# March: met. Cycle 2 from Mon 9 March: Mar 10-13 (4), 16-20 (9), 23-27
# (14), Mon 30 - Thu 2 April (18), Easter skipped, Tue 7, Wed 8 (20) -> due
# Wednesday 8 April.
# At noon on Wed 11 February, on hold since Mon 9: Mon 9, Tue 10, Wed 11 so
# far (3) -> paused, due Mar 3, 4, 5 -> Thursday 5 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (77, 'KI-HOLD', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (771, 77, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(77, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(77, '2026-02-09T10:00:00Z', 'hold', NULL, NULL, NULL),
	(77, '2026-02-16T10:00:00Z', 'resume', NULL, NULL, NULL),
	(77, '2026-03-09T10:00:00Z', 'contact', 771, 'phone', 'update');
SQL
expect "keep-informed: paused while the case is on hold" 2026-02-11 KI-HOLD keep-informed \
"KI-HOLD keep-informed 771 1 2026-02-02 2026-03-05 paused -"
expect "keep-informed: a week on hold moves the cycle five working days" 2026-03-10 KI-HOLD keep-informed \
"KI-HOLD keep-informed 771 1 2026-02-02 2026-03-09 met 2026-03-09T10:00:00Z
KI-HOLD keep-informed 771 2 2026-03-09 2026-04-08 pending -"

# Accepted Monday 2 February; contacted Tue 10 Feb (cycle 1 met; cycle 2
# from Tue 10 Feb due Tue 10 March, as above). Closed Friday 20 February:
# cycle 2 cancelled. Reopened Tuesday 3 March: a new chain starts then,
# numbering on: cycle 3 from Tue 3 March: Mar 4-6 (3), 9-13 (8), 16-20
# (13), 23-27 (18), Mon 30, Tue 31 (20) -> due Tuesday 31 March.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (78, 'KI-REOPENED', 'case', '2026-01-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (781, 78, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(78, '2026-02-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(78, '2026-02-10T10:00:00Z', 'contact', 781, 'phone', 'update'),
	(78, '2026-02-20T10:00:00Z', 'closed', NULL, NULL, NULL),
	(78, '2026-03-03T10:00:00Z', 'reopened', NULL, NULL, NULL);
SQL
expect "keep-informed: closing the case cancels the open cycle" 2026-02-25 KI-REOPENED keep-informed \
"KI-REOPENED keep-informed 781 1 2026-02-02 2026-03-02 met 2026-02-10T10:00:00Z
KI-REOPENED keep-informed 781 2 2026-02-10 2026-03-10 cancelled -"
expect "keep-informed: reopening starts a new chain from the reopening, numbering on" 2026-03-04 KI-REOPENED keep-informed \
"KI-REOPENED keep-informed 781 1 2026-02-02 2026-03-02 met 2026-02-10T10:00:00Z
KI-REOPENED keep-informed 781 2 2026-02-10 2026-03-10 cancelled -
KI-REOPENED keep-informed 781 3 2026-03-03 2026-03-31 pending -"

# Accepted Monday 1 June 09:00 BST: Jun 2-5 (4), 8-12 (9), 15-19 (14),
# 22-26 (19), Mon 29 (20) -> cycle 1 due Monday 29 June. The contact at
# 2026-06-29T23:30Z is 00:30 BST on Tuesday 30 June: met_late, and cycle 2
# starts on the local date Tue 30 June: Jul 1-3 (3), 6-10 (8), 13-17 (13),
# 20-24 (18), Mon 27, Tue 28 (20) -> due Tuesday 28 July.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (79, 'KI-MIDNIGHT', 'case', '2026-05-28T10:00:00+01:00');
INSERT INTO parties (id, case_id, role) VALUES (791, 79, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(79, '2026-06-01T09:00:00+01:00', 'accepted', NULL, NULL, NULL),
	(79, '2026-06-29T23:30:00Z', 'contact', 791, 'phone', 'update');
SQL
expect "keep-informed: a contact at 23:30Z in summer is the next local day (late; next cycle from it)" 2026-07-01 KI-MIDNIGHT keep-informed \
"KI-MIDNIGHT keep-informed 791 1 2026-06-01 2026-06-29 met_late 2026-06-30T00:30:00+01:00
KI-MIDNIGHT keep-informed 791 2 2026-06-30 2026-07-28 pending -"

#######################################################################
# The data councils really keep (casewatch-rules(5): PARTIES, AGREED
# CONTACT, THE CASE OVER TIME). Dates in November 2026 are GMT (British
# Summer Time ended on Sunday 25 October), so Z is local wall time.
#
#     November 2026             December 2026
#     Mo Tu We Th Fr Sa Su      Mo Tu We Th Fr Sa Su
#                        1          1  2  3  4  5  6
#      2  3  4  5  6  7  8       7  8  9 10 11 12 13
#      9 10 11 12 13 14 15      14 15 16 17 18 19 20
#     16 17 18 19 20 21 22      21 22 23 24 25 26 27
#     23 24 25 26 27 28 29      28 29 30 31
#     30
#######################################################################

# 1.2.1 "Serious incidents, specifically violence or threats of violence
# that would lead to serious injury and hate crime / A phone call within 1
# working day". Case systems keep the hate flag apart from seriousness.
#
# HATE-ONLY: hate 1, serious 0, received Tuesday 10 November 10:00: due
# Wednesday 11; the phone call on Wed 11 at 15:00 meets it.
# HATE-OVERDUE: hate 1, serious 0, received Friday 13 November 16:00: due
# Monday 16; no call: overdue on Tuesday 17.
# HATE-AND-SERIOUS: both flags, received Monday 2 November 09:00: one call
# owed, not two: due Tuesday 3, no call, overdue on Wednesday 4.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, hate, received_at) VALUES
	(101, 'HATE-ONLY', 'enquiry', 0, 1, '2026-11-10T10:00:00Z'),
	(102, 'HATE-OVERDUE', 'enquiry', 0, 1, '2026-11-13T16:00:00Z'),
	(103, 'HATE-AND-SERIOUS', 'enquiry', 1, 1, '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1011, 101, 'victim'), (1021, 102, 'victim'), (1031, 103, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(101, '2026-11-11T15:00:00Z', 'contact', 1011, 'phone', 'update');
SQL
expect "serious-incident-call: a hate crime without the serious flag owes the call" 2026-11-12 HATE-ONLY serious-incident-call \
"HATE-ONLY serious-incident-call - 1 2026-11-10 2026-11-11 met 2026-11-11T15:00:00Z"
expect "serious-incident-call: a hate crime with no call is overdue like a serious case" 2026-11-17 HATE-OVERDUE serious-incident-call \
"HATE-OVERDUE serious-incident-call - 1 2026-11-13 2026-11-16 overdue -"
expect "serious-incident-call: serious and a hate crime is still one call" 2026-11-04 HATE-AND-SERIOUS serious-incident-call \
"HATE-AND-SERIOUS serious-incident-call - 1 2026-11-02 2026-11-03 overdue -"

# HATE-FLAGGED: received Monday 16 November 09:00 with neither flag in
# effect; a `hate` event (flagged a hate crime) on Wednesday 18 at 14:00
# starts the clock then, as a `serious` event does: the column (1) is the
# end of that history, not the start. Due Thursday 19; the phone call of
# Monday 16 came before the flag and does not count; the call on Thursday
# 19 at 10:00 meets it. Before the flag nothing is owed.
# SERIOUS-THEN-HATE: received Monday 2 November 09:00, a `serious` event on
# Tuesday 3 at 10:00 and a `hate` event on Wednesday 4: the filter first
# holds at the serious flag, so one call is owed from Tuesday 3, due
# Wednesday 4; none: overdue on Thursday 5.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, hate, received_at) VALUES
	(104, 'HATE-FLAGGED', 'enquiry', 0, 1, '2026-11-16T09:00:00Z'),
	(105, 'SERIOUS-THEN-HATE', 'enquiry', 1, 1, '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1041, 104, 'victim'), (1051, 105, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(104, '2026-11-16T11:00:00Z', 'contact', 1041, 'phone', 'update'),
	(104, '2026-11-18T14:00:00Z', 'hate', NULL, NULL, NULL),
	(104, '2026-11-19T10:00:00Z', 'contact', 1041, 'phone', 'update'),
	(105, '2026-11-03T10:00:00Z', 'serious', NULL, NULL, NULL),
	(105, '2026-11-04T10:00:00Z', 'hate', NULL, NULL, NULL);
SQL
expect "serious-incident-call: nothing owed before the case is flagged a hate crime" 2026-11-17 HATE-FLAGGED serious-incident-call ""
expect "serious-incident-call: a hate event after receipt starts the clock at the flag" 2026-11-20 HATE-FLAGGED serious-incident-call \
"HATE-FLAGGED serious-incident-call - 1 2026-11-18 2026-11-19 met 2026-11-19T10:00:00Z"
expect "serious-incident-call: the first flag starts the clock, a later one adds nothing" 2026-11-05 SERIOUS-THEN-HATE serious-incident-call \
"SERIOUS-THEN-HATE serious-incident-call - 1 2026-11-03 2026-11-04 overdue -"

# HATE-DATED-AS-SERIOUS: a hate crime flagged after receipt as a version 1
# database (or an integration that dates only seriousness, hate crimes
# included) records it: both columns 1, a `serious` event on Tuesday 10
# November at 11:00, no `hate` event. The hate flag dates from the serious
# event, not from receipt (Monday 9): the call is due Wednesday 11, and the
# call on Wednesday 11 meets it, as it did before hate crimes were a flag of
# their own.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, hate, received_at) VALUES (1050, 'HATE-DATED-AS-SERIOUS', 'enquiry', 1, 1, '2026-11-09T09:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (10501, 1050, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(1050, '2026-11-10T11:00:00Z', 'serious', NULL, NULL, NULL),
	(1050, '2026-11-11T15:00:00Z', 'contact', 10501, 'phone', 'update');
SQL
expect "serious-incident-call: a hate crime dated by a serious event counts from that event" 2026-11-12 HATE-DATED-AS-SERIOUS serious-incident-call \
"HATE-DATED-AS-SERIOUS serious-incident-call - 1 2026-11-10 2026-11-11 met 2026-11-11T15:00:00Z"

# An event dated before the case was received: one of the two dates is
# wrong. BEFORE-RECEIPT: received Monday 2 November 09:00 from a victim who
# reported it (roles complainant), `accepted` event dated Thursday 1
# October (id 1061). Reported, and taken as at receipt: the
# victim visit counts 10 working days from Monday 2 November: Nov 3-6 (4),
# 9-13 (9), Mon 16 (10) -> due Monday 16 November; overdue on Friday 20
# (4 working days late: 17, 18, 19, 20).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (106, 'BEFORE-RECEIPT', 'case', '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role, roles) VALUES (1061, 106, 'victim', 'complainant'), (1062, 106, 'perpetrator', NULL);
INSERT INTO events (id, case_id, at, kind) VALUES (1061, 106, '2026-10-01T10:00:00+01:00', 'accepted');
SQL
expect "an event before receipt: the clock it starts runs from receipt" 2026-11-20 BEFORE-RECEIPT victim-visit \
"BEFORE-RECEIPT victim-visit 1061 1 2026-11-02 2026-11-16 overdue -"
problems_are "an event before receipt is a problem naming the event and both dates" 2026-11-20 BEFORE-RECEIPT \
"event 1061 (accepted) is dated 2026-10-01, before the case was received on 2026-11-02: taken as at receipt, and meets nothing (skipped: false)"
if grep -qF "case BEFORE-RECEIPT: event 1061 (accepted) is dated 2026-10-01" "$T/err"; then
	ok "an event before receipt: on standard error with the case reference"
else
	not_ok "an event before receipt: on standard error with the case reference"
	_diag
fi

# CONTACT-BEFORE-RECEIPT: received Tuesday 3 November 10:00; an
# acknowledgement letter to the complainant dated Friday 30 October (id
# 1071) meets nothing: acknowledge-enquiry due Friday 6 November (Wed 4,
# Thu 5, Fri 6), overdue on Monday 9.
# SAME-DAY-EARLIER: received Wednesday 4 November 10:00; an acknowledgement
# call at 09:30 the same day (id 1081): a case logged after the first call.
# Taken as at receipt, it meets acknowledge-enquiry (due Monday 9: Thu 5,
# Fri 6, Mon 9), shown at its own time, and nothing is reported.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(107, 'CONTACT-BEFORE-RECEIPT', 'enquiry', '2026-11-03T10:00:00Z'),
	(108, 'SAME-DAY-EARLIER', 'enquiry', '2026-11-04T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1071, 107, 'complainant'), (1081, 108, 'complainant');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(1071, 107, '2026-10-30T10:00:00Z', 'contact', 1071, 'letter', 'acknowledgement'),
	(1081, 108, '2026-11-04T09:30:00Z', 'contact', 1081, 'phone', 'acknowledgement');
SQL
expect "a contact dated before receipt meets nothing" 2026-11-09 CONTACT-BEFORE-RECEIPT acknowledge-enquiry \
"CONTACT-BEFORE-RECEIPT acknowledge-enquiry - 1 2026-11-03 2026-11-06 overdue -"
problems_are "a contact dated before receipt is a problem" 2026-11-09 CONTACT-BEFORE-RECEIPT \
"event 1071 (contact) is dated 2026-10-30, before the case was received on 2026-11-03: taken as at receipt, and meets nothing (skipped: false)"
expect "a contact earlier on the day of receipt counts, at its own time" 2026-11-10 SAME-DAY-EARLIER acknowledge-enquiry \
"SAME-DAY-EARLIER acknowledge-enquiry - 1 2026-11-04 2026-11-09 met 2026-11-04T09:30:00Z"
problems_are "a contact earlier on the day of receipt is no problem" 2026-11-10 SAME-DAY-EARLIER ""

# One contact, several roles. SELF-REPORTED: an enquiry received Monday 9
# November 10:00 from a victim who reported it themselves: role victim,
# roles complainant. They are the complainant to acknowledge: due Thursday
# 12 (Tue 10, Wed 11, Thu 12); the letter on Wednesday 11 meets it.
# VICTIM-ONLY: the same enquiry with the reporter recorded as the victim
# alone: no complainant or referrer to acknowledge, so nothing is owed,
# and the case says so.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(109, 'SELF-REPORTED', 'enquiry', '2026-11-09T10:00:00Z'),
	(110, 'VICTIM-ONLY', 'enquiry', '2026-11-09T10:00:00Z');
INSERT INTO parties (id, case_id, role, roles) VALUES (1091, 109, 'victim', 'complainant'), (1101, 110, 'victim', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(109, '2026-11-11T10:00:00Z', 'contact', 1091, 'letter', 'acknowledgement'),
	(110, '2026-11-11T10:00:00Z', 'contact', 1101, 'letter', 'acknowledgement');
SQL
expect "several roles: a victim who is also the complainant is acknowledged as the complainant" 2026-11-13 SELF-REPORTED acknowledge-enquiry \
"SELF-REPORTED acknowledge-enquiry - 1 2026-11-09 2026-11-12 met 2026-11-11T10:00:00Z"
problems_are "several roles: nothing to report for the self-reported enquiry" 2026-11-13 SELF-REPORTED ""
expect "a reporter recorded as the victim alone is owed no acknowledgement" 2026-11-13 VICTIM-ONLY acknowledge-enquiry ""
problems_are "no one to acknowledge: the case says so" 2026-11-13 VICTIM-ONLY \
"acknowledge-enquiry: no complainant or referrer on the case, so nothing is owed until one is recorded (skipped: false)"

# COMPLAINANT-VICTIM: received Monday 2 November 09:00, accepted Wednesday 4
# at 10:00; party 1111 is role complainant, roles victim (the victim who
# complained). Perpetrator 1112. The same person is owed everything of both
# roles, once:
# - acknowledge-enquiry (complainant): Tue 3, Wed 4, Thu 5 -> due Thursday
#   5; the acknowledgement call on Tuesday 3 meets it.
# - acknowledgement-letters (victim): Thu 5, Fri 6, Mon 9 -> due Monday 9;
#   the letter on Thursday 5 at 10:00 meets it.
# - victim-visit: Nov 5-6 (2), 9-13 (7), 16, 17, 18 (10) -> due Wednesday
#   18; the visit on Tuesday 17 at 10:00 meets it.
# - keep-informed (victim), 20 working days: cycle 1 from Wed 4: Nov 5-6
#   (2), 9-13 (7), 16-20 (12), 23-27 (17), 30, Dec 1, 2 (20) -> due
#   Wednesday 2 December, met by the letter of Thu 5 (the call of Tuesday
#   3 came before acceptance); cycle 2 from Thu 5: Nov 6 (1), 9-13 (6),
#   16-20 (11), 23-27 (16), Nov 30 - Dec 3 (20) -> due Thursday 3
#   December, met by the visit of Tue 17; cycle 3 from Tue 17: Nov 18-20
#   (3), 23-27 (8), Nov 30 - Dec 4 (13), Dec 7-11 (18), 14, 15 (20) -> due
#   Tuesday 15 December, pending on Friday 20 November.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (111, 'COMPLAINANT-VICTIM', 'case', '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role, roles) VALUES (1111, 111, 'complainant', 'victim'), (1112, 111, 'perpetrator', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(111, '2026-11-03T10:00:00Z', 'contact', 1111, 'phone', 'acknowledgement'),
	(111, '2026-11-04T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(111, '2026-11-05T10:00:00Z', 'contact', 1111, 'letter', 'acknowledgement'),
	(111, '2026-11-17T10:00:00Z', 'contact', 1111, 'visit', 'update');
SQL
if _status 2026-11-20 COMPLAINANT-VICTIM; then
	jq -r '.obligations[] | select(.rule != "perpetrator-letter")
		| [.case, .rule, (.party // "-"), .cycle, .start, (.due // "-"), .state, (.met_at // "-")]
		| map(tostring) | join(" ")' "$T/json" >"$T/out"
	_compare "several roles: a complainant who is the victim is owed what both roles are owed, once each" \
"COMPLAINANT-VICTIM acknowledge-enquiry - 1 2026-11-02 2026-11-05 met 2026-11-03T10:00:00Z
COMPLAINANT-VICTIM acknowledgement-letters 1111 1 2026-11-04 2026-11-09 met 2026-11-05T10:00:00Z
COMPLAINANT-VICTIM victim-visit 1111 1 2026-11-04 2026-11-18 met 2026-11-17T10:00:00Z
COMPLAINANT-VICTIM keep-informed 1111 1 2026-11-04 2026-12-02 met 2026-11-05T10:00:00Z
COMPLAINANT-VICTIM keep-informed 1111 2 2026-11-05 2026-12-03 met 2026-11-17T10:00:00Z
COMPLAINANT-VICTIM keep-informed 1111 3 2026-11-17 2026-12-15 pending -"
else
	not_ok "several roles: a complainant who is the victim ($_why)"
	_diag
fi
"$CASEWATCH" -c "$conf" status --at 2026-11-20 COMPLAINANT-VICTIM >"$T/out" 2>"$T/err"
if grep -q '^COMPLAINANT-VICTIM *victim-visit  *victim 1111 ' "$T/out" &&
	grep -q '^COMPLAINANT-VICTIM *keep-informed #3  *victim 1111 ' "$T/out"; then
	ok "several roles: the table names the role an obligation is owed in"
else
	not_ok "several roles: the table names the role an obligation is owed in"
	sed 's/^/# /' "$T/out"
fi

# 1.2.2 "clients (if no victim has been identified this should be the
# referring agency)": with neither, the complainant, a client too.
# KI-COMPLAINANT: accepted Wednesday 4 November with a complainant only:
# cycle 1 from Wed 4, due Wednesday 2 December (as above); contacted Monday
# 16 at 10:00: met; cycle 2 from Mon 16: Nov 17-20 (4), 23-27 (9), Nov 30 -
# Dec 4 (14), Dec 7-11 (19), Mon 14 (20) -> due Monday 14 December.
# KI-REFERRER-AND-COMPLAINANT: a referrer and a complainant, no victim: the
# referrer is kept informed, the complainant not (the referrer comes first).
# KI-COMPLAINANT-THEN-REFERRER: a complainant known from receipt, a referrer
# identified Tuesday 17 November 10:00: the complainant stands in until
# then, the open cycle (due Wed 2 December) cancelled; the referrer's chain
# from Tue 17: Nov 18-20 (3), 23-27 (8), Nov 30 - Dec 4 (13), 7-11 (18),
# 14, 15 (20) -> due Tuesday 15 December.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(112, 'KI-COMPLAINANT', 'case', '2026-11-02T09:00:00Z'),
	(113, 'KI-REFERRER-AND-COMPLAINANT', 'case', '2026-11-02T09:00:00Z'),
	(114, 'KI-COMPLAINANT-THEN-REFERRER', 'case', '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES
	(1121, 112, 'complainant', NULL),
	(1131, 113, 'referrer', NULL), (1132, 113, 'complainant', NULL),
	(1141, 114, 'complainant', NULL), (1142, 114, 'referrer', '2026-11-17T10:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(112, '2026-11-04T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(112, '2026-11-16T10:00:00Z', 'contact', 1121, 'phone', 'update'),
	(113, '2026-11-04T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(114, '2026-11-04T10:00:00Z', 'accepted', NULL, NULL, NULL);
SQL
expect "keep-informed: with no victim and no referrer the complainant is kept informed" 2026-11-20 KI-COMPLAINANT keep-informed \
"KI-COMPLAINANT keep-informed 1121 1 2026-11-04 2026-12-02 met 2026-11-16T10:00:00Z
KI-COMPLAINANT keep-informed 1121 2 2026-11-16 2026-12-14 pending -"
expect "keep-informed: the referrer comes before the complainant" 2026-11-20 KI-REFERRER-AND-COMPLAINANT keep-informed \
"KI-REFERRER-AND-COMPLAINANT keep-informed 1131 1 2026-11-04 2026-12-02 pending -"
expect "keep-informed: the complainant stands in until a referrer is identified" 2026-11-20 KI-COMPLAINANT-THEN-REFERRER keep-informed \
"KI-COMPLAINANT-THEN-REFERRER keep-informed 1141 1 2026-11-04 2026-12-02 cancelled -
KI-COMPLAINANT-THEN-REFERRER keep-informed 1142 1 2026-11-17 2026-12-15 pending -"

# No one to keep informed. NO-CLIENT: accepted Wednesday 4 November with
# only a witness and a perpetrator: keep-informed and acknowledge-enquiry
# have no one to be owed to, and the case says so, once for each. While it
# was an enquiry (Tuesday 3) keep-informed did not apply yet: only the
# acknowledgement is missing. Once closed (Thursday 19) nothing applies and
# nothing is said.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (115, 'NO-CLIENT', 'closed', '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1151, 115, 'witness'), (1152, 115, 'perpetrator');
INSERT INTO events (case_id, at, kind) VALUES
	(115, '2026-11-04T10:00:00Z', 'accepted'),
	(115, '2026-11-19T10:00:00Z', 'closed');
SQL
problems_are "no client: an enquiry says it has no one to acknowledge" 2026-11-03 NO-CLIENT \
"acknowledge-enquiry: no complainant or referrer on the case, so nothing is owed until one is recorded (skipped: false)"
problems_are "no client: an accepted case says it has no one to keep informed either" 2026-11-10 NO-CLIENT \
"acknowledge-enquiry: no complainant or referrer on the case, so nothing is owed until one is recorded (skipped: false)
keep-informed: no victim, referrer or complainant on the case, so nothing is owed until one is recorded (skipped: false)"
problems_are "no client: a closed case owes nothing and says nothing" 2026-11-20 NO-CLIENT ""
expect "no client: no keep-informed obligation at all" 2026-11-10 NO-CLIENT keep-informed ""

# "unless another timescale for contact has been agreed", as an `agreed`
# event that applies from its date.
# KI-AGREED-WEEKLY: victim 1161, accepted Monday 2 November 10:00. Cycle 1
# from Mon 2, 20 working days: Nov 3-6 (4), 9-13 (9), 16-20 (14), 23-27
# (19), Mon 30 (20) -> due Monday 30 November. On Tuesday 10 the victim
# agrees to weekly contact ('Weekly', with the victim) while cycle 1 runs:
# its deadline comes forward to the agreement's date + 7 days, Tuesday 17
# (earlier than 30 November). Before the agreement (Monday 9) it is still
# due 30 November. The call on Thursday 12 at 10:00 meets it; cycle 2 from
# Thu 12 is weekly: 7 days -> due Thursday 19; the call on Friday 20 at
# 11:00 is late; cycle 3 from Fri 20 -> Friday 27 November.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (116, 'KI-AGREED-WEEKLY', 'case', '2026-10-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1161, 116, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(116, '2026-11-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(116, '2026-11-10T10:00:00Z', 'agreed', 1161, NULL, 'Weekly'),
	(116, '2026-11-12T10:00:00Z', 'contact', 1161, 'phone', 'update'),
	(116, '2026-11-20T11:00:00Z', 'contact', 1161, 'phone', 'update');
SQL
expect "agreed: before the agreement, the standard's timescale" 2026-11-09 KI-AGREED-WEEKLY keep-informed \
"KI-AGREED-WEEKLY keep-informed 1161 1 2026-11-02 2026-11-30 pending -"
expect "agreed: a shorter timescale brings the running cycle forward, counted from the agreement" 2026-11-11 KI-AGREED-WEEKLY keep-informed \
"KI-AGREED-WEEKLY keep-informed 1161 1 2026-11-02 2026-11-17 pending -"
expect "agreed: cycles that start after the agreement take its timescale" 2026-11-20T15:00:00Z KI-AGREED-WEEKLY keep-informed \
"KI-AGREED-WEEKLY keep-informed 1161 1 2026-11-02 2026-11-17 met 2026-11-12T10:00:00Z
KI-AGREED-WEEKLY keep-informed 1161 2 2026-11-12 2026-11-19 met_late 2026-11-20T11:00:00Z
KI-AGREED-WEEKLY keep-informed 1161 3 2026-11-20 2026-11-27 pending -"

# KI-AGREED-SAMEDAY: victim 1171, accepted Monday 2 November; called on
# Thursday 12 at 10:00 (cycle 1 met); at 15:00 the same day, recorded
# after the call, 'fortnightly' is agreed for the case (no party). It
# applies from its date, so cycle 2, starting on Thursday 12, is
# fortnightly: 14 days -> due Thursday 26 November. At noon that day the
# agreement is not recorded yet: cycle 2 has the standard's 20 working
# days: Nov 13 (1), 16-20 (6), 23-27 (11), Nov 30 - Dec 4 (16), 7-10 (20)
# -> Thursday 10 December.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (117, 'KI-AGREED-SAMEDAY', 'case', '2026-10-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1171, 117, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(117, '2026-11-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(117, '2026-11-12T10:00:00Z', 'contact', 1171, 'phone', 'update'),
	(117, '2026-11-12T15:00:00Z', 'agreed', NULL, NULL, 'fortnightly');
SQL
expect "agreed: not yet recorded at noon, the standard's timescale" 2026-11-12 KI-AGREED-SAMEDAY keep-informed \
"KI-AGREED-SAMEDAY keep-informed 1171 1 2026-11-02 2026-11-30 met 2026-11-12T10:00:00Z
KI-AGREED-SAMEDAY keep-informed 1171 2 2026-11-12 2026-12-10 pending -"
expect "agreed: an agreement applies to the cycle starting on its date" 2026-11-13 KI-AGREED-SAMEDAY keep-informed \
"KI-AGREED-SAMEDAY keep-informed 1171 1 2026-11-02 2026-11-30 met 2026-11-12T10:00:00Z
KI-AGREED-SAMEDAY keep-informed 1171 2 2026-11-12 2026-11-26 pending -"

# KI-AGREED-CHANGE: agreed_contact '10 Working Days' at receipt (Thursday 1
# October, BST), accepted Friday 2 October 10:00 BST; victim 1181.
# Cycle 1 from Fri 2 Oct: Oct 5-9 (5), 12-16 (10) -> due Friday 16
# October; called Wed 14: met. Cycle 2 from Wed 14: Oct 15, 16 (2), 19-23
# (7), 26, 27, 28 (10) -> due Wednesday 28 October; called Tue 27: met.
# On Monday 2 November '1 month' is agreed. Cycle 3 started Tue 27 October,
# before it: 10 working days: Oct 28-30 (3), Nov 2-6 (8), 9, 10 (10) ->
# due Tuesday 10 November; a longer timescale agreed while it runs does not
# put it off (2 November + 1 month is later); called Monday 9: met. Cycle
# 4 from Mon 9 November: 1 month -> due Wednesday 9 December.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, agreed_contact, received_at) VALUES (118, 'KI-AGREED-CHANGE', 'case', '10 Working Days', '2026-10-01T09:00:00+01:00');
INSERT INTO parties (id, case_id, role) VALUES (1181, 118, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(118, '2026-10-02T10:00:00+01:00', 'accepted', NULL, NULL, NULL),
	(118, '2026-10-14T10:00:00+01:00', 'contact', 1181, 'phone', 'update'),
	(118, '2026-10-27T10:00:00Z', 'contact', 1181, 'phone', 'update'),
	(118, '2026-11-02T10:00:00Z', 'agreed', NULL, NULL, '1 month'),
	(118, '2026-11-09T10:00:00Z', 'contact', 1181, 'phone', 'update');
SQL
expect "agreed: a change of timescale leaves past cycles as they were; a month is a calendar month" 2026-11-20 KI-AGREED-CHANGE keep-informed \
"KI-AGREED-CHANGE keep-informed 1181 1 2026-10-02 2026-10-16 met 2026-10-14T10:00:00+01:00
KI-AGREED-CHANGE keep-informed 1181 2 2026-10-14 2026-10-28 met 2026-10-27T10:00:00Z
KI-AGREED-CHANGE keep-informed 1181 3 2026-10-27 2026-11-10 met 2026-11-09T10:00:00Z
KI-AGREED-CHANGE keep-informed 1181 4 2026-11-09 2026-12-09 pending -"

# KI-AGREED-BAD: agreed_contact '10 working days', accepted Monday 2
# November 10:00; victim 1191 reported it (roles complainant); cycle 1: Nov 3-6 (4), 9-13 (9), Mon 16 (10) -> due Monday
# 16 November. On Wednesday 4 an agreement 'as needed' (id 1191) is
# recorded: no timescale, a problem, and from then the standard's own 20
# working days apply (for cycle 1, running then, 4 November + 20 working
# days is later than its own deadline, which stays). Called Thursday 5:
# cycle 1 met; cycle 2 from Thu 5:
# Nov 6 (1), 9-13 (6), 16-20 (11), 23-27 (16), Nov 30 - Dec 3 (20) -> due
# Thursday 3 December.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, agreed_contact, received_at) VALUES (119, 'KI-AGREED-BAD', 'case', '10 working days', '2026-10-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, roles) VALUES (1191, 119, 'victim', 'complainant');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(1190, 119, '2026-11-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(1191, 119, '2026-11-04T10:00:00Z', 'agreed', 1191, NULL, 'as needed'),
	(1192, 119, '2026-11-05T10:00:00Z', 'contact', 1191, 'phone', 'update');
SQL
expect "agreed: a timescale that does not read brings back the standard's own" 2026-11-20 KI-AGREED-BAD keep-informed \
"KI-AGREED-BAD keep-informed 1191 1 2026-11-02 2026-11-16 met 2026-11-05T10:00:00Z
KI-AGREED-BAD keep-informed 1191 2 2026-11-05 2026-12-03 pending -"
problems_are "agreed: a timescale that does not read is a problem naming the event" 2026-11-20 KI-AGREED-BAD \
"event 1191: its detail (9 characters) is not an agreed timescale like \"10 working days\", \"fortnightly\" or \"1 month\": the standard's own timescale applies from its date (skipped: false)"

# KI-AGREED-PARTY: two victims, accepted Monday 2 November 10:00; '2 weeks'
# agreed with victim 1201 at 10:30 the same day. It applies from its date,
# so to 1201's first cycle: 14 days -> due Monday 16 November; victim 1202
# keeps the standard's 20 working days -> Monday 30 November.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (120, 'KI-AGREED-PARTY', 'case', '2026-10-29T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1201, 120, 'victim'), (1202, 120, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(120, '2026-11-02T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(120, '2026-11-02T10:30:00Z', 'agreed', 1201, NULL, '2 weeks');
SQL
expect "agreed: an agreement with one party is theirs alone" 2026-11-05 KI-AGREED-PARTY keep-informed \
"KI-AGREED-PARTY keep-informed 1201 1 2026-11-02 2026-11-16 pending -
KI-AGREED-PARTY keep-informed 1202 1 2026-11-02 2026-11-30 pending -"

#######################################################################
# A whole case: every obligation of the pack, in rule order, then party,
# then cycle, and nothing else.
#######################################################################

# Serious case received Monday 7 September 09:30 BST (08:30Z). Parties:
# complainant 901, victim 902, witness 903, referrer 904 (all known from
# receipt), perpetrator 905 identified Thursday 10 September 14:00 BST.
# - serious-incident-call: due Tue 8 Sep; the phone call to the victim on
#   Mon 7 at 11:00 BST meets it.
# - acknowledge-enquiry: Tue 8, Wed 9, Thu 10 -> due Thu 10 Sep; the letter
#   to the referrer on Tue 8 at 10:00 BST meets it.
# - sendback-letter: never not_accepted: none.
# - accepted Wednesday 9 September 09:00 BST.
# - acknowledgement-letters (902, 903, 904): Thu 10, Fri 11, Mon 14 -> due
#   Mon 14 Sep; letters on Thu 10 at 09:00, 09:05, 09:10 BST: met. (The
#   referrer's acknowledgement of Tue 8 was before acceptance: not counted.)
# - victim-visit (902): Thu 10, Fri 11 (2), Sep 14-18 (7), Mon 21, Tue 22,
#   Wed 23 (10) -> due Wed 23 Sep; visit Fri 18 at 14:00 BST: met.
# - perpetrator-letter (905): from identification Thu 10 Sep: Fri 11 (1),
#   Sep 14-18 (6), 21-25 (11), Sep 28 - Oct 2 (16), Oct 5-8 (20) -> due Thu
#   8 Oct; letter Mon 14 Sep 10:00 BST: met.
# - no-perpetrator: accepted Wed 9 with no perpetrator: due Wed 9; the
#   perpetrator identified Thu 10 at 14:00 BST: met_late.
# - keep-informed (902; the referrer is not a fallback since there is a
#   victim): cycle 1 from Wed 9 Sep: Thu 10, Fri 11 (2), Sep 14-18 (7),
#   21-25 (12), Sep 28 - Oct 2 (17), Oct 5, 6, 7 (20) -> due Wed 7 Oct, met
#   by the acknowledgement letter Thu 10 Sep 09:00 BST (any contact with
#   the victim); cycle 2 from Thu 10 Sep -> due Thu 8 Oct, met by the visit
#   Fri 18 Sep; cycle 3 from Fri 18 Sep: Sep 21-25 (5), Sep 28 - Oct 2
#   (10), Oct 5-9 (15), Oct 12-16 (20) -> due Fri 16 Oct, pending on 1 Oct.
#   (The phone call of Mon 7 Sep was before acceptance: not counted.)
rows <<'SQL'
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES (90, 'FULL', 'case', 1, '2026-09-07T08:30:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES
	(901, 90, 'complainant', NULL), (902, 90, 'victim', NULL), (903, 90, 'witness', NULL),
	(904, 90, 'referrer', NULL), (905, 90, 'perpetrator', '2026-09-10T13:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(90, '2026-09-07T10:00:00Z', 'contact', 902, 'phone', 'update'),
	(90, '2026-09-08T09:00:00Z', 'contact', 904, 'letter', 'acknowledgement'),
	(90, '2026-09-09T08:00:00Z', 'accepted', NULL, NULL, NULL),
	(90, '2026-09-10T08:00:00Z', 'contact', 902, 'letter', 'acknowledgement'),
	(90, '2026-09-10T08:05:00Z', 'contact', 903, 'letter', 'acknowledgement'),
	(90, '2026-09-10T08:10:00Z', 'contact', 904, 'letter', 'acknowledgement'),
	(90, '2026-09-14T09:00:00Z', 'contact', 905, 'letter', 'warning'),
	(90, '2026-09-18T13:00:00Z', 'contact', 902, 'visit', 'update');
SQL
if _status 2026-10-01 FULL; then
	jq -r '.obligations[] | [.case, .rule, (.party // "-"), .cycle, .start, (.due // "-"), .state, (.met_at // "-")]
		| map(tostring) | join(" ")' "$T/json" >"$T/out"
	_compare "whole case: every rule of the pack, in rule, party and cycle order, nothing more" \
"FULL serious-incident-call - 1 2026-09-07 2026-09-08 met 2026-09-07T11:00:00+01:00
FULL acknowledge-enquiry - 1 2026-09-07 2026-09-10 met 2026-09-08T10:00:00+01:00
FULL acknowledgement-letters 902 1 2026-09-09 2026-09-14 met 2026-09-10T09:00:00+01:00
FULL acknowledgement-letters 903 1 2026-09-09 2026-09-14 met 2026-09-10T09:05:00+01:00
FULL acknowledgement-letters 904 1 2026-09-09 2026-09-14 met 2026-09-10T09:10:00+01:00
FULL victim-visit 902 1 2026-09-09 2026-09-23 met 2026-09-18T14:00:00+01:00
FULL perpetrator-letter 905 1 2026-09-10 2026-10-08 met 2026-09-14T10:00:00+01:00
FULL no-perpetrator - 1 2026-09-09 2026-09-09 met_late 2026-09-10T14:00:00+01:00
FULL keep-informed 902 1 2026-09-09 2026-10-07 met 2026-09-10T09:00:00+01:00
FULL keep-informed 902 2 2026-09-10 2026-10-08 met 2026-09-18T14:00:00+01:00
FULL keep-informed 902 3 2026-09-18 2026-10-16 pending -"
	jq -e '.at | type == "string"' "$T/json" >/dev/null &&
		ok "status --json: has the time of evaluation" || not_ok "status --json: has the time of evaluation"
else
	not_ok "whole case: every rule of the pack ($_why)"
	_diag
fi

#######################################################################
# Which cases `status` lists without a REF: open cases, and closed cases
# with an obligation still unmet (pending, overdue, paused) at TIME; cases
# received after TIME do not exist yet. Its own database.
#######################################################################
sdb="$T/sel/cases.db"
mkdir "$T/sel"
cat >"$T/sel/leeds.conf" <<EOF
database = "cases.db";
rules = [ "$src/rules/leeds-asbu.conf" ];
EOF
"$CASEWATCH" db init "$sdb" >/dev/null 2>&1 || not_ok "db init for the selection database"
# Every case has a complainant (else acknowledge-enquiry owes nothing).
# SEL-OPEN: open enquiry received Mon 2 March; acknowledge-enquiry due Thu 5.
# SEL-DONE: acknowledged Tue 3 (met), closed Wed 4: nothing unmet.
# SEL-CLOSED-LATE: closed Mon 9 March, not acknowledged by Thu 5: overdue
#   before the closure, stays overdue.
# SEL-FUTURE: received Wed 11 March, after 10 March.
# SEL-COLUMN-CLOSED: stage column closed, no lifecycle events, received Mon 9
#   March: acknowledge-enquiry due Thu 12 (Tue 10, Wed 11, Thu 12). Taken as
#   closed at the time of evaluation: on 10 March before its deadline
#   (cancelled); on 13 March after it (overdue, so listed).
# SEL-GATE: not accepted Tue 3, closed Wed 4 with no sendback letter:
#   breached gate (acknowledgement to the referrer Tue 3 met).
# SEL-CLOSES-LATER: acknowledged Tue 3, closed Thu 12 March: open on 10
#   March (the closure is after TIME), closed with nothing unmet on 13 March.
sqlite3 -bail -batch "$sdb" >"$T/sqlout" 2>&1 <<'SQL' || { not_ok "inserting the selection rows"; sed 's/^/# /' "$T/sqlout"; }
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(1, 'SEL-OPEN', 'enquiry', '2026-03-02T10:00:00Z'),
	(2, 'SEL-DONE', 'closed', '2026-03-02T10:00:00Z'),
	(3, 'SEL-CLOSED-LATE', 'closed', '2026-03-02T10:00:00Z'),
	(4, 'SEL-FUTURE', 'enquiry', '2026-03-11T10:00:00Z'),
	(5, 'SEL-COLUMN-CLOSED', 'closed', '2026-03-09T10:00:00Z'),
	(6, 'SEL-GATE', 'closed', '2026-03-02T10:00:00Z'),
	(7, 'SEL-CLOSES-LATER', 'closed', '2026-03-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (11, 1, 'complainant'), (21, 2, 'complainant'), (31, 3, 'complainant'),
	(41, 4, 'complainant'), (51, 5, 'complainant'), (61, 6, 'referrer'), (71, 7, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(2, '2026-03-03T10:00:00Z', 'contact', 21, 'letter', 'acknowledgement'),
	(2, '2026-03-04T10:00:00Z', 'closed', NULL, NULL, NULL),
	(3, '2026-03-09T10:00:00Z', 'closed', NULL, NULL, NULL),
	(6, '2026-03-03T10:00:00Z', 'not_accepted', NULL, NULL, NULL),
	(6, '2026-03-03T11:00:00Z', 'contact', 61, 'letter', 'acknowledgement'),
	(6, '2026-03-04T10:00:00Z', 'closed', NULL, NULL, NULL),
	(7, '2026-03-03T10:00:00Z', 'contact', 71, 'letter', 'acknowledgement'),
	(7, '2026-03-12T10:00:00Z', 'closed', NULL, NULL, NULL);
SQL
conf_main=$conf
conf="$T/sel/leeds.conf"
# list_cases NAME AT EXPECTED: the cases status lists without a REF, in order.
list_cases() {
	if _status "$2"; then
		jq -r '.obligations[].case' "$T/json" | uniq >"$T/out"
		_compare "$1" "$3"
	else
		not_ok "$1 ($_why)"
		_diag
	fi
}
list_cases "status without REF on 10 March: open cases and closed ones with unmet obligations" 2026-03-10 \
"SEL-OPEN
SEL-CLOSED-LATE
SEL-GATE
SEL-CLOSES-LATER"
list_cases "status without REF on 13 March: a new case; a closed case with nothing unmet drops out" 2026-03-13 \
"SEL-OPEN
SEL-CLOSED-LATE
SEL-FUTURE
SEL-COLUMN-CLOSED
SEL-GATE"
expect "a case whose stage column says closed with no events is closed at TIME: pending becomes cancelled" 2026-03-10 SEL-COLUMN-CLOSED acknowledge-enquiry \
"SEL-COLUMN-CLOSED acknowledge-enquiry - 1 2026-03-09 2026-03-12 cancelled -"
expect "with a REF, a closed case's every obligation is listed" 2026-03-10 SEL-DONE acknowledge-enquiry \
"SEL-DONE acknowledge-enquiry - 1 2026-03-02 2026-03-05 met 2026-03-03T10:00:00Z"
expect "a case received after TIME does not exist yet" 2026-03-10 SEL-FUTURE acknowledge-enquiry ""
conf=$conf_main

done_testing
