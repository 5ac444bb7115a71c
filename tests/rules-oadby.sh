#!/bin/sh
# The Oadby & Wigston pack (rules/oadby-wigston.conf), rule by rule, through
# the real case database and the real `casewatch status --json` (and
# `status --summary --json` for the unit and target figures).
#
# Every expected value below was worked out by hand from casewatch-rules(5)
# and DESIGN.md section 2, with the England and Wales bank holidays of 2026
# (Jan 1, Apr 3, Apr 6, May 4, May 25, Aug 31, Dec 25, Dec 28); the
# arithmetic is in the comment above each scenario. British Summer Time in
# 2026 runs from Sunday 29 March to Sunday 25 October (local = UTC + 1).
# Nothing here is derived from casewatch's own output.
#
# Reminders (from the man page): the anchor's LOCAL date is day 0; "N days"
# ends N calendar days later, whatever they are; "N working days" on the
# Nth working day after; met when the meeting event's local date is on or
# before the due date; overdue from 00:00 local the next day. On hold, each
# day (for a day rule) from the hold's date up to, not including, the
# resume's (up to and including the evaluation date while the hold is open)
# moves the deadline one day. `--at YYYY-MM-DD` means 12:00 local.
#
# Each test compares one rule's obligations of one case, one line each:
#   CASE RULE PARTY CYCLE START DUE STATE MET_AT    ("-" for null)
. "${top_srcdir:-.}/tests/lib.sh"

. "$top_srcdir/tests/cases-lib.sh"
cases_setup oadby-wigston

#######################################################################
# first-contact: contact with the complainant or victim within 3 working
# days of receipt, by that party's preferred channel where they have one.
# One obligation per case.
#######################################################################

# Received Monday 12 January 2026: Tue 13, Wed 14, Thu 15 -> due Thursday
# 15 January. The complainant prefers email and is emailed Wed 14: met.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (1, 'FC-PREFERRED', 'enquiry', '2026-01-12T10:00:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (11, 1, 'complainant', 'email');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (1, '2026-01-14T10:00:00Z', 'contact', 11, 'email', 'update');
SQL
expect "first-contact: by the preferred channel within 3 working days is met" 2026-01-20 FC-PREFERRED first-contact \
"FC-PREFERRED first-contact - 1 2026-01-12 2026-01-15 met 2026-01-14T10:00:00Z"

# Received Monday 12 January, due Thursday 15. The complainant prefers the
# phone; a letter on Tue 13 is not their preferred channel (still pending on
# Wed 14); the phone call on Fri 16 is late.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (2, 'FC-WRONG-CHANNEL', 'enquiry', '2026-01-12T10:00:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (21, 2, 'complainant', 'phone');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(2, '2026-01-13T10:00:00Z', 'contact', 21, 'letter', 'update'),
	(2, '2026-01-16T10:00:00Z', 'contact', 21, 'phone', 'update');
SQL
expect "first-contact: a channel that is not the preferred one does not count (pending)" 2026-01-14 FC-WRONG-CHANNEL first-contact \
"FC-WRONG-CHANNEL first-contact - 1 2026-01-12 2026-01-15 pending -"
expect "first-contact: the preferred channel after 3 working days is met_late" 2026-01-20 FC-WRONG-CHANNEL first-contact \
"FC-WRONG-CHANNEL first-contact - 1 2026-01-12 2026-01-15 met_late 2026-01-16T10:00:00Z"

# Received Monday 12 January, due Thursday 15. The victim has no preferred
# channel: an SMS on Thu 15 meets it.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (3, 'FC-NO-PREFERENCE', 'enquiry', '2026-01-12T10:00:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (31, 3, 'victim', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (3, '2026-01-15T10:00:00Z', 'contact', 31, 'sms', 'update');
SQL
expect "first-contact: with no preferred channel any channel counts" 2026-01-20 FC-NO-PREFERENCE first-contact \
"FC-NO-PREFERENCE first-contact - 1 2026-01-12 2026-01-15 met 2026-01-15T10:00:00Z"

# Received Tuesday 13 January: Wed 14, Thu 15, Fri 16 -> due Friday 16. The
# only contact is a phone call to the perpetrator (not complainant or
# victim): pending on Fri 16, overdue on Mon 19.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (4, 'FC-OVERDUE', 'enquiry', '2026-01-13T10:00:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (41, 4, 'complainant', 'phone'), (42, 4, 'perpetrator', 'phone');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (4, '2026-01-14T10:00:00Z', 'contact', 42, 'phone', 'update');
SQL
expect "first-contact: pending on the deadline day" 2026-01-16 FC-OVERDUE first-contact \
"FC-OVERDUE first-contact - 1 2026-01-13 2026-01-16 pending -"
expect "first-contact: contact with the perpetrator does not count: overdue" 2026-01-19 FC-OVERDUE first-contact \
"FC-OVERDUE first-contact - 1 2026-01-13 2026-01-16 overdue -"

# Received Wednesday 14 January: Thu 15, Fri 16, Mon 19 -> due Monday 19.
# Closed Thu 15 before any contact: cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (5, 'FC-CLOSED', 'closed', '2026-01-14T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (51, 5, 'complainant');
INSERT INTO events (case_id, at, kind) VALUES (5, '2026-01-15T10:00:00Z', 'closed');
SQL
expect "first-contact: closed before the deadline is cancelled" 2026-01-20 FC-CLOSED first-contact \
"FC-CLOSED first-contact - 1 2026-01-14 2026-01-19 cancelled -"

# Received Saturday 17 January (day 0): Mon 19, Tue 20, Wed 21 -> due
# Wednesday 21. The victim prefers a visit and is visited on Wed 21.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (6, 'FC-SAT', 'enquiry', '2026-01-17T09:00:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (61, 6, 'victim', 'visit');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (6, '2026-01-21T10:00:00Z', 'contact', 61, 'visit', 'update');
SQL
expect "first-contact: Saturday receipt counts from the Saturday" 2026-01-22 FC-SAT first-contact \
"FC-SAT first-contact - 1 2026-01-17 2026-01-21 met 2026-01-21T10:00:00Z"

# Received 2026-10-22T23:30Z = 00:30 BST on Friday 23 October: day 0 Fri 23;
# Mon 26, Tue 27, Wed 28 -> due Wednesday 28 October (from the UTC date,
# Thu 22, it would be Tue 27). The clocks go back on Sun 25 October, so
# the email at 10:00Z on Wed 28 is 10:00 GMT locally, shown with Z.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (7, 'FC-MIDNIGHT', 'enquiry', '2026-10-22T23:30:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (71, 7, 'complainant', 'email');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (7, '2026-10-28T10:00:00Z', 'contact', 71, 'email', 'update');
SQL
expect "first-contact: received at 23:30Z in summer is the next local day; back to GMT moves nothing" 2026-10-29 FC-MIDNIGHT first-contact \
"FC-MIDNIGHT first-contact - 1 2026-10-23 2026-10-28 met 2026-10-28T10:00:00Z"

# Received Friday 28 August 11:00 BST: Mon 31 August is the Summer bank
# holiday; Tue 1, Wed 2, Thu 3 September -> due Thursday 3 September.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (8, 'FC-BANKHOL', 'enquiry', '2026-08-28T10:00:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (81, 8, 'victim', 'phone');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (8, '2026-09-03T14:00:00+01:00', 'contact', 81, 'phone', 'update');
SQL
expect "first-contact: the Summer bank holiday is skipped" 2026-09-04 FC-BANKHOL first-contact \
"FC-BANKHOL first-contact - 1 2026-08-28 2026-09-03 met 2026-09-03T14:00:00+01:00"

# Received Monday 12 January, due Thursday 15. The complainant prefers the
# phone, the victim email. An email to the victim on Tue 13 is by the
# preferred channel of the party it is with: met.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (9, 'FC-TWO-PARTIES', 'enquiry', '2026-01-12T10:00:00Z');
INSERT INTO parties (id, case_id, role, preferred_channel) VALUES (91, 9, 'complainant', 'phone'), (92, 9, 'victim', 'email');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (9, '2026-01-13T10:00:00Z', 'contact', 92, 'email', 'update');
SQL
expect "first-contact: preferred is the preferred channel of the party contacted" 2026-01-20 FC-TWO-PARTIES first-contact \
"FC-TWO-PARTIES first-contact - 1 2026-01-12 2026-01-15 met 2026-01-13T10:00:00Z"

# Received Monday 12 January with only a referrer: no complainant or
# victim, so first-contact owes nothing (it could never be met).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (10, 'FC-NOPARTY', 'enquiry', '2026-01-12T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (101, 10, 'referrer');
SQL
expect "first-contact: nothing owed with no complainant or victim" 2026-01-20 FC-NOPARTY first-contact ""

#######################################################################
# victim-update: a target measured as an interval, working as a recurring
# rule: each victim and complainant of an open case updated at least every
# 14 (calendar) days from receipt or their identification.
#######################################################################

# Received Monday 5 January; victim 211.
# Cycle 1: 5 Jan + 14 days -> Monday 19 January; contacted Thu 15: met.
# Cycle 2: from Thu 15 -> Thursday 29 January; contacted Mon 2 February:
# met_late. Cycle 3: from Mon 2 Feb -> Monday 16 February; none: overdue on
# Tue 17.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (21, 'VU-CHAIN', 'enquiry', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (211, 21, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(21, '2026-01-15T10:00:00Z', 'contact', 211, 'phone', 'update'),
	(21, '2026-02-02T10:00:00Z', 'contact', 211, 'phone', 'update');
SQL
expect "victim-update: cycle 1 met, cycle 2 from the update that met it" 2026-01-16 VU-CHAIN victim-update \
"VU-CHAIN victim-update 211 1 2026-01-05 2026-01-19 met 2026-01-15T10:00:00Z
VU-CHAIN victim-update 211 2 2026-01-15 2026-01-29 pending -"
expect "victim-update: a late update is met_late, the next cycle then overdue" 2026-02-17 VU-CHAIN victim-update \
"VU-CHAIN victim-update 211 1 2026-01-05 2026-01-19 met 2026-01-15T10:00:00Z
VU-CHAIN victim-update 211 2 2026-01-15 2026-01-29 met_late 2026-02-02T10:00:00Z
VU-CHAIN victim-update 211 3 2026-02-02 2026-02-16 overdue -"

# Received Monday 5 January with a victim (221) and a complainant (222):
# one chain each. The complainant is contacted Wed 7 January: cycle 1 met,
# cycle 2 from Wed 7 -> Wednesday 21 January. The victim's cycle 1 (5 Jan
# -> 19 Jan) is still pending on Sat 10.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (22, 'VU-TWO-PARTIES', 'enquiry', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (221, 22, 'victim'), (222, 22, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (22, '2026-01-07T10:00:00Z', 'contact', 222, 'email', 'update');
SQL
expect "victim-update: a chain for each victim and complainant; contact with one is not the other's" 2026-01-10 VU-TWO-PARTIES victim-update \
"VU-TWO-PARTIES victim-update 221 1 2026-01-05 2026-01-19 pending -
VU-TWO-PARTIES victim-update 222 1 2026-01-05 2026-01-19 met 2026-01-07T10:00:00Z
VU-TWO-PARTIES victim-update 222 2 2026-01-07 2026-01-21 pending -"

# Received Monday 5 January; victim 231 identified Friday 9 January 15:00:
# from Fri 9 -> Friday 23 January. On Thu 8 the victim does not exist yet.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (23, 'VU-LATER', 'enquiry', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (231, 23, 'victim', '2026-01-09T15:00:00Z');
SQL
expect "victim-update: no obligation before the victim is identified" 2026-01-08 VU-LATER victim-update ""
expect "victim-update: a victim identified after receipt counts from identification" 2026-01-12 VU-LATER victim-update \
"VU-LATER victim-update 231 1 2026-01-09 2026-01-23 pending -"

# Received Monday 5 January (due Monday 19), closed Friday 9: cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (24, 'VU-CLOSED', 'closed', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (241, 24, 'victim');
INSERT INTO events (case_id, at, kind) VALUES (24, '2026-01-09T10:00:00Z', 'closed');
SQL
expect "victim-update: closing the case cancels the open cycle" 2026-01-12 VU-CLOSED victim-update \
"VU-CLOSED victim-update 241 1 2026-01-05 2026-01-19 cancelled -"

# Received Monday 5 January, cycle 1 due Monday 19 January. On hold from
# Friday 9 to Tuesday 13 January: days on hold Fri 9, Sat 10, Sun 11, Mon
# 12 = 4 days (a day rule counts every day, weekends too) -> due Friday 23
# January; contacted Fri 23: met. Cycle 2 from Fri 23 -> Friday 6 February.
# At noon on Sunday 11 January, on hold since Fri 9: Fri 9, Sat 10, Sun 11
# so far (3 days) -> paused, due Thursday 22 January.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (25, 'VU-HOLD', 'enquiry', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (251, 25, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(25, '2026-01-09T10:00:00Z', 'hold', NULL, NULL, NULL),
	(25, '2026-01-13T10:00:00Z', 'resume', NULL, NULL, NULL),
	(25, '2026-01-23T10:00:00Z', 'contact', 251, 'phone', 'update');
SQL
expect "victim-update: paused on hold, every day on hold so far counts (weekend included)" 2026-01-11 VU-HOLD victim-update \
"VU-HOLD victim-update 251 1 2026-01-05 2026-01-22 paused -"
expect "victim-update: four days on hold move a day deadline four days" 2026-01-24 VU-HOLD victim-update \
"VU-HOLD victim-update 251 1 2026-01-05 2026-01-23 met 2026-01-23T10:00:00Z
VU-HOLD victim-update 251 2 2026-01-23 2026-02-06 pending -"

# Received 2026-07-05T23:30Z = 00:30 BST on Monday 6 July: from Mon 6 ->
# Monday 20 July. The update at 2026-07-20T22:59Z is 23:59 BST on Mon 20:
# met (from the UTC date, Sun 5, it would be due Sun 19 and late). Cycle 2
# from Mon 20 July -> Monday 3 August.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (26, 'VU-MIDNIGHT', 'enquiry', '2026-07-05T23:30:00Z');
INSERT INTO parties (id, case_id, role) VALUES (261, 26, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (26, '2026-07-20T22:59:00Z', 'contact', 261, 'email', 'update');
SQL
expect "victim-update: local dates in summer, receipt and update both near midnight" 2026-07-21 VU-MIDNIGHT victim-update \
"VU-MIDNIGHT victim-update 261 1 2026-07-06 2026-07-20 met 2026-07-20T23:59:00+01:00
VU-MIDNIGHT victim-update 261 2 2026-07-20 2026-08-03 pending -"

# Received Friday 11 December: + 14 days -> Friday 25 December, Christmas
# Day (a day rule does not skip bank holidays): pending on Thu 24. Updated
# Mon 28 December: met_late; cycle 2 from Mon 28 Dec -> Monday 11 January
# 2027.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (27, 'VU-CHRISTMAS', 'enquiry', '2026-12-11T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (271, 27, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (27, '2026-12-28T10:00:00Z', 'contact', 271, 'phone', 'update');
SQL
expect "victim-update: 14 calendar days may end on Christmas Day" 2026-12-24 VU-CHRISTMAS victim-update \
"VU-CHRISTMAS victim-update 271 1 2026-12-11 2026-12-25 pending -"
expect "victim-update: an update after Christmas Day is late; the next cycle runs into 2027" 2026-12-29 VU-CHRISTMAS victim-update \
"VU-CHRISTMAS victim-update 271 1 2026-12-11 2026-12-25 met_late 2026-12-28T10:00:00Z
VU-CHRISTMAS victim-update 271 2 2026-12-28 2027-01-11 pending -"

#######################################################################
# high-risk-update: each victim of a high-risk case updated at least every
# 7 days, counted from receipt (high risk from the start) or from the risk
# event that made it high; the clock stops when the level falls.
#######################################################################

# High risk from the start (risk column high, no risk events). Received
# Monday 5 January: cycle 1 -> Monday 12 January, updated Mon 12 at 16:00:
# met. Cycle 2 from Mon 12 -> Monday 19 January; updated Tue 20: met_late.
# Cycle 3 from Tue 20 -> Tuesday 27 January; none: overdue on Wed 28.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (41, 'HR-FROM-START', 'enquiry', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (411, 41, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(41, '2026-01-12T16:00:00Z', 'contact', 411, 'phone', 'update'),
	(41, '2026-01-20T10:00:00Z', 'contact', 411, 'phone', 'update');
SQL
expect "high-risk-update: high from the start counts from receipt; met, met_late, overdue" 2026-01-28 HR-FROM-START high-risk-update \
"HR-FROM-START high-risk-update 411 1 2026-01-05 2026-01-12 met 2026-01-12T16:00:00Z
HR-FROM-START high-risk-update 411 2 2026-01-12 2026-01-19 met_late 2026-01-20T10:00:00Z
HR-FROM-START high-risk-update 411 3 2026-01-20 2026-01-27 overdue -"

# Received Monday 5 January; standard until a risk event 'high' on
# Wednesday 14 January 15:00: no obligation on Tue 13; from Wed 14 ->
# Wednesday 21 January; updated Wed 21: met; cycle 2 from Wed 21 ->
# Wednesday 28 January.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (42, 'HR-RAISED', 'enquiry', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (421, 42, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(42, '2026-01-14T15:00:00Z', 'risk', NULL, NULL, 'high'),
	(42, '2026-01-21T10:00:00Z', 'contact', 421, 'visit', 'update');
SQL
expect "high-risk-update: no obligation before the case is high risk" 2026-01-13 HR-RAISED high-risk-update ""
expect "high-risk-update: clock from the risk event that made it high" 2026-01-22 HR-RAISED high-risk-update \
"HR-RAISED high-risk-update 421 1 2026-01-14 2026-01-21 met 2026-01-21T10:00:00Z
HR-RAISED high-risk-update 421 2 2026-01-21 2026-01-28 pending -"

# Risk events: medium Tue 6, high Thu 8, high again Mon 12 January (a
# re-assessment that leaves it high). The clock starts at the first high
# one, Thu 8 -> Thursday 15 January; the second does not restart it.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (43, 'HR-RUN', 'enquiry', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (431, 43, 'victim');
INSERT INTO events (case_id, at, kind, detail) VALUES
	(43, '2026-01-06T10:00:00Z', 'risk', 'medium'),
	(43, '2026-01-08T10:00:00Z', 'risk', 'high'),
	(43, '2026-01-12T10:00:00Z', 'risk', 'high');
SQL
expect "high-risk-update: a second high assessment does not restart the clock" 2026-01-14 HR-RUN high-risk-update \
"HR-RUN high-risk-update 431 1 2026-01-08 2026-01-15 pending -"

# High from Mon 5 January 11:00 (risk event) -> cycle 1 due Monday 12;
# updated Fri 9: met. Cycle 2 from Fri 9 -> Friday 16 January; the level
# falls to medium on Tue 13, before that: cancelled. High again Mon 19
# January: a new chain numbering on, cycle 3 from Mon 19 -> Monday 26
# January.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (44, 'HR-FALLS', 'enquiry', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (441, 44, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(44, '2026-01-05T11:00:00Z', 'risk', NULL, NULL, 'high'),
	(44, '2026-01-09T10:00:00Z', 'contact', 441, 'phone', 'update'),
	(44, '2026-01-13T10:00:00Z', 'risk', NULL, NULL, 'medium'),
	(44, '2026-01-19T10:00:00Z', 'risk', NULL, NULL, 'high');
SQL
expect "high-risk-update: the open cycle is cancelled when the level falls" 2026-01-16 HR-FALLS high-risk-update \
"HR-FALLS high-risk-update 441 1 2026-01-05 2026-01-12 met 2026-01-09T10:00:00Z
HR-FALLS high-risk-update 441 2 2026-01-09 2026-01-16 cancelled -"
expect "high-risk-update: high again starts a new chain from the risk event, numbering on" 2026-01-20 HR-FALLS high-risk-update \
"HR-FALLS high-risk-update 441 1 2026-01-05 2026-01-12 met 2026-01-09T10:00:00Z
HR-FALLS high-risk-update 441 2 2026-01-09 2026-01-16 cancelled -
HR-FALLS high-risk-update 441 3 2026-01-19 2026-01-26 pending -"

# High from the start; received Monday 2 February -> due Monday 9 February.
# On hold Wed 4 to Mon 9 February: days on hold Wed 4 - Sun 8 (5 days) ->
# due Saturday 14 February; updated Sat 14: met; cycle 2 from Sat 14 ->
# Saturday 21 February. At noon on Fri 6, on hold: Wed 4, Thu 5, Fri 6 so
# far (3 days) -> paused, due Thursday 12 February.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (45, 'HR-HOLD', 'enquiry', 'high', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (451, 45, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(45, '2026-02-04T10:00:00Z', 'hold', NULL, NULL, NULL),
	(45, '2026-02-09T10:00:00Z', 'resume', NULL, NULL, NULL),
	(45, '2026-02-14T10:00:00Z', 'contact', 451, 'phone', 'update');
SQL
expect "high-risk-update: paused on hold" 2026-02-06 HR-HOLD high-risk-update \
"HR-HOLD high-risk-update 451 1 2026-02-02 2026-02-12 paused -"
expect "high-risk-update: five days on hold move the deadline five days (to a Saturday)" 2026-02-15 HR-HOLD high-risk-update \
"HR-HOLD high-risk-update 451 1 2026-02-02 2026-02-14 met 2026-02-14T10:00:00Z
HR-HOLD high-risk-update 451 2 2026-02-14 2026-02-21 pending -"

# Received Monday 8 June; risk event 'high' at 2026-06-09T23:30Z = 00:30 BST
# on Wednesday 10 June: from Wed 10 -> Wednesday 17 June (from the UTC date
# it would be Tue 16 and this update late); cycle 2 from Wed 17 -> Wednesday
# 24 June.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (46, 'HR-MIDNIGHT', 'enquiry', 'high', '2026-06-08T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (461, 46, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(46, '2026-06-09T23:30:00Z', 'risk', NULL, NULL, 'high'),
	(46, '2026-06-17T10:00:00Z', 'contact', 461, 'phone', 'update');
SQL
expect "high-risk-update: a risk event at 23:30Z in summer is the next local day" 2026-06-18 HR-MIDNIGHT high-risk-update \
"HR-MIDNIGHT high-risk-update 461 1 2026-06-10 2026-06-17 met 2026-06-17T11:00:00+01:00
HR-MIDNIGHT high-risk-update 461 2 2026-06-17 2026-06-24 pending -"

# High from the start, received Monday 5 January; victim 471 identified
# Wednesday 7 January -> from Wed 7 -> Wednesday 14 January.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (47, 'HR-LATER-VICTIM', 'enquiry', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (471, 47, 'victim', '2026-01-07T10:00:00Z');
SQL
expect "high-risk-update: a victim identified later counts from identification" 2026-01-08 HR-LATER-VICTIM high-risk-update \
"HR-LATER-VICTIM high-risk-update 471 1 2026-01-07 2026-01-14 pending -"

# A standard-risk case has no high-risk-update at all.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (48, 'HR-STANDARD', 'enquiry', 'standard', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (481, 48, 'victim');
SQL
expect "high-risk-update: none for a standard-risk case" 2026-01-20 HR-STANDARD high-risk-update ""

# High from the start, received Monday 5 January: cycle 1 -> Monday 12;
# updated Thu 8: met; cycle 2 from Thu 8 -> Thursday 15 January; the case
# is closed on Tue 13: cancelled.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (49, 'HR-CLOSED', 'closed', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (491, 49, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(49, '2026-01-08T10:00:00Z', 'contact', 491, 'phone', 'update'),
	(49, '2026-01-13T10:00:00Z', 'closed', NULL, NULL, NULL);
SQL
expect "high-risk-update: closing the case cancels the open cycle" 2026-01-20 HR-CLOSED high-risk-update \
"HR-CLOSED high-risk-update 491 1 2026-01-05 2026-01-12 met 2026-01-08T10:00:00Z
HR-CLOSED high-risk-update 491 2 2026-01-08 2026-01-15 cancelled -"

#######################################################################
# status --summary --json: the counts of each rule, and the figures of
# jag-meeting (unit), victim-update (interval target) and satisfaction
# (target). Its own database, evaluated on Sunday 15 March 2026 (12:00).
# The 12-month window: 16 March 2025 to 15 March 2026 inclusive.
#######################################################################
# SUM-DEC: received Wed 10 December 2025, no parties: first-contact owes
#   nothing (no complainant or victim), no victim-update.
# SUM-A: received Mon 5 January 2026 10:00, victim 21 (no preference);
#   updates at 10:00 on Thu 8 Jan, Mon 26 Jan, Thu 5 Feb.
#   first-contact: Tue 6, Wed 7, Thu 8 -> due 8 Jan; Thu 8: met.
#   victim-update cycle 1: 5 Jan -> 19 Jan, met 8 Jan (3 days);
#   cycle 2: 8 Jan -> 22 Jan, met 26 Jan late (18 days);
#   cycle 3: 26 Jan -> 9 Feb, met 5 Feb (10 days);
#   cycle 4: 5 Feb -> 19 Feb, overdue.
# SUM-B: received Mon 2 March 10:00, complainant 31 (no preference); update
#   Sat 7 March 10:00 (and one on 20 March, after TIME: ignored).
#   first-contact: Tue 3, Wed 4, Thu 5 -> due 5 Mar; Sat 7: met_late.
#   victim-update cycle 1: 2 Mar -> 16 Mar, met 7 Mar (5 days);
#   cycle 2: 7 Mar -> 21 Mar, pending.
# SUM-FUTURE: received 20 March, after TIME: does not exist yet.
# Counts: first-contact pending 0, met 1, met_late 1, overdue 0, cancelled 0,
#   paused 0; victim-update pending 1, met 3, met_late 1, overdue 1,
#   cancelled 0, paused 0. cases 3, open 3, skipped 0.
# victim-update figure: the 4 cycles met in the window took 3, 18, 10 and 5
#   days (every start and update at 10:00, so whole days either way); the
#   2 cycles still waiting count up to the day of evaluation, 15 March:
#   SUM-A's cycle 4 from 5 Feb (28 - 5 = 23 days of February, then 15:
#   38 days) and SUM-B's cycle 2 from 7 Mar (8 days). 82 / 6 = 13.67 days,
#   shown 13.7, goal 14: met, just.
# satisfaction: surveys in the window (16 Mar 2025 - 15 Mar 2026): 20 Jan
#   yes, 10 Feb no, 20 Feb yes (tied to no case), 10 Mar yes -> 3 of 4 =
#   75%, goal 97%: not met. (10 Jan 2025 no: before the window; 20 Mar 2026
#   no: after TIME.)
# jag-meeting: the first month with a case or a meeting is December 2025
#   (SUM-DEC); jag meetings 20 Jan and 10 Mar 2026, and a 'strategy'
#   meeting (not jag) on 15 Feb. The complete months from December on:
#   December missed, January met, February missed: 1 month met of 3, not
#   met; March, the current month (not complete), has had its meeting.
mkdir "$T/sum"
sdb="$T/sum/cases.db"
cat >"$T/sum/oadby.conf" <<EOF
database = "cases.db";
rules = [ "$src/rules/oadby-wigston.conf" ];
EOF
"$CASEWATCH" db init "$sdb" >/dev/null 2>&1 || not_ok "db init for the summary database"
sqlite3 -bail -batch "$sdb" >"$T/sqlout" 2>&1 <<'SQL' || { not_ok "inserting the summary rows"; sed 's/^/# /' "$T/sqlout"; }
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(1, 'SUM-DEC', 'enquiry', '2025-12-10T10:00:00Z'),
	(2, 'SUM-A', 'enquiry', '2026-01-05T10:00:00Z'),
	(3, 'SUM-B', 'enquiry', '2026-03-02T10:00:00Z'),
	(4, 'SUM-FUTURE', 'enquiry', '2026-03-20T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (21, 2, 'victim'), (31, 3, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(2, '2026-01-08T10:00:00Z', 'contact', 21, 'phone', 'update'),
	(2, '2026-01-26T10:00:00Z', 'contact', 21, 'phone', 'update'),
	(2, '2026-02-05T10:00:00Z', 'contact', 21, 'phone', 'update'),
	(3, '2026-03-07T10:00:00Z', 'contact', 31, 'email', 'update'),
	(3, '2026-03-20T10:00:00Z', 'contact', 31, 'email', 'update');
INSERT INTO surveys (case_id, at, satisfied) VALUES
	(2, '2025-01-10T10:00:00Z', 0),
	(2, '2026-01-20T10:00:00Z', 1),
	(2, '2026-02-10T10:00:00Z', 0),
	(NULL, '2026-02-20T10:00:00Z', 1),
	(3, '2026-03-10T10:00:00Z', 1),
	(3, '2026-03-20T10:00:00Z', 0);
INSERT INTO meetings (kind, held_on) VALUES
	('jag', '2026-01-20'), ('strategy', '2026-02-15'), ('jag', '2026-03-10');
SQL
conf_main=$conf
conf="$T/sum/oadby.conf"

# The per-case obligations behind the counts, as a cross-check of the
# arithmetic above through status --json.
expect "summary data: SUM-A's victim-update cycles" 2026-03-15 SUM-A victim-update \
"SUM-A victim-update 21 1 2026-01-05 2026-01-19 met 2026-01-08T10:00:00Z
SUM-A victim-update 21 2 2026-01-08 2026-01-22 met_late 2026-01-26T10:00:00Z
SUM-A victim-update 21 3 2026-01-26 2026-02-09 met 2026-02-05T10:00:00Z
SUM-A victim-update 21 4 2026-02-05 2026-02-19 overdue -"

_key=rules
if _status 2026-03-15 --summary; then
	# summary_is NAME JQ-EXPRESSION EXPECTED: one test on the summary.
	summary_is() {
		if jq -r "$2" "$T/json" >"$T/out" 2>"$T/jqerr"; then
			_compare "$1" "$3"
		else
			not_ok "$1"
			sed 's/^/# jq: /' "$T/jqerr"
			_diag
		fi
	}
	summary_is "summary: three cases, all open (one received later does not exist yet), none skipped" \
		'"\(.cases) \(.open) \(.skipped)"' "3 3 0"
	summary_is "summary: first-contact counts" \
		'.rules[] | select(.rule == "first-contact") | "\(.pending) \(.met) \(.met_late) \(.overdue) \(.cancelled) \(.paused)"' \
		"0 1 1 0 0 0"
	summary_is "summary: victim-update counts (its cycles as obligations)" \
		'.rules[] | select(.rule == "victim-update") | "\(.pending) \(.met) \(.met_late) \(.overdue) \(.cancelled) \(.paused)"' \
		"1 3 1 1 0 0"
	summary_is "summary: victim-update average 13.7 days over 6 cycles, 2 still waiting, goal 14, met" \
		'.figures[] | select(.rule == "victim-update") | "\(.figure) \(.count) \(.waiting) \(.goal) \(.met)"' \
		"13.7 6 2 14 true"
	summary_is "summary: satisfaction 75% of 4 answers in the window, goal 97, not met" \
		'.figures[] | select(.rule == "satisfaction") | "\(.figure) \(.count) \(.goal) \(.met)"' \
		"75 4 97 false"
	summary_is "summary: jag-meeting 1 complete month met of 3 since the first case, current month met, not met" \
		'.figures[] | select(.rule == "jag-meeting") | "\(.figure) \(.months) \(.current_month) \(.met)"' \
		"1 3 met false"
else
	not_ok "status --summary --json ($_why)"
	_diag
fi
_key=obligations

# The text summary: it runs, and says something.
_st=0
"$CASEWATCH" -c "$conf" status --summary --at 2026-03-15 >"$T/out" 2>"$T/err" || _st=$?
if [ "$_st" -eq 0 ] && [ -s "$T/out" ] && ! grep -q 'Sanitizer\|runtime error:' "$T/err"; then
	ok "status --summary (text) runs"
else
	not_ok "status --summary (text) runs (exit $_st)"
	sed 's/^/# stderr: /' "$T/err"
fi
conf=$conf_main

#######################################################################
# Helpers for the scenarios below (the case database of the scenarios
# above, $db and $conf, unless a summary database says otherwise).
#######################################################################

# roles_shown NAME AT REF RULE EXPECTED: the rows of RULE for case REF in
# the text `status --at AT REF` show exactly the lines EXPECTED, each
# "#CYCLE ROLE PARTY" (the PARTY column is the role the obligation is owed
# in and the party's id).
roles_shown() {
	_name=$1 _at=$2 _ref=$3 _rule=$4 _want=$5
	_st=0
	"$CASEWATCH" -c "$conf" status --at "$_at" "$_ref" >"$T/text" 2>"$T/err" || _st=$?
	if [ "$_st" -ne 0 ] || grep -q 'Sanitizer\|runtime error:' "$T/err"; then
		not_ok "$_name (exit $_st)"
		sed 's/^/# stdout: /' "$T/text"
		sed 's/^/# stderr: /' "$T/err"
		return
	fi
	awk -v ref="$_ref" -v rule="$_rule" '$1 == ref && $2 == rule { print $3, $4, $5 }' "$T/text" >"$T/out"
	_compare "$_name" "$_want"
}

# summary_db DIR: an empty case database DIR/cases.db and a configuration
# DIR/oadby.conf naming it and the Oadby pack; sets $db and $conf to them
# (save and restore the scenario database's around it).
summary_db() {
	mkdir "$1"
	printf 'database = "cases.db";\nrules = [ "%s/rules/oadby-wigston.conf" ];\n' "$src" >"$1/oadby.conf"
	db="$1/cases.db"
	conf="$1/oadby.conf"
	"$CASEWATCH" db init "$db" >/dev/null 2>&1 || not_ok "db init for $1"
}

# figure_is NAME AT JQ EXPECTED: `status --summary --json --at AT`, the jq
# expression JQ on it gives exactly EXPECTED.
figure_is() {
	_key=rules
	if _status "$2" --summary; then
		if jq -r "$3" "$T/json" >"$T/out" 2>"$T/jqerr"; then
			_compare "$1" "$4"
		else
			not_ok "$1"
			sed 's/^/# jq: /' "$T/jqerr"
			_diag
		fi
	else
		not_ok "$1 ($_why)"
		_diag
	fi
	_key=obligations
}

#######################################################################
# Several roles per party (parties.roles): a victim who is also the
# complainant is one person, owed one chain of updates, and first contact
# with them meets first-contact. The text status shows the role each
# obligation is owed in: the party's own role when the rule names it, else
# the first of the rule's roles (in the order victim, complainant, ...) it
# holds.
#######################################################################

# Received Monday 5 January 2026 10:00; party 5001 is role 'victim', roles
# 'complainant'; 5002 is a witness (owed nothing).
# first-contact: Tue 6, Wed 7, Thu 8 -> due Thursday 8 January; the email
#   to 5001 on Wed 7 (a victim, and a complainant) meets it.
# victim-update, ONE chain for 5001 (not one as victim, one as complainant):
#   cycle 1: 5 Jan + 14 days -> Monday 19 January; met Wed 7;
#   cycle 2: from Wed 7 -> Wednesday 21 January; met Tue 20;
#   cycle 3: from Tue 20 -> 20 + 14 = 34 January = Tuesday 3 February;
#   pending on Wed 21. Owed in role victim (the party's role, named by the
#   rule).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (500, 'ROLES-VU', 'enquiry', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role, roles) VALUES (5001, 500, 'victim', 'complainant'), (5002, 500, 'witness', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(500, '2026-01-07T10:00:00Z', 'contact', 5001, 'email', 'update'),
	(500, '2026-01-20T10:00:00Z', 'contact', 5001, 'phone', 'update');
SQL
expect "roles: first-contact met by contact with a victim who is also the complainant" 2026-01-21 ROLES-VU first-contact \
"ROLES-VU first-contact - 1 2026-01-05 2026-01-08 met 2026-01-07T10:00:00Z"
expect "roles: a victim who is also the complainant has one victim-update chain, not two" 2026-01-21 ROLES-VU victim-update \
"ROLES-VU victim-update 5001 1 2026-01-05 2026-01-19 met 2026-01-07T10:00:00Z
ROLES-VU victim-update 5001 2 2026-01-07 2026-01-21 met 2026-01-20T10:00:00Z
ROLES-VU victim-update 5001 3 2026-01-20 2026-02-03 pending -"
roles_shown "roles: the victim-update chain of a victim-and-complainant is owed in their own role, victim" 2026-01-21 ROLES-VU victim-update \
"#1 victim 5001
#2 victim 5001
#3 victim 5001"
problems_are "roles: a victim who is also the complainant leaves no problem" 2026-01-21 ROLES-VU ""

# High risk from the start (risk column, no risk event). Received Monday 2
# February 2026 10:00; party 5011 is role 'complainant', roles 'victim',
# preferring the phone; phoned Friday 6 February.
# first-contact: Tue 3, Wed 4, Thu 5 -> due Thursday 5 February; the phone
#   call on Fri 6 is met_late.
# high-risk-update (for victim) applies to them: cycle 1: 2 Feb + 7 days ->
#   Monday 9 February; met Fri 6; cycle 2: from Fri 6 -> Friday 13
#   February; pending on Sat 7. Owed in role victim (the rule does not name
#   complainant; victim is the one of its roles they hold).
# victim-update, one chain: cycle 1: 2 Feb + 14 -> Monday 16 February; met
#   Fri 6; cycle 2: from Fri 6 -> Friday 20 February; pending. Owed in role
#   complainant (their own role, which the rule names).
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (501, 'ROLES-HR', 'enquiry', 'high', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role, roles, preferred_channel) VALUES (5011, 501, 'complainant', 'victim', 'phone');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(501, '2026-02-06T10:00:00Z', 'contact', 5011, 'phone', 'update');
SQL
expect "roles: first-contact with a complainant who is also the victim, late" 2026-02-07 ROLES-HR first-contact \
"ROLES-HR first-contact - 1 2026-02-02 2026-02-05 met_late 2026-02-06T10:00:00Z"
expect "roles: high-risk-update (for victim) is owed to a complainant with roles victim" 2026-02-07 ROLES-HR high-risk-update \
"ROLES-HR high-risk-update 5011 1 2026-02-02 2026-02-09 met 2026-02-06T10:00:00Z
ROLES-HR high-risk-update 5011 2 2026-02-06 2026-02-13 pending -"
expect "roles: one victim-update chain for a complainant who is also the victim" 2026-02-07 ROLES-HR victim-update \
"ROLES-HR victim-update 5011 1 2026-02-02 2026-02-16 met 2026-02-06T10:00:00Z
ROLES-HR victim-update 5011 2 2026-02-06 2026-02-20 pending -"
roles_shown "roles: high-risk-update is owed to a complainant in the role victim" 2026-02-07 ROLES-HR high-risk-update \
"#1 victim 5011
#2 victim 5011"
roles_shown "roles: victim-update is owed to a complainant-and-victim in their own role, complainant" 2026-02-07 ROLES-HR victim-update \
"#1 complainant 5011
#2 complainant 5011"
problems_are "roles: a high-risk case whose complainant has roles victim has no 'no victim' problem" 2026-02-07 ROLES-HR ""

# Received Monday 9 March 2026 10:00 (GMT). Party 5021 is role 'witness',
# roles 'witness; complainant' (a list with a semicolon); 5022 a
# perpetrator. Phoned the perpetrator Thu 12 March, texted 5021 Fri 13.
# first-contact: Tue 10, Wed 11, Thu 12 -> due Thursday 12 March; the call
#   to the perpetrator does not count; the text to 5021 (a complainant) on
#   Fri 13 is met_late.
# victim-update: a chain for 5021 (as complainant), none for the
#   perpetrator: cycle 1: 9 Mar + 14 -> Monday 23 March; met Fri 13;
#   cycle 2: from Fri 13 -> Friday 27 March; pending on Mon 16.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (502, 'ROLES-LIST', 'enquiry', '2026-03-09T10:00:00Z');
INSERT INTO parties (id, case_id, role, roles) VALUES (5021, 502, 'witness', 'witness; complainant'), (5022, 502, 'perpetrator', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(502, '2026-03-12T10:00:00Z', 'contact', 5022, 'phone', 'update'),
	(502, '2026-03-13T10:00:00Z', 'contact', 5021, 'sms', 'update');
SQL
expect "roles: first-contact met by a witness whose roles include complainant" 2026-03-16 ROLES-LIST first-contact \
"ROLES-LIST first-contact - 1 2026-03-09 2026-03-12 met_late 2026-03-13T10:00:00Z"
expect "roles: a witness whose roles include complainant is owed victim-update" 2026-03-16 ROLES-LIST victim-update \
"ROLES-LIST victim-update 5021 1 2026-03-09 2026-03-23 met 2026-03-13T10:00:00Z
ROLES-LIST victim-update 5021 2 2026-03-13 2026-03-27 pending -"
roles_shown "roles: a witness-and-complainant's victim-update is owed in the role complainant" 2026-03-16 ROLES-LIST victim-update \
"#1 complainant 5021
#2 complainant 5021"

#######################################################################
# no_party = "problem" (first-contact, victim-update, high-risk-update): a
# case the rule applies to with no party it could be owed to carries the
# problem "RULE: no ROLES on the case, so nothing is owed until one is
# recorded" (skipped: false), only while the rule applies: its anchor has
# come and its filter holds at the moment (an open case; high risk for
# high-risk-update). ROLES: for's roles in the order victim, complainant,
# witness, perpetrator, referrer (then fallback, none here); for the once-
# per-case first-contact, met_by's roles in that order: "victim or
# complainant" for both first-contact and victim-update, "victim" for
# high-risk-update.
#######################################################################

# High risk from the start, received Monday 12 January 2026, only a
# referrer: all three rules apply and none has anyone to be owed to.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (503, 'NP-REFERRER', 'enquiry', 'high', '2026-01-12T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (5031, 503, 'referrer');
SQL
expect "no_party: no high-risk-update owed with only a referrer" 2026-01-13 NP-REFERRER high-risk-update ""
expect "no_party: no victim-update owed with only a referrer" 2026-01-13 NP-REFERRER victim-update ""
problems_are "no_party: a high-risk case with only a referrer carries a problem for each of the three rules" 2026-01-13 NP-REFERRER \
"first-contact: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)
victim-update: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)
high-risk-update: no victim on the case, so nothing is owed until one is recorded (skipped: false)"

# Standard risk, received Monday 12 January, no parties at all:
# high-risk-update does not apply (the filter does not hold), so only the
# other two are problems.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (504, 'NP-STANDARD', 'enquiry', 'standard', '2026-01-12T10:00:00Z');
SQL
problems_are "no_party: no high-risk-update problem for a standard-risk case" 2026-01-13 NP-STANDARD \
"first-contact: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)
victim-update: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)"

# Received Monday 12 January, no parties, closed Wednesday 14 January. On
# Tue 13 (the closure still to come) it is open: two problems. On Thu 15 it
# is closed: no rule applies, no problem.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (505, 'NP-CLOSED', 'closed', '2026-01-12T10:00:00Z');
INSERT INTO events (case_id, at, kind) VALUES (505, '2026-01-14T10:00:00Z', 'closed');
SQL
problems_are "no_party: an open case with no parties is a problem before it closes" 2026-01-13 NP-CLOSED \
"first-contact: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)
victim-update: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)"
problems_are "no_party: no problem once the case is closed" 2026-01-15 NP-CLOSED ""

# High risk from the start, received Monday 5 January; the victim 5061 is
# identified Wednesday 7 January 10:00 and does not exist before. On Tue 6:
# three problems. On Thu 8 none, and the victim is owed:
# first-contact (from receipt, as usual): Tue 6, Wed 7, Thu 8 -> due
#   Thursday 8 January; pending at noon on Thu 8;
# high-risk-update: from identification, Wed 7 + 7 -> Wednesday 14 January;
# victim-update: Wed 7 + 14 -> Wednesday 21 January.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (506, 'NP-LATER', 'enquiry', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES (5061, 506, 'victim', '2026-01-07T10:00:00Z');
SQL
problems_are "no_party: problems while the only victim is not yet identified" 2026-01-06 NP-LATER \
"first-contact: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)
victim-update: no victim or complainant on the case, so nothing is owed until one is recorded (skipped: false)
high-risk-update: no victim on the case, so nothing is owed until one is recorded (skipped: false)"
problems_are "no_party: no problem once the victim is identified" 2026-01-08 NP-LATER ""
expect "no_party: first-contact counts from receipt once the victim is recorded" 2026-01-08 NP-LATER first-contact \
"NP-LATER first-contact - 1 2026-01-05 2026-01-08 pending -"
expect "no_party: high-risk-update from the victim's identification" 2026-01-08 NP-LATER high-risk-update \
"NP-LATER high-risk-update 5061 1 2026-01-07 2026-01-14 pending -"

# Received Monday 5 January, a complainant 5071 only; standard risk until
# a risk event 'high' on Wednesday 14 January 15:00 (the risk column is the
# level now). On Tue 13 no problem (the
# complainant is owed first-contact and victim-update; high-risk-update
# does not apply yet). On Thu 15 high-risk-update applies and there is no
# victim: one problem.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (507, 'NP-RAISED', 'enquiry', 'high', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (5071, 507, 'complainant');
INSERT INTO events (case_id, at, kind, detail) VALUES (507, '2026-01-14T15:00:00Z', 'risk', 'high');
SQL
problems_are "no_party: no high-risk-update problem before the case is high risk" 2026-01-13 NP-RAISED ""
problems_are "no_party: a 'no victim' problem once the case is high risk with only a complainant" 2026-01-15 NP-RAISED \
"high-risk-update: no victim on the case, so nothing is owed until one is recorded (skipped: false)"

#######################################################################
# Events dated before receipt: when the event's LOCAL date is before the
# local date of receipt, a problem "event ID (KIND) is dated DATE, before
# the case was received on DATE: taken as at receipt, and meets nothing":
# it takes effect at receipt and meets no obligation. An event earlier on
# the day of receipt (a case logged after the first call) is taken as at
# receipt silently, and counts, its own time shown as met_at.
#######################################################################

# Received Wednesday 14 January 2026 10:00 (GMT: local = UTC); complainant
# 5080. A phone call dated Tue 13 January (event 5081: dated 2026-01-13,
# received on 2026-01-14: a problem, meets nothing) and one at 08:00 on Wed
# 14, before the receipt at 10:00 (event 5082: taken as at receipt, counts).
# first-contact: Thu 15, Fri 16, Mon 19 -> due Monday 19 January; met by
#   the 08:00 call.
# victim-update: cycle 1, 14 Jan + 14 -> Wednesday 28 January, met by the
#   08:00 call (taken as at 10:00, the clock's start); cycle 2 from it, the
#   same day -> Wednesday 28 January, pending on Tue 20.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (508, 'PRE-CONTACT', 'enquiry', '2026-01-14T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (5080, 508, 'complainant');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(5081, 508, '2026-01-13T10:00:00Z', 'contact', 5080, 'phone', 'update'),
	(5082, 508, '2026-01-14T08:00:00Z', 'contact', 5080, 'phone', 'update');
SQL
expect "before receipt: a contact earlier on the day of receipt meets first-contact, the day before's does not" 2026-01-20 PRE-CONTACT first-contact \
"PRE-CONTACT first-contact - 1 2026-01-14 2026-01-19 met 2026-01-14T08:00:00Z"
expect "before receipt: and the first victim-update" 2026-01-20 PRE-CONTACT victim-update \
"PRE-CONTACT victim-update 5080 1 2026-01-14 2026-01-28 met 2026-01-14T08:00:00Z
PRE-CONTACT victim-update 5080 2 2026-01-14 2026-01-28 pending -"
problems_are "before receipt: a problem with both dates for the day before, none for earlier the same day" 2026-01-20 PRE-CONTACT \
"event 5081 (contact) is dated 2026-01-13, before the case was received on 2026-01-14: taken as at receipt, and meets nothing (skipped: false)"

# Received Monday 2 February 2026 10:00; victim 5090; risk column high and
# one risk event, 'high', dated Friday 30 January (event 5091): taken as at
# receipt, so the case is high risk from receipt (without it, standard:
# before the first risk event the level is standard).
# high-risk-update: cycle 1: 2 Feb + 7 -> Monday 9 February; phoned Thu 5:
#   met; cycle 2: from Thu 5 -> Thursday 12 February; pending on Fri 6.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, risk, received_at) VALUES (509, 'PRE-RISK', 'enquiry', 'high', '2026-02-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (5090, 509, 'victim');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(5091, 509, '2026-01-30T10:00:00Z', 'risk', NULL, NULL, 'high'),
	(5092, 509, '2026-02-05T10:00:00Z', 'contact', 5090, 'phone', 'update');
SQL
expect "before receipt: a risk 'high' dated before receipt makes the case high risk from receipt" 2026-02-06 PRE-RISK high-risk-update \
"PRE-RISK high-risk-update 5090 1 2026-02-02 2026-02-09 met 2026-02-05T10:00:00Z
PRE-RISK high-risk-update 5090 2 2026-02-05 2026-02-12 pending -"
problems_are "before receipt: the risk event dated before receipt is a problem" 2026-02-06 PRE-RISK \
"event 5091 (risk) is dated 2026-01-30, before the case was received on 2026-02-02: taken as at receipt, and meets nothing (skipped: false)"

# Local dates in summer: received 2026-06-09T23:30Z = 00:30 BST on
# Wednesday 10 June (the date of receipt is 10 June). Event 5101 at
# 22:30Z = 23:30 BST on Tuesday 9 June: a local date before receipt's, a
# problem (dated 2026-06-09, received 2026-06-10), meets nothing. Event
# 5102 at 23:10Z = 00:10 BST on Wed 10 June: the local day of receipt (in
# UTC both are the 9th), before it: taken as at receipt, no problem, counts.
# first-contact: day 0 Wed 10 June; Thu 11, Fri 12, Mon 15 -> due Monday 15
#   June; met by event 5102, shown at its own local time.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (510, 'PRE-SUMMER', 'enquiry', '2026-06-09T23:30:00Z');
INSERT INTO parties (id, case_id, role) VALUES (5100, 510, 'complainant');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(5101, 510, '2026-06-09T22:30:00Z', 'contact', 5100, 'phone', 'update'),
	(5102, 510, '2026-06-09T23:10:00Z', 'contact', 5100, 'phone', 'update');
SQL
expect "before receipt: local dates decide; a contact at 00:10 BST before a 00:30 BST receipt counts" 2026-06-16 PRE-SUMMER first-contact \
"PRE-SUMMER first-contact - 1 2026-06-10 2026-06-15 met 2026-06-10T00:10:00+01:00"
problems_are "before receipt: the problem gives local dates (BST)" 2026-06-16 PRE-SUMMER \
"event 5101 (contact) is dated 2026-06-09, before the case was received on 2026-06-10: taken as at receipt, and meets nothing (skipped: false)"

#######################################################################
# Bad rows: a risk event with no level (the schema accepts a NULL detail)
# skips the case whole.
#######################################################################

# Received Monday 5 January, victim 5110; a risk event (5111) on Wed 7 with
# no detail. Had it been read, victim-update would be due 19 January; the
# case is skipped: no obligations, one problem, skipped: true.
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (511, 'BAD-RISK', 'enquiry', '2026-01-05T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (5110, 511, 'victim');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(5111, 511, '2026-01-07T10:00:00Z', 'risk', NULL, NULL, NULL);
SQL
expect "bad rows: a case with a risk event with no level has no obligations" 2026-01-20 BAD-RISK victim-update ""
problems_are "bad rows: a risk event with no level skips the case" 2026-01-20 BAD-RISK \
"event 5111: a risk event with no level (its detail must be standard, medium or high) (skipped: true)"

#######################################################################
# The interval average of victim-update (status --summary --json): each
# cycle from its start to the local date of the update that met it; a
# cycle still waiting (pending, overdue, paused) to the date of
# evaluation; one already overdue when the rule stopped applying (the case
# closed) to the closure date; a cycle cancelled (closed before due) not
# at all; counted when that end date is in the window. "Two complainants
# left 67 and 85 days without an update" must no longer leave the
# average at 12.0, met.
#
# Its own database, evaluated Wednesday 1 July 2026 (12:00 BST). The
# 12-month window: from the day after 1 July 2025, 2 July 2025, to 1 July
# 2026 inclusive. All events at 10:00Z (11:00 in summer): the same local
# date either way.
# AVG-OLD: received Thu 19 June 2025, victim 11; updates Tue 1 July 2025
#   and Sun 13 July 2025; closed Mon 14 July 2025.
#   cycle 1: 19 Jun -> 3 Jul, met 1 Jul: 11 days of June + 1 = 12 days,
#     but it ends on 1 July 2025, the day before the window: not counted;
#   cycle 2: 1 Jul -> 15 Jul, met 13 Jul: 12 days, counted;
#   cycle 3: 13 Jul -> 27 Jul, closed 14 Jul before it was due: cancelled,
#     not counted.
# AVG-MET: received Mon 2 March 2026, victim 21; updates Thu 12 March,
#   Thu 26 March, Tue 7 April (11:00 BST); closed Fri 10 April.
#   cycle 1: 2 Mar -> 16 Mar, met 12 Mar: 10 days;
#   cycle 2: 12 Mar -> 26 Mar, met 26 Mar (the due date): 14 days;
#   cycle 3: 26 Mar -> 9 Apr, met 7 Apr: 5 days of March + 7 = 12 days;
#   cycle 4: 7 Apr -> 21 Apr, closed 10 Apr: cancelled, not counted.
#   The met cycles in the window: 12 + 10 + 14 + 12 = 48 over 4 = 12.0.
# AVG-LEFT: received Tue 7 April 2026, open; complainant 31 from receipt
#   and complainant 32 identified Sat 25 April; neither ever updated.
#   31: cycle 1 7 Apr -> 21 Apr, overdue, waiting: to 1 July: 23 days of
#     April + 31 + 30 + 1 = 85 days;
#   32: cycle 1 25 Apr -> 9 May, overdue, waiting: 5 + 31 + 30 + 1 = 67
#     days.
# victim-update figure: (48 + 85 + 67) / 6 = 200 / 6 = 33.33, shown 33.3;
#   count 6, waiting 2, goal 14: not met (it was 12.0, met, leaving the
#   two out).
# Counts of victim-update: AVG-OLD met 2, cancelled 1; AVG-MET met 3,
#   cancelled 1; AVG-LEFT overdue 2: pending 0, met 5, met_late 0,
#   overdue 2, cancelled 2, paused 0. cases 3, open 1 (AVG-LEFT).
#######################################################################
db_main=$db conf_main=$conf
summary_db "$T/avg"
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(1, 'AVG-OLD', 'closed', '2025-06-19T10:00:00Z'),
	(2, 'AVG-MET', 'closed', '2026-03-02T10:00:00Z'),
	(3, 'AVG-LEFT', 'enquiry', '2026-04-07T10:00:00Z');
INSERT INTO parties (id, case_id, role, identified_at) VALUES
	(11, 1, 'victim', NULL),
	(21, 2, 'victim', NULL),
	(31, 3, 'complainant', NULL),
	(32, 3, 'complainant', '2026-04-25T10:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(1, '2025-07-01T10:00:00Z', 'contact', 11, 'phone', 'update'),
	(1, '2025-07-13T10:00:00Z', 'contact', 11, 'phone', 'update'),
	(1, '2025-07-14T10:00:00Z', 'closed', NULL, NULL, NULL),
	(2, '2026-03-12T10:00:00Z', 'contact', 21, 'phone', 'update'),
	(2, '2026-03-26T10:00:00Z', 'contact', 21, 'phone', 'update'),
	(2, '2026-04-07T10:00:00Z', 'contact', 21, 'phone', 'update'),
	(2, '2026-04-10T10:00:00Z', 'closed', NULL, NULL, NULL);
SQL
expect "interval average data: AVG-OLD's cycles" 2026-07-01 AVG-OLD victim-update \
"AVG-OLD victim-update 11 1 2025-06-19 2025-07-03 met 2025-07-01T11:00:00+01:00
AVG-OLD victim-update 11 2 2025-07-01 2025-07-15 met 2025-07-13T11:00:00+01:00
AVG-OLD victim-update 11 3 2025-07-13 2025-07-27 cancelled -"
expect "interval average data: AVG-MET's cycles" 2026-07-01 AVG-MET victim-update \
"AVG-MET victim-update 21 1 2026-03-02 2026-03-16 met 2026-03-12T10:00:00Z
AVG-MET victim-update 21 2 2026-03-12 2026-03-26 met 2026-03-26T10:00:00Z
AVG-MET victim-update 21 3 2026-03-26 2026-04-09 met 2026-04-07T11:00:00+01:00
AVG-MET victim-update 21 4 2026-04-07 2026-04-21 cancelled -"
expect "interval average data: AVG-LEFT's two complainants never updated" 2026-07-01 AVG-LEFT victim-update \
"AVG-LEFT victim-update 31 1 2026-04-07 2026-04-21 overdue -
AVG-LEFT victim-update 32 1 2026-04-25 2026-05-09 overdue -"
figure_is "interval average: three cases, one open, none skipped" 2026-07-01 \
	'"\(.cases) \(.open) \(.skipped)"' "3 1 0"
figure_is "interval average: victim-update counts" 2026-07-01 \
	'.rules[] | select(.rule == "victim-update") | "\(.pending) \(.met) \(.met_late) \(.overdue) \(.cancelled) \(.paused)"' \
	"0 5 0 2 2 0"
figure_is "interval average: two complainants left 85 and 67 days raise 12.0 to 33.3 over 6 cycles, 2 waiting, not met" 2026-07-01 \
	'.figures[] | select(.rule == "victim-update") | "\(.figure) \(.count) \(.waiting) \(.goal) \(.met)"' \
	"33.3 6 2 14 false"

# A cycle overdue when the case closed counts up to the closure; one
# cancelled by the closure does not count. Its own database, evaluated
# Wednesday 1 July 2026 (window 2 July 2025 - 1 July 2026).
# AVG-CLOSED-LATE: received Mon 1 June 2026, complainant 11, never
#   updated; closed Fri 19 June. Cycle 1: 1 Jun -> 15 Jun, overdue from
#   Tue 16, still overdue at the closure: stays overdue, counted from 1 Jun
#   to the closure on 19 Jun: 18 days. Not still waiting at the time of
#   evaluation (the rule stopped applying on 19 June): waiting 0.
# AVG-CLOSED-EARLY: received Mon 1 June 2026, victim 21; updated Sat 6
#   June; closed Wed 10 June. Cycle 1: 1 Jun -> 15 Jun, met 6 Jun: 5 days;
#   cycle 2: 6 Jun -> 20 Jun, closed 10 Jun: cancelled, not counted.
# victim-update figure: (18 + 5) / 2 = 11.5; count 2; goal 14: met.
summary_db "$T/avgc"
rows <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(1, 'AVG-CLOSED-LATE', 'closed', '2026-06-01T10:00:00Z'),
	(2, 'AVG-CLOSED-EARLY', 'closed', '2026-06-01T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (11, 1, 'complainant'), (21, 2, 'victim');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(1, '2026-06-19T10:00:00Z', 'closed', NULL, NULL, NULL),
	(2, '2026-06-06T10:00:00Z', 'contact', 21, 'email', 'update'),
	(2, '2026-06-10T10:00:00Z', 'closed', NULL, NULL, NULL);
SQL
expect "interval average data: overdue at the closure stays overdue" 2026-07-01 AVG-CLOSED-LATE victim-update \
"AVG-CLOSED-LATE victim-update 11 1 2026-06-01 2026-06-15 overdue -"
expect "interval average data: the open cycle cancelled by an early closure" 2026-07-01 AVG-CLOSED-EARLY victim-update \
"AVG-CLOSED-EARLY victim-update 21 1 2026-06-01 2026-06-15 met 2026-06-06T11:00:00+01:00
AVG-CLOSED-EARLY victim-update 21 2 2026-06-06 2026-06-20 cancelled -"
figure_is "interval average: overdue at closure counts to the closure (18 days), cancelled not at all: 11.5 over 2, met" 2026-07-01 \
	'.figures[] | select(.rule == "victim-update") | "\(.figure) \(.count) \(.goal) \(.met)"' \
	"11.5 2 14 true"
figure_is "interval average: a cycle overdue at closure is not still waiting" 2026-07-01 \
	'.figures[] | select(.rule == "victim-update") | "\(.waiting)"' \
	"0"
db=$db_main conf=$conf_main

done_testing
