-- Demo data for a casewatch case database.
--
--     casewatch db init demo.db
--     sqlite3 demo.db < examples/demo.sql
--     casewatch -c leeds.conf status --at 2026-11-20
--     casewatch -c oadby-wigston.conf status --at 2026-11-20
--
-- The demo is seen from Friday 20 November 2026, 12:00 Europe/London. The
-- same cases are read by both rule packs (Leeds ASBU, Oadby & Wigston), so
-- one case can be on time under one standard and late under the other. The
-- comment above each case says what it demonstrates and the state intended
-- for each obligation at that moment.
--
-- Dates worth knowing: Monday 31 August 2026 is the summer bank holiday;
-- British Summer Time ends on Sunday 25 October 2026, so earlier timestamps
-- carry +01:00 and later ones Z. "WD" below means working days, counted as
-- in DESIGN.md section 2: the day of the event is day 0.
--
-- Everything here is invented. Parties carry initials only, never names.
-- Contacts are always made by the case officer.
--
-- The last cases (0137-0139) use schema version 2, which `casewatch db
-- init` creates (or upgrades an older database to): a party with several
-- roles (parties.roles), a hate crime not flagged serious, and an `agreed`
-- event.

PRAGMA foreign_keys = ON;

BEGIN;

-- Teams and officers. Each supervisor also carries a small caseload.
INSERT INTO teams (id, name, supervisor, manager_email) VALUES
	('east', 'ASB Unit East', 'jpatel', 'helen.carter@example.gov.uk'),
	('west', 'ASB Unit West', 'dwalsh', 'robert.ng@example.gov.uk');

INSERT INTO officers (id, name, email, team, active) VALUES
	('jpatel', 'Jaya Patel', 'jaya.patel@example.gov.uk', 'east', 1),
	('mokafor', 'Michael Okafor', 'michael.okafor@example.gov.uk', 'east', 1),
	('shughes', 'Sarah Hughes', 'sarah.hughes@example.gov.uk', 'east', 1),
	('dwalsh', 'Declan Walsh', 'declan.walsh@example.gov.uk', 'west', 1),
	('akhan', 'Aisha Khan', 'aisha.khan@example.gov.uk', 'west', 1),
	('tbrennan', 'Tom Brennan', 'tom.brennan@example.gov.uk', 'west', 1);

-- ASB-2026-0101: a complete case, closed 2 Oct: every standard of both packs
-- met (victim updated at least every 14 days), so status shows nothing for it.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(101, 'ASB-2026-0101', 'closed', 'nuisance', 0, 0, 'standard', 'mokafor', 'east', NULL, '2026-08-03T10:15:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1011, 101, 'victim', 'Resident A.B.', 'phone', NULL),
	(1012, 101, 'referrer', 'Housing Officer K.M.', 'email', NULL),
	(1013, 101, 'perpetrator', 'Resident C.D.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(101, '2026-08-04T09:30:00+01:00', 'contact', 1011, 'phone', 'update', 'mokafor'),
	(101, '2026-08-04T09:45:00+01:00', 'contact', 1012, 'email', 'acknowledgement', 'mokafor'),
	(101, '2026-08-05T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'mokafor'),
	(101, '2026-08-06T11:00:00+01:00', 'contact', 1011, 'letter', 'acknowledgement', 'mokafor'),
	(101, '2026-08-06T11:05:00+01:00', 'contact', 1012, 'letter', 'acknowledgement', 'mokafor'),
	(101, '2026-08-12T15:00:00+01:00', 'contact', 1011, 'visit', 'update', 'mokafor'),
	(101, '2026-08-14T10:00:00+01:00', 'contact', 1013, 'letter', 'warning', 'mokafor'),
	(101, '2026-08-21T10:00:00+01:00', 'contact', 1011, 'phone', 'update', 'mokafor'),
	(101, '2026-09-04T10:00:00+01:00', 'contact', 1011, 'phone', 'update', 'mokafor'),
	(101, '2026-09-18T10:00:00+01:00', 'contact', 1011, 'phone', 'update', 'mokafor'),
	(101, '2026-09-30T10:00:00+01:00', 'contact', 1011, 'phone', 'update', 'mokafor'),
	(101, '2026-10-02T16:00:00+01:00', 'closed', NULL, NULL, NULL, 'mokafor');

-- ASB-2026-0102: serious incident reported by the police Saturday 14 Nov
-- 2026 evening; phone call to the victim Monday 16: met (Saturday is day 0).
-- Accepted Wed 18 Nov: victim's letter sent (met), referrer's letter pending
-- (due Mon 23), visit pending (due 2 Dec), perpetrator letter pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(102, 'ASB-2026-0102', 'case', 'personal', 1, 0, 'standard', 'shughes', 'east', NULL, '2026-11-14T19:40:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1021, 102, 'victim', 'Resident E.F.', 'phone', NULL),
	(1022, 102, 'referrer', 'PC G.H. (police)', 'email', NULL),
	(1023, 102, 'perpetrator', 'Resident J.K.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(102, '2026-11-16T09:10:00Z', 'contact', 1021, 'phone', 'update', 'shughes'),
	(102, '2026-11-16T09:40:00Z', 'contact', 1022, 'email', 'acknowledgement', 'shughes'),
	(102, '2026-11-18T11:00:00Z', 'accepted', NULL, NULL, NULL, 'shughes'),
	(102, '2026-11-19T10:00:00Z', 'contact', 1021, 'letter', 'acknowledgement', 'shughes');

-- ASB-2026-0103: serious incident (threats) referred Tuesday 17 Nov, referrer
-- acknowledged the same day, but no phone call yet: the call was due Wed 18,
-- overdue. First contact with the victim (O&W) is due today: pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(103, 'ASB-2026-0103', 'enquiry', 'personal', 1, 0, 'standard', 'akhan', 'west', NULL, '2026-11-17T09:30:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1031, 103, 'victim', 'Resident L.M.', 'phone', NULL),
	(1032, 103, 'referrer', 'Housing Officer N.P.', 'email', NULL),
	(1033, 103, 'perpetrator', 'Resident Q.R.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(103, '2026-11-17T14:00:00Z', 'contact', 1032, 'email', 'acknowledgement', 'akhan');

-- ASB-2026-0104: hate crime reported by the victim Thursday 19 Nov at 18:20:
-- the phone call is due today, Friday 20: pending, not yet overdue. The
-- acknowledgement and first contact are pending (due Tue 24).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(104, 'ASB-2026-0104', 'enquiry', 'personal', 1, 1, 'standard', 'tbrennan', 'west', NULL, '2026-11-19T18:20:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1041, 104, 'complainant', 'Resident S.T.', 'phone', NULL);

-- ASB-2026-0105: serious incident received on the Friday before a bank
-- holiday (Fri 28 Aug, 16:45); phone call Tuesday 1 Sep: met, since Monday 31
-- is no working day. Acknowledgement Wed 2 Sep (due Thu 3): met. A case run to
-- the standards and closed 16 Oct.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(105, 'ASB-2026-0105', 'closed', 'personal', 1, 0, 'standard', 'jpatel', 'east', NULL, '2026-08-28T16:45:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1051, 105, 'victim', 'Resident U.V.', 'phone', NULL),
	(1052, 105, 'referrer', 'PC W.X. (police)', 'email', NULL),
	(1053, 105, 'perpetrator', 'Resident Y.Z.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(105, '2026-09-01T10:00:00+01:00', 'contact', 1051, 'phone', 'update', 'jpatel'),
	(105, '2026-09-02T09:30:00+01:00', 'contact', 1052, 'email', 'acknowledgement', 'jpatel'),
	(105, '2026-09-03T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'jpatel'),
	(105, '2026-09-04T11:00:00+01:00', 'contact', 1051, 'letter', 'acknowledgement', 'jpatel'),
	(105, '2026-09-04T11:05:00+01:00', 'contact', 1052, 'letter', 'acknowledgement', 'jpatel'),
	(105, '2026-09-10T15:00:00+01:00', 'contact', 1051, 'visit', 'update', 'jpatel'),
	(105, '2026-09-15T10:00:00+01:00', 'contact', 1053, 'letter', 'warning', 'jpatel'),
	(105, '2026-09-24T10:00:00+01:00', 'contact', 1051, 'phone', 'update', 'jpatel'),
	(105, '2026-10-07T10:00:00+01:00', 'contact', 1051, 'phone', 'update', 'jpatel'),
	(105, '2026-10-16T15:00:00+01:00', 'closed', NULL, NULL, NULL, 'jpatel');

-- ASB-2026-0106: event at 23:30 UTC on a summer date, which is the next day
-- locally: received 2026-08-31T23:30Z, the bank holiday Monday in UTC but
-- 00:30 Tuesday 1 Sep in London. Day 0 is Tuesday, so the call on Wed 2 and
-- the acknowledgement on Fri 4 are both met (counting from the UTC date would
-- make them late). Then not accepted (a police matter), sendback letter sent,
-- closed: sendback gate met.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(106, 'ASB-2026-0106', 'closed', 'personal', 1, 0, 'standard', 'akhan', 'west', NULL, '2026-08-31T23:30:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1061, 106, 'victim', 'Resident B.C.', 'phone', NULL),
	(1062, 106, 'referrer', 'PCSO D.E. (police)', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(106, '2026-09-02T10:00:00+01:00', 'contact', 1061, 'phone', 'update', 'akhan'),
	(106, '2026-09-04T11:00:00+01:00', 'contact', 1062, 'email', 'acknowledgement', 'akhan'),
	(106, '2026-09-10T14:00:00+01:00', 'not_accepted', NULL, NULL, NULL, 'akhan'),
	(106, '2026-09-11T10:00:00+01:00', 'contact', 1062, 'letter', 'sendback', 'akhan'),
	(106, '2026-09-14T09:00:00+01:00', 'closed', NULL, NULL, NULL, 'akhan');

-- ASB-2026-0107: received Saturday 7 Nov; acknowledged by phone Wednesday 11
-- (Saturday is day 0, so 3 WD is Wednesday): met under both packs. Still an
-- enquiry being assessed.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(107, 'ASB-2026-0107', 'enquiry', 'nuisance', 0, 0, 'standard', 'shughes', 'east', NULL, '2026-11-07T11:05:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1071, 107, 'complainant', 'Resident F.G.', 'phone', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(107, '2026-11-11T10:00:00Z', 'contact', 1071, 'phone', 'acknowledgement', 'shughes');

-- ASB-2026-0108: acknowledgement letter to the referrer 4 working days after
-- receipt (Mon 12 Oct -> Fri 16 Oct, due Thu 15): met late. Everything after
-- acceptance on time; the victim's next update is pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(108, 'ASB-2026-0108', 'case', 'nuisance', 0, 0, 'standard', 'tbrennan', 'west', NULL, '2026-10-12T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1081, 108, 'victim', 'Resident H.J.', 'phone', NULL),
	(1082, 108, 'referrer', 'Housing Officer K.L.', 'letter', NULL),
	(1083, 108, 'perpetrator', 'Resident M.N.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(108, '2026-10-13T10:00:00+01:00', 'contact', 1081, 'phone', 'update', 'tbrennan'),
	(108, '2026-10-16T12:00:00+01:00', 'contact', 1082, 'letter', 'acknowledgement', 'tbrennan'),
	(108, '2026-10-20T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'tbrennan'),
	(108, '2026-10-21T11:00:00+01:00', 'contact', 1081, 'letter', 'acknowledgement', 'tbrennan'),
	(108, '2026-10-21T11:05:00+01:00', 'contact', 1082, 'letter', 'acknowledgement', 'tbrennan'),
	(108, '2026-10-28T15:00:00Z', 'contact', 1081, 'visit', 'update', 'tbrennan'),
	(108, '2026-11-03T10:00:00Z', 'contact', 1083, 'letter', 'warning', 'tbrennan'),
	(108, '2026-11-10T10:00:00Z', 'contact', 1081, 'phone', 'update', 'tbrennan');

-- ASB-2026-0109: victim visit not yet done, 12 working days after acceptance
-- (accepted Wed 4 Nov, visit due Wed 18): overdue. Letters and the
-- perpetrator letter were sent on time.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(109, 'ASB-2026-0109', 'case', 'nuisance', 0, 0, 'standard', 'mokafor', 'east', NULL, '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1091, 109, 'victim', 'Resident P.Q.', 'phone', NULL),
	(1092, 109, 'referrer', 'Housing Officer R.S.', 'email', NULL),
	(1093, 109, 'perpetrator', 'Resident T.U.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(109, '2026-11-03T10:00:00Z', 'contact', 1091, 'phone', 'update', 'mokafor'),
	(109, '2026-11-03T10:20:00Z', 'contact', 1092, 'email', 'acknowledgement', 'mokafor'),
	(109, '2026-11-04T14:00:00Z', 'accepted', NULL, NULL, NULL, 'mokafor'),
	(109, '2026-11-05T11:00:00Z', 'contact', 1091, 'letter', 'acknowledgement', 'mokafor'),
	(109, '2026-11-05T11:05:00Z', 'contact', 1092, 'letter', 'acknowledgement', 'mokafor'),
	(109, '2026-11-12T10:00:00Z', 'contact', 1093, 'letter', 'warning', 'mokafor'),
	(109, '2026-11-13T10:00:00Z', 'contact', 1091, 'phone', 'update', 'mokafor');

-- ASB-2026-0110: case on hold 2-9 Nov (victim in hospital), so the visit is
-- not yet overdue: accepted Fri 30 Oct, due Fri 13 Nov without the hold, the
-- 5 working days on hold move it to today, Fri 20 Nov: pending. The O&W
-- 14-day update clock also stopped 7 days and was then met on 9 Nov.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(110, 'ASB-2026-0110', 'case', 'nuisance', 0, 0, 'standard', 'dwalsh', 'west', NULL, '2026-10-19T10:30:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1101, 110, 'victim', 'Resident V.W.', 'phone', NULL),
	(1102, 110, 'referrer', 'Housing Officer X.Y.', 'email', NULL),
	(1103, 110, 'perpetrator', 'Resident Z.A.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(110, '2026-10-20T10:00:00+01:00', 'contact', 1101, 'phone', 'update', 'dwalsh'),
	(110, '2026-10-20T10:15:00+01:00', 'contact', 1102, 'email', 'acknowledgement', 'dwalsh'),
	(110, '2026-10-30T15:00:00Z', 'accepted', NULL, NULL, NULL, 'dwalsh'),
	(110, '2026-10-30T16:00:00Z', 'contact', 1101, 'letter', 'acknowledgement', 'dwalsh'),
	(110, '2026-10-30T16:05:00Z', 'contact', 1102, 'letter', 'acknowledgement', 'dwalsh'),
	(110, '2026-11-02T09:00:00Z', 'hold', NULL, NULL, NULL, 'dwalsh'),
	(110, '2026-11-09T09:00:00Z', 'resume', NULL, NULL, NULL, 'dwalsh'),
	(110, '2026-11-09T11:00:00Z', 'contact', 1101, 'phone', 'update', 'dwalsh');

-- ASB-2026-0111: closed before the deadline: cancelled. Accepted Mon 9 Nov,
-- closed Wed 18 Nov (the perpetrator moved away) before the visit (due 23
-- Nov) and the perpetrator letter were due. Nothing unmet, so only
-- `status ASB-2026-0111` shows it.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(111, 'ASB-2026-0111', 'closed', 'nuisance', 0, 0, 'standard', 'shughes', 'east', NULL, '2026-11-04T10:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1111, 111, 'victim', 'Resident B.D.', 'letter', NULL),
	(1112, 111, 'referrer', 'Housing Officer C.E.', 'email', NULL),
	(1113, 111, 'perpetrator', 'Resident D.F.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(111, '2026-11-05T10:00:00Z', 'contact', 1112, 'email', 'acknowledgement', 'shughes'),
	(111, '2026-11-05T10:30:00Z', 'contact', 1111, 'letter', 'update', 'shughes'),
	(111, '2026-11-09T14:00:00Z', 'accepted', NULL, NULL, NULL, 'shughes'),
	(111, '2026-11-10T11:00:00Z', 'contact', 1111, 'letter', 'acknowledgement', 'shughes'),
	(111, '2026-11-10T11:05:00Z', 'contact', 1112, 'letter', 'acknowledgement', 'shughes'),
	(111, '2026-11-18T10:00:00Z', 'contact', 1111, 'letter', 'update', 'shughes'),
	(111, '2026-11-18T15:00:00Z', 'closed', NULL, NULL, NULL, 'shughes');

-- ASB-2026-0112: not accepted and closed with no sendback letter: gate
-- breached. Closed, but shown by status because the breach stays unmet.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(112, 'ASB-2026-0112', 'closed', 'nuisance', 0, 0, 'standard', 'akhan', 'west', NULL, '2026-10-05T09:45:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1121, 112, 'complainant', 'Resident E.G.', 'email', NULL),
	(1122, 112, 'referrer', 'Housing Officer F.H.', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(112, '2026-10-06T10:00:00+01:00', 'contact', 1121, 'email', 'update', 'akhan'),
	(112, '2026-10-06T10:10:00+01:00', 'contact', 1122, 'email', 'acknowledgement', 'akhan'),
	(112, '2026-10-14T14:00:00+01:00', 'not_accepted', NULL, NULL, NULL, 'akhan'),
	(112, '2026-10-16T15:00:00+01:00', 'closed', NULL, NULL, NULL, 'akhan');

-- ASB-2026-0113: not accepted on Wed 18 Nov and still open with no sendback
-- letter yet: the gate is pending (it is breached only if the enquiry is
-- closed first).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(113, 'ASB-2026-0113', 'enquiry', 'nuisance', 0, 0, 'standard', 'tbrennan', 'west', NULL, '2026-11-09T11:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1131, 113, 'complainant', 'Resident G.J.', 'email', NULL),
	(1132, 113, 'referrer', 'Housing Officer H.K.', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(113, '2026-11-10T10:00:00Z', 'contact', 1131, 'email', 'update', 'tbrennan'),
	(113, '2026-11-10T10:10:00Z', 'contact', 1132, 'email', 'acknowledgement', 'tbrennan'),
	(113, '2026-11-18T14:00:00Z', 'not_accepted', NULL, NULL, NULL, 'tbrennan');

-- ASB-2026-0114: not accepted, closed Thu 1 Oct, and the sendback letter went
-- the day after closing: the gate is still breached (the letter must come
-- before the close).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(114, 'ASB-2026-0114', 'closed', 'environmental', 0, 0, 'standard', 'jpatel', 'east', NULL, '2026-09-21T14:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1141, 114, 'complainant', 'Resident J.L.', 'phone', NULL),
	(1142, 114, 'referrer', 'Environmental Health Officer K.N.', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(114, '2026-09-22T10:00:00+01:00', 'contact', 1141, 'phone', 'update', 'jpatel'),
	(114, '2026-09-22T10:20:00+01:00', 'contact', 1142, 'email', 'acknowledgement', 'jpatel'),
	(114, '2026-09-29T14:00:00+01:00', 'not_accepted', NULL, NULL, NULL, 'jpatel'),
	(114, '2026-10-01T16:00:00+01:00', 'closed', NULL, NULL, NULL, 'jpatel'),
	(114, '2026-10-02T10:00:00+01:00', 'contact', 1142, 'letter', 'sendback', 'jpatel');

-- ASB-2026-0115: accepted with no perpetrator: the no-perpetrator check is
-- violated (it should have stayed an enquiry). No perpetrator letter is owed.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(115, 'ASB-2026-0115', 'case', 'nuisance', 0, 0, 'standard', 'dwalsh', 'west', NULL, '2026-10-26T10:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1151, 115, 'victim', 'Resident L.P.', 'phone', NULL),
	(1152, 115, 'referrer', 'Housing Officer M.Q.', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(115, '2026-10-27T10:00:00Z', 'contact', 1151, 'phone', 'update', 'dwalsh'),
	(115, '2026-10-27T10:15:00Z', 'contact', 1152, 'email', 'acknowledgement', 'dwalsh'),
	(115, '2026-11-03T14:00:00Z', 'accepted', NULL, NULL, NULL, 'dwalsh'),
	(115, '2026-11-04T11:00:00Z', 'contact', 1151, 'letter', 'acknowledgement', 'dwalsh'),
	(115, '2026-11-04T11:05:00Z', 'contact', 1152, 'letter', 'acknowledgement', 'dwalsh'),
	(115, '2026-11-11T15:00:00Z', 'contact', 1151, 'visit', 'update', 'dwalsh');

-- ASB-2026-0116: victim identified a week after acceptance (accepted Mon 2
-- Nov, victim identified Mon 9 Nov): the victim's acknowledgement letter is
-- due 3 WD after identification (Thu 12) and was sent Wed 11: met; the visit
-- on Fri 13 is in time on either reading. A separate complainant (a
-- neighbour) is kept updated by email, their preferred channel.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(116, 'ASB-2026-0116', 'case', 'nuisance', 0, 0, 'standard', 'mokafor', 'east', NULL, '2026-10-23T15:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1161, 116, 'complainant', 'Resident N.R.', 'email', NULL),
	(1162, 116, 'referrer', 'PC P.S. (police)', 'email', NULL),
	(1163, 116, 'perpetrator', 'Resident Q.T.', NULL, NULL),
	(1164, 116, 'victim', 'Resident R.U.', 'visit', '2026-11-09T10:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(116, '2026-10-26T10:00:00Z', 'contact', 1161, 'email', 'update', 'mokafor'),
	(116, '2026-10-26T10:10:00Z', 'contact', 1162, 'email', 'acknowledgement', 'mokafor'),
	(116, '2026-11-02T14:00:00Z', 'accepted', NULL, NULL, NULL, 'mokafor'),
	(116, '2026-11-03T11:00:00Z', 'contact', 1162, 'letter', 'acknowledgement', 'mokafor'),
	(116, '2026-11-05T10:00:00Z', 'contact', 1163, 'letter', 'warning', 'mokafor'),
	(116, '2026-11-06T10:00:00Z', 'contact', 1161, 'email', 'update', 'mokafor'),
	(116, '2026-11-11T11:00:00Z', 'contact', 1164, 'letter', 'acknowledgement', 'mokafor'),
	(116, '2026-11-13T14:00:00Z', 'contact', 1164, 'visit', 'update', 'mokafor'),
	(116, '2026-11-18T10:00:00Z', 'contact', 1161, 'email', 'update', 'mokafor');

-- ASB-2026-0117: no victim (drug dealing from a flat, reported by housing):
-- the referrer is kept informed instead. Updates Fri 2 Oct (met), Tue 3 Nov
-- (due Fri 30 Oct: met late); the next is pending. O&W owes nothing per
-- party here: there is no victim or complainant.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(117, 'ASB-2026-0117', 'case', 'nuisance', 0, 0, 'standard', 'akhan', 'west', NULL, '2026-09-01T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1171, 117, 'referrer', 'Housing Officer S.V.', 'email', NULL),
	(1172, 117, 'perpetrator', 'Resident T.W.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(117, '2026-09-02T10:00:00+01:00', 'contact', 1171, 'email', 'acknowledgement', 'akhan'),
	(117, '2026-09-07T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'akhan'),
	(117, '2026-09-08T11:00:00+01:00', 'contact', 1171, 'letter', 'acknowledgement', 'akhan'),
	(117, '2026-09-18T10:00:00+01:00', 'contact', 1172, 'letter', 'warning', 'akhan'),
	(117, '2026-10-02T10:00:00+01:00', 'contact', 1171, 'email', 'update', 'akhan'),
	(117, '2026-11-03T10:00:00Z', 'contact', 1171, 'email', 'update', 'akhan');

-- ASB-2026-0118: agreed contact every 10 working days (instead of Leeds's
-- 20): updates Mon 19 Oct (met), Tue 3 Nov (due Mon 2: met late), and none
-- since, so the cycle due Tue 17 Nov is overdue. Under O&W's 14 days the same
-- contacts give met late on 3 Nov and overdue since 18 Nov.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(118, 'ASB-2026-0118', 'case', 'nuisance', 0, 0, 'standard', 'shughes', 'east', '10 working days', '2026-09-24T11:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1181, 118, 'victim', 'Resident U.X.', 'phone', NULL),
	(1182, 118, 'referrer', 'Housing Officer V.Y.', 'email', NULL),
	(1183, 118, 'perpetrator', 'Resident W.Z.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(118, '2026-09-25T10:00:00+01:00', 'contact', 1181, 'phone', 'update', 'shughes'),
	(118, '2026-09-25T10:15:00+01:00', 'contact', 1182, 'email', 'acknowledgement', 'shughes'),
	(118, '2026-09-28T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'shughes'),
	(118, '2026-09-29T11:00:00+01:00', 'contact', 1181, 'letter', 'acknowledgement', 'shughes'),
	(118, '2026-09-29T11:05:00+01:00', 'contact', 1182, 'letter', 'acknowledgement', 'shughes'),
	(118, '2026-10-06T15:00:00+01:00', 'contact', 1181, 'visit', 'update', 'shughes'),
	(118, '2026-10-08T10:00:00+01:00', 'contact', 1183, 'letter', 'warning', 'shughes'),
	(118, '2026-10-19T10:00:00+01:00', 'contact', 1181, 'phone', 'update', 'shughes'),
	(118, '2026-11-03T10:00:00Z', 'contact', 1181, 'phone', 'update', 'shughes');

-- ASB-2026-0119: drifting case. Perpetrator letter never sent (due Mon 19
-- Oct): overdue. Victim last updated Fri 16 Oct, so keep-informed (due Fri 13
-- Nov) is overdue. The victim prefers letters and the first letter went on
-- Tue 22 Sep (due Mon 21): O&W first contact met late.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(119, 'ASB-2026-0119', 'case', 'nuisance', 0, 0, 'standard', 'tbrennan', 'west', NULL, '2026-09-16T09:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1191, 119, 'victim', 'Resident X.A.', 'letter', NULL),
	(1192, 119, 'referrer', 'Housing Officer Y.B.', 'email', NULL),
	(1193, 119, 'perpetrator', 'Resident Z.C.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(119, '2026-09-17T10:00:00+01:00', 'contact', 1192, 'email', 'acknowledgement', 'tbrennan'),
	(119, '2026-09-21T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'tbrennan'),
	(119, '2026-09-22T11:00:00+01:00', 'contact', 1191, 'letter', 'acknowledgement', 'tbrennan'),
	(119, '2026-09-22T11:05:00+01:00', 'contact', 1192, 'letter', 'acknowledgement', 'tbrennan'),
	(119, '2026-09-30T15:00:00+01:00', 'contact', 1191, 'visit', 'update', 'tbrennan'),
	(119, '2026-10-16T10:00:00+01:00', 'contact', 1191, 'letter', 'update', 'tbrennan');

-- ASB-2026-0120: high risk since a risk event on 2026-11-02. O&W's 7-day
-- updates count from that day: visit Fri 6 Nov (due Mon 9: met), phone Mon 16
-- (due Fri 13: met late), next due Mon 23: pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(120, 'ASB-2026-0120', 'case', 'nuisance', 0, 0, 'high', 'jpatel', 'east', NULL, '2026-10-13T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1201, 120, 'victim', 'Resident A.D.', 'phone', NULL),
	(1202, 120, 'referrer', 'Housing Officer B.E.', 'email', NULL),
	(1203, 120, 'perpetrator', 'Resident C.F.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(120, '2026-10-14T10:00:00+01:00', 'contact', 1201, 'phone', 'update', 'jpatel'),
	(120, '2026-10-14T10:15:00+01:00', 'contact', 1202, 'email', 'acknowledgement', 'jpatel'),
	(120, '2026-10-19T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'jpatel'),
	(120, '2026-10-20T11:00:00+01:00', 'contact', 1201, 'letter', 'acknowledgement', 'jpatel'),
	(120, '2026-10-20T11:05:00+01:00', 'contact', 1202, 'letter', 'acknowledgement', 'jpatel'),
	(120, '2026-10-23T15:00:00+01:00', 'contact', 1201, 'visit', 'update', 'jpatel'),
	(120, '2026-10-27T10:00:00Z', 'contact', 1203, 'letter', 'warning', 'jpatel'),
	(120, '2026-11-02T10:00:00Z', 'risk', NULL, NULL, 'high', 'jpatel'),
	(120, '2026-11-06T15:00:00Z', 'contact', 1201, 'visit', 'update', 'jpatel'),
	(120, '2026-11-16T10:00:00Z', 'contact', 1201, 'phone', 'update', 'jpatel');

-- ASB-2026-0121: high risk from receipt (no risk event: the case was high
-- when it came in, Wed 28 Oct). Last contact with the victim Mon 2 Nov, so
-- the 7-day update due Mon 9 Nov is overdue, and so is the 14-day one (due
-- Mon 16). Leeds's 20-WD keep-informed is still pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(121, 'ASB-2026-0121', 'case', 'personal', 0, 0, 'high', 'dwalsh', 'west', NULL, '2026-10-28T09:15:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1211, 121, 'victim', 'Resident D.G.', 'phone', NULL),
	(1212, 121, 'referrer', 'Housing Officer E.H.', 'email', NULL),
	(1213, 121, 'perpetrator', 'Resident F.J.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(121, '2026-10-28T13:00:00Z', 'contact', 1211, 'phone', 'update', 'dwalsh'),
	(121, '2026-10-28T13:20:00Z', 'contact', 1212, 'email', 'acknowledgement', 'dwalsh'),
	(121, '2026-10-30T10:00:00Z', 'accepted', NULL, NULL, NULL, 'dwalsh'),
	(121, '2026-10-30T11:00:00Z', 'contact', 1211, 'letter', 'acknowledgement', 'dwalsh'),
	(121, '2026-10-30T11:05:00Z', 'contact', 1212, 'letter', 'acknowledgement', 'dwalsh'),
	(121, '2026-11-02T15:00:00Z', 'contact', 1211, 'visit', 'update', 'dwalsh'),
	(121, '2026-11-04T10:00:00Z', 'contact', 1213, 'letter', 'warning', 'dwalsh');

-- ASB-2026-0122: high risk from Mon 5 Oct to Mon 26 Oct, then lowered to
-- medium: weekly updates met while high, and the cycle that was running when
-- the risk came down (due Fri 30 Oct) is cancelled.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(122, 'ASB-2026-0122', 'case', 'personal', 0, 0, 'medium', 'mokafor', 'east', NULL, '2026-09-15T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1221, 122, 'victim', 'Resident G.K.', 'phone', NULL),
	(1222, 122, 'referrer', 'Housing Officer H.L.', 'email', NULL),
	(1223, 122, 'perpetrator', 'Resident J.M.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(122, '2026-09-16T10:00:00+01:00', 'contact', 1221, 'phone', 'update', 'mokafor'),
	(122, '2026-09-16T10:15:00+01:00', 'contact', 1222, 'email', 'acknowledgement', 'mokafor'),
	(122, '2026-09-22T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'mokafor'),
	(122, '2026-09-23T11:00:00+01:00', 'contact', 1221, 'letter', 'acknowledgement', 'mokafor'),
	(122, '2026-09-23T11:05:00+01:00', 'contact', 1222, 'letter', 'acknowledgement', 'mokafor'),
	(122, '2026-09-29T15:00:00+01:00', 'contact', 1221, 'visit', 'update', 'mokafor'),
	(122, '2026-10-01T10:00:00+01:00', 'contact', 1223, 'letter', 'warning', 'mokafor'),
	(122, '2026-10-05T09:00:00+01:00', 'risk', NULL, NULL, 'high', 'mokafor'),
	(122, '2026-10-05T11:00:00+01:00', 'contact', 1221, 'phone', 'update', 'mokafor'),
	(122, '2026-10-09T10:00:00+01:00', 'contact', 1221, 'phone', 'update', 'mokafor'),
	(122, '2026-10-16T15:00:00+01:00', 'contact', 1221, 'visit', 'update', 'mokafor'),
	(122, '2026-10-23T10:00:00+01:00', 'contact', 1221, 'phone', 'update', 'mokafor'),
	(122, '2026-10-26T10:00:00Z', 'risk', NULL, NULL, 'medium', 'mokafor'),
	(122, '2026-11-06T10:00:00Z', 'contact', 1221, 'email', 'update', 'mokafor'),
	(122, '2026-11-19T10:00:00Z', 'contact', 1221, 'phone', 'update', 'mokafor');

-- ASB-2026-0123: reopened. Run to the standards from August, closed Fri 2
-- Oct, reopened Mon 2 Nov after fresh incidents; the victim was called Wed
-- 4 Nov. Leeds's next 20-WD contact is pending (due 2 Dec); O&W's 14-day
-- update was due Wed 18 Nov: overdue. (Also O&W: the 4 Sep update came a
-- day late, due 3 Sep.)
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(123, 'ASB-2026-0123', 'case', 'nuisance', 0, 0, 'standard', 'akhan', 'west', NULL, '2026-08-10T09:30:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1231, 123, 'victim', 'Resident K.N.', 'phone', NULL),
	(1232, 123, 'referrer', 'Housing Officer L.P.', 'email', NULL),
	(1233, 123, 'perpetrator', 'Resident M.Q.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(123, '2026-08-11T10:00:00+01:00', 'contact', 1231, 'phone', 'update', 'akhan'),
	(123, '2026-08-11T10:15:00+01:00', 'contact', 1232, 'email', 'acknowledgement', 'akhan'),
	(123, '2026-08-13T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'akhan'),
	(123, '2026-08-14T11:00:00+01:00', 'contact', 1231, 'letter', 'acknowledgement', 'akhan'),
	(123, '2026-08-14T11:05:00+01:00', 'contact', 1232, 'letter', 'acknowledgement', 'akhan'),
	(123, '2026-08-20T15:00:00+01:00', 'contact', 1231, 'visit', 'update', 'akhan'),
	(123, '2026-08-25T10:00:00+01:00', 'contact', 1233, 'letter', 'warning', 'akhan'),
	(123, '2026-09-04T10:00:00+01:00', 'contact', 1231, 'phone', 'update', 'akhan'),
	(123, '2026-09-18T10:00:00+01:00', 'contact', 1231, 'phone', 'update', 'akhan'),
	(123, '2026-10-02T11:00:00+01:00', 'contact', 1231, 'phone', 'update', 'akhan'),
	(123, '2026-10-02T16:00:00+01:00', 'closed', NULL, NULL, NULL, 'akhan'),
	(123, '2026-11-02T10:00:00Z', 'reopened', NULL, NULL, NULL, 'akhan'),
	(123, '2026-11-04T10:00:00Z', 'contact', 1231, 'phone', 'update', 'akhan');

-- ASB-2026-0124: reopened after a sendback. Not accepted in September
-- (sendback letter sent before closing: met), reopened Mon 26 Oct when the
-- referrer sent new evidence, accepted Wed 28 Oct. A witness identified Tue
-- 10 Nov has had no letter (due Fri 13): overdue. Perpetrator letter pending
-- (due Wed 25 Nov). O&W: victim last updated Thu 5 Nov, due Thu 19: overdue.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(124, 'ASB-2026-0124', 'case', 'nuisance', 0, 0, 'standard', 'shughes', 'east', NULL, '2026-09-14T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1241, 124, 'victim', 'Resident N.R.S.', 'letter', NULL),
	(1242, 124, 'referrer', 'Housing Officer P.T.', 'letter', NULL),
	(1243, 124, 'perpetrator', 'Resident Q.U.', NULL, NULL),
	(1244, 124, 'witness', 'Resident R.V.', NULL, '2026-11-10T12:00:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(124, '2026-09-15T11:00:00+01:00', 'contact', 1242, 'letter', 'acknowledgement', 'shughes'),
	(124, '2026-09-16T11:00:00+01:00', 'contact', 1241, 'letter', 'update', 'shughes'),
	(124, '2026-09-24T14:00:00+01:00', 'not_accepted', NULL, NULL, NULL, 'shughes'),
	(124, '2026-09-25T10:00:00+01:00', 'contact', 1242, 'letter', 'sendback', 'shughes'),
	(124, '2026-09-28T15:00:00+01:00', 'closed', NULL, NULL, NULL, 'shughes'),
	(124, '2026-10-26T10:00:00Z', 'reopened', NULL, NULL, NULL, 'shughes'),
	(124, '2026-10-28T14:00:00Z', 'accepted', NULL, NULL, NULL, 'shughes'),
	(124, '2026-10-29T11:00:00Z', 'contact', 1241, 'letter', 'acknowledgement', 'shughes'),
	(124, '2026-10-29T11:05:00Z', 'contact', 1242, 'letter', 'acknowledgement', 'shughes'),
	(124, '2026-11-05T15:00:00Z', 'contact', 1241, 'visit', 'update', 'shughes');

-- ASB-2026-0125: perpetrator letter sent late (accepted Mon 17 Aug, due Tue 15
-- Sep across the bank holiday, sent Tue 22 Sep): met late. Everything else on
-- time; closed Fri 9 Oct.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(125, 'ASB-2026-0125', 'closed', 'nuisance', 0, 0, 'standard', 'tbrennan', 'west', NULL, '2026-08-13T14:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1251, 125, 'victim', 'Resident S.W.', 'phone', NULL),
	(1252, 125, 'referrer', 'Housing Officer T.X.', 'email', NULL),
	(1253, 125, 'perpetrator', 'Resident U.Y.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(125, '2026-08-14T10:00:00+01:00', 'contact', 1251, 'phone', 'update', 'tbrennan'),
	(125, '2026-08-14T10:15:00+01:00', 'contact', 1252, 'email', 'acknowledgement', 'tbrennan'),
	(125, '2026-08-17T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'tbrennan'),
	(125, '2026-08-18T11:00:00+01:00', 'contact', 1251, 'letter', 'acknowledgement', 'tbrennan'),
	(125, '2026-08-18T11:05:00+01:00', 'contact', 1252, 'letter', 'acknowledgement', 'tbrennan'),
	(125, '2026-08-25T15:00:00+01:00', 'contact', 1251, 'visit', 'update', 'tbrennan'),
	(125, '2026-09-08T10:00:00+01:00', 'contact', 1251, 'phone', 'update', 'tbrennan'),
	(125, '2026-09-22T10:00:00+01:00', 'contact', 1251, 'phone', 'update', 'tbrennan'),
	(125, '2026-09-22T11:00:00+01:00', 'contact', 1253, 'letter', 'warning', 'tbrennan'),
	(125, '2026-10-06T10:00:00+01:00', 'contact', 1251, 'phone', 'update', 'tbrennan'),
	(125, '2026-10-09T15:00:00+01:00', 'closed', NULL, NULL, NULL, 'tbrennan');

-- ASB-2026-0126: flagged serious after receipt. Received Mon 16 Nov as a
-- noise complaint; threats made Wed 18 Nov 14:00 (a `serious` event);
-- phone call Thu 19: met, counting from the flag (counting from receipt it
-- would have been due Tue 17). Complainant prefers SMS and was texted.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(126, 'ASB-2026-0126', 'enquiry', 'nuisance', 1, 0, 'standard', 'jpatel', 'east', NULL, '2026-11-16T10:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1261, 126, 'complainant', 'Resident V.Z.', 'sms', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(126, '2026-11-17T10:00:00Z', 'contact', 1261, 'sms', 'acknowledgement', 'jpatel'),
	(126, '2026-11-18T14:00:00Z', 'serious', NULL, NULL, NULL, 'jpatel'),
	(126, '2026-11-19T09:30:00Z', 'contact', 1261, 'phone', 'update', 'jpatel');

-- ASB-2026-0127: enquiry received Tue 10 Nov and never acknowledged (due Fri
-- 13): acknowledgement and first contact both overdue.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(127, 'ASB-2026-0127', 'enquiry', 'nuisance', 0, 0, 'standard', 'akhan', 'west', NULL, '2026-11-10T13:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1271, 127, 'complainant', 'Resident W.A.', 'email', NULL);

-- ASB-2026-0128: enquiry received Wed 18 Nov afternoon, nothing done yet:
-- acknowledgement and first contact pending (due Mon 23).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(128, 'ASB-2026-0128', 'enquiry', 'environmental', 0, 0, 'standard', 'mokafor', 'east', NULL, '2026-11-18T15:30:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1281, 128, 'complainant', 'Resident X.B.', 'phone', NULL);

-- ASB-2026-0129: complainant prefers email but was phoned (Tue 3 Nov), then
-- emailed Mon 9 Nov: Leeds's acknowledgement (any channel) met; O&W's first
-- contact by the preferred channel (due Thu 5) met late.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(129, 'ASB-2026-0129', 'enquiry', 'nuisance', 0, 0, 'standard', 'dwalsh', 'west', NULL, '2026-11-02T10:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1291, 129, 'complainant', 'Resident Y.C.', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(129, '2026-11-03T10:00:00Z', 'contact', 1291, 'phone', 'acknowledgement', 'dwalsh'),
	(129, '2026-11-09T10:00:00Z', 'contact', 1291, 'email', 'update', 'dwalsh');

-- ASB-2026-0130: acknowledgement letters per party: the victim's on time, the
-- witness's sent Mon 2 Nov (due Thu 29 Oct): met late, the referrer's never
-- sent: overdue. Perpetrator letter pending (due Mon 23 Nov).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(130, 'ASB-2026-0130', 'case', 'nuisance', 0, 0, 'standard', 'shughes', 'east', NULL, '2026-10-21T11:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1301, 130, 'victim', 'Resident Z.D.', NULL, NULL),
	(1302, 130, 'referrer', 'Housing Officer A.E.', 'email', NULL),
	(1303, 130, 'witness', 'Resident B.F.', NULL, NULL),
	(1304, 130, 'perpetrator', 'Resident C.G.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(130, '2026-10-22T10:00:00+01:00', 'contact', 1301, 'phone', 'update', 'shughes'),
	(130, '2026-10-22T10:15:00+01:00', 'contact', 1302, 'email', 'acknowledgement', 'shughes'),
	(130, '2026-10-26T10:00:00Z', 'accepted', NULL, NULL, NULL, 'shughes'),
	(130, '2026-10-27T11:00:00Z', 'contact', 1301, 'letter', 'acknowledgement', 'shughes'),
	(130, '2026-10-30T15:00:00Z', 'contact', 1301, 'visit', 'update', 'shughes'),
	(130, '2026-11-02T11:00:00Z', 'contact', 1303, 'letter', 'acknowledgement', 'shughes'),
	(130, '2026-11-12T10:00:00Z', 'contact', 1301, 'phone', 'update', 'shughes');

-- ASB-2026-0131: victim visit done late (accepted Tue 3 Nov, due Tue 17,
-- visited Thu 19): met late; under O&W the same visit is a day-late update.
-- Perpetrator letter pending (due Tue 1 Dec).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(131, 'ASB-2026-0131', 'case', 'nuisance', 0, 0, 'standard', 'tbrennan', 'west', NULL, '2026-10-29T10:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1311, 131, 'victim', 'Resident D.H.', 'phone', NULL),
	(1312, 131, 'referrer', 'Housing Officer E.J.', 'email', NULL),
	(1313, 131, 'perpetrator', 'Resident F.K.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(131, '2026-10-30T10:00:00Z', 'contact', 1311, 'phone', 'update', 'tbrennan'),
	(131, '2026-10-30T10:15:00Z', 'contact', 1312, 'email', 'acknowledgement', 'tbrennan'),
	(131, '2026-11-03T14:00:00Z', 'accepted', NULL, NULL, NULL, 'tbrennan'),
	(131, '2026-11-04T11:00:00Z', 'contact', 1311, 'letter', 'acknowledgement', 'tbrennan'),
	(131, '2026-11-04T11:05:00Z', 'contact', 1312, 'letter', 'acknowledgement', 'tbrennan'),
	(131, '2026-11-19T15:00:00Z', 'contact', 1311, 'visit', 'update', 'tbrennan');

-- ASB-2026-0132: on hold since Mon 16 Nov (awaiting a court hearing), no
-- resume yet: the running keep-informed and victim-update cycles are paused
-- (O&W's would otherwise be due today).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(132, 'ASB-2026-0132', 'case', 'nuisance', 0, 0, 'standard', 'jpatel', 'east', NULL, '2026-09-29T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1321, 132, 'victim', 'Resident G.L.', 'phone', NULL),
	(1322, 132, 'referrer', 'Housing Officer H.M.', 'email', NULL),
	(1323, 132, 'perpetrator', 'Resident J.N.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(132, '2026-09-30T10:00:00+01:00', 'contact', 1321, 'phone', 'update', 'jpatel'),
	(132, '2026-09-30T10:15:00+01:00', 'contact', 1322, 'email', 'acknowledgement', 'jpatel'),
	(132, '2026-10-05T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'jpatel'),
	(132, '2026-10-06T11:00:00+01:00', 'contact', 1321, 'letter', 'acknowledgement', 'jpatel'),
	(132, '2026-10-06T11:05:00+01:00', 'contact', 1322, 'letter', 'acknowledgement', 'jpatel'),
	(132, '2026-10-13T15:00:00+01:00', 'contact', 1321, 'visit', 'update', 'jpatel'),
	(132, '2026-10-20T10:00:00+01:00', 'contact', 1323, 'letter', 'warning', 'jpatel'),
	(132, '2026-10-23T10:00:00+01:00', 'contact', 1321, 'phone', 'update', 'jpatel'),
	(132, '2026-11-06T10:00:00Z', 'contact', 1321, 'phone', 'update', 'jpatel'),
	(132, '2026-11-16T09:00:00Z', 'hold', NULL, NULL, NULL, 'jpatel');

-- ASB-2026-0133: serious incident reported Monday 12 Oct at 21:10; phone call
-- Wed 14 (due Tue 13): met late. Then handled on time and closed Fri 13 Nov;
-- the victim's survey answer was "not satisfied".
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(133, 'ASB-2026-0133', 'closed', 'personal', 1, 0, 'standard', 'akhan', 'west', NULL, '2026-10-12T21:10:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1331, 133, 'victim', 'Resident K.P.', 'phone', NULL),
	(1332, 133, 'referrer', 'PC L.Q. (police)', 'email', NULL),
	(1333, 133, 'perpetrator', 'Resident M.R.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(133, '2026-10-13T09:30:00+01:00', 'contact', 1332, 'email', 'acknowledgement', 'akhan'),
	(133, '2026-10-14T10:00:00+01:00', 'contact', 1331, 'phone', 'update', 'akhan'),
	(133, '2026-10-16T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'akhan'),
	(133, '2026-10-19T11:00:00+01:00', 'contact', 1331, 'letter', 'acknowledgement', 'akhan'),
	(133, '2026-10-19T11:05:00+01:00', 'contact', 1332, 'letter', 'acknowledgement', 'akhan'),
	(133, '2026-10-22T15:00:00+01:00', 'contact', 1331, 'visit', 'update', 'akhan'),
	(133, '2026-10-23T10:00:00+01:00', 'contact', 1333, 'letter', 'warning', 'akhan'),
	(133, '2026-11-05T10:00:00Z', 'contact', 1331, 'phone', 'update', 'akhan'),
	(133, '2026-11-13T15:00:00Z', 'closed', NULL, NULL, NULL, 'akhan');

-- ASB-2026-0134: environmental enquiry (graffiti), acknowledged by email the
-- next day: met under both packs; the next O&W update is pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(134, 'ASB-2026-0134', 'enquiry', 'environmental', 0, 0, 'standard', 'mokafor', 'east', NULL, '2026-11-12T10:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1341, 134, 'complainant', 'Resident N.S.', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(134, '2026-11-13T10:00:00Z', 'contact', 1341, 'email', 'acknowledgement', 'mokafor');

-- ASB-2026-0135: long-running case kept to both standards since August:
-- every keep-informed and 14-day cycle met, a phone update about every 12
-- days; risk raised to medium on 14 Oct (not high, so no weekly updates).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(135, 'ASB-2026-0135', 'case', 'nuisance', 0, 0, 'medium', 'dwalsh', 'west', NULL, '2026-08-06T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1351, 135, 'victim', 'Resident P.T.', 'phone', NULL),
	(1352, 135, 'referrer', 'Housing Officer Q.V.', 'email', NULL),
	(1353, 135, 'perpetrator', 'Resident R.W.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(135, '2026-08-07T10:00:00+01:00', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-08-07T10:15:00+01:00', 'contact', 1352, 'email', 'acknowledgement', 'dwalsh'),
	(135, '2026-08-11T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'dwalsh'),
	(135, '2026-08-12T11:00:00+01:00', 'contact', 1351, 'letter', 'acknowledgement', 'dwalsh'),
	(135, '2026-08-12T11:05:00+01:00', 'contact', 1352, 'letter', 'acknowledgement', 'dwalsh'),
	(135, '2026-08-18T15:00:00+01:00', 'contact', 1351, 'visit', 'update', 'dwalsh'),
	(135, '2026-08-20T10:00:00+01:00', 'contact', 1353, 'letter', 'warning', 'dwalsh'),
	(135, '2026-08-28T10:00:00+01:00', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-09-09T10:00:00+01:00', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-09-21T10:00:00+01:00', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-10-02T10:00:00+01:00', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-10-14T09:00:00+01:00', 'risk', NULL, NULL, 'medium', 'dwalsh'),
	(135, '2026-10-14T10:00:00+01:00', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-10-26T10:00:00Z', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-11-06T10:00:00Z', 'contact', 1351, 'phone', 'update', 'dwalsh'),
	(135, '2026-11-18T10:00:00Z', 'contact', 1351, 'phone', 'update', 'dwalsh');

-- ASB-2026-0136: two victims, obligations per party: the first visited Thu
-- 5 Nov (met), the second not visited (due Mon 16 Nov): overdue; under O&W
-- the second was last updated Tue 3 Nov, due Tue 17: overdue.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(136, 'ASB-2026-0136', 'case', 'nuisance', 0, 0, 'standard', 'shughes', 'east', NULL, '2026-10-29T14:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1361, 136, 'victim', 'Resident S.X.', 'phone', NULL),
	(1362, 136, 'victim', 'Resident T.Y.', NULL, NULL),
	(1363, 136, 'referrer', 'Housing Officer U.Z.', 'email', NULL),
	(1364, 136, 'perpetrator', 'Resident V.A.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(136, '2026-10-30T10:00:00Z', 'contact', 1361, 'phone', 'update', 'shughes'),
	(136, '2026-10-30T10:15:00Z', 'contact', 1363, 'email', 'acknowledgement', 'shughes'),
	(136, '2026-11-02T14:00:00Z', 'accepted', NULL, NULL, NULL, 'shughes'),
	(136, '2026-11-03T11:00:00Z', 'contact', 1361, 'letter', 'acknowledgement', 'shughes'),
	(136, '2026-11-03T11:05:00Z', 'contact', 1362, 'letter', 'acknowledgement', 'shughes'),
	(136, '2026-11-03T11:10:00Z', 'contact', 1363, 'letter', 'acknowledgement', 'shughes'),
	(136, '2026-11-05T15:00:00Z', 'contact', 1361, 'visit', 'update', 'shughes'),
	(136, '2026-11-12T10:00:00Z', 'contact', 1364, 'letter', 'warning', 'shughes'),
	(136, '2026-11-17T10:00:00Z', 'contact', 1361, 'phone', 'update', 'shughes');

-- ASB-2026-0137: a victim who reported the matter themselves, recorded once
-- as role 'victim' with roles 'complainant': the one person is owed what a
-- complainant is owed and what a victim is owed, once each. Received Tue 3
-- Nov by phone and acknowledged by phone Wed 4: Leeds's acknowledge-enquiry
-- (to the complainant, due Fri 6) met, and O&W's first contact (phone, the
-- preferred channel, due Fri 6) met. Accepted Mon 9 Nov: the victim's
-- acknowledgement letter Tue 10 (due Thu 12) met, visit Tue 17 (due Mon 23)
-- met, perpetrator letter Thu 19 (due Mon 7 Dec) met. Keep-informed, to the
-- victim: the cycle from acceptance (due Mon 7 Dec) met by the letter, the
-- one from Tue 10 (due Tue 8 Dec) met by the visit, the one from Tue 17 (due
-- Tue 15 Dec) pending. O&W's 14-day updates, one chain for the one person:
-- due 17 Nov met Wed 4, due 18 Nov met Tue 10, due 24 Nov met Tue 17, and
-- the one due Tue 1 Dec pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(137, 'ASB-2026-0137', 'case', 'nuisance', 0, 0, 'standard', 'mokafor', 'east', NULL, '2026-11-03T10:00:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at, roles) VALUES
	(1371, 137, 'victim', 'Resident W.B.', 'phone', NULL, 'complainant'),
	(1372, 137, 'perpetrator', 'Resident X.C.', NULL, NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(137, '2026-11-04T10:00:00Z', 'contact', 1371, 'phone', 'acknowledgement', 'mokafor'),
	(137, '2026-11-09T14:00:00Z', 'accepted', NULL, NULL, NULL, 'mokafor'),
	(137, '2026-11-10T11:00:00Z', 'contact', 1371, 'letter', 'acknowledgement', 'mokafor'),
	(137, '2026-11-17T15:00:00Z', 'contact', 1371, 'visit', 'update', 'mokafor'),
	(137, '2026-11-19T10:00:00Z', 'contact', 1372, 'letter', 'warning', 'mokafor');

-- ASB-2026-0138: a hate crime not flagged serious (serious 0, hate 1): Leeds
-- owes the phone call within 1 WD all the same. Racist abuse reported online
-- Wed 18 Nov 09:20; the complainant was acknowledged by email, their
-- preferred channel, Thu 19: Leeds's acknowledge-enquiry (due Mon 23) and
-- O&W's first contact (due Mon 23) met, and O&W's first 14-day update (due 2
-- Dec) met, the next due Thu 3 Dec pending. But an email is no phone call:
-- the call was due Thu 19, overdue (escalated to the manager from today,
-- 1 WD after the deadline).
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(138, 'ASB-2026-0138', 'enquiry', 'personal', 0, 1, 'standard', 'akhan', 'west', NULL, '2026-11-18T09:20:00Z');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1381, 138, 'complainant', 'Resident Y.D.', 'email', NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(138, '2026-11-19T10:30:00Z', 'contact', 1381, 'email', 'acknowledgement', 'akhan');

-- ASB-2026-0139: a contact timescale agreed part-way through: the victim
-- asked, through their support worker, to be called fortnightly, agreed Fri
-- 23 Oct (an `agreed` event naming the victim, so for their cycles; no
-- contact that day). Leeds's keep-informed: the cycle from acceptance Mon 12
-- Oct (due Mon 9 Nov) met by the letter Tue 13, the one from Tue 13 (due Tue
-- 10 Nov) met by the visit Tue 20; the one from Tue 20 was running when the
-- fortnight was agreed, which brought its deadline forward from Tue 17 Nov
-- (20 WD) to Fri 6 Nov (the agreement's day + 14 days): the call Mon 9
-- Nov, 20 days on, met it 1 WD late; the one from Mon 9 Nov takes the
-- fortnight: due Mon 23 Nov (20 WD would be 7 Dec), pending. Otherwise run to the standards:
-- acknowledgement Fri 9 Oct (due Tue 13) met, letters to the victim and the
-- referrer Tue 13 (due Thu 15) met, visit Tue 20 (due Mon 26) met,
-- perpetrator letter Thu 29 Oct (due Mon 9 Nov) met. O&W: first contact by
-- phone Fri 9 Oct (due Tue 13) met; 14-day updates due 22, 23 and 27 Oct met
-- (Fri 9, Tue 13, Tue 20), due 3 Nov met late on Mon 9 (O&W takes no agreed
-- timescale), and the next due Mon 23 Nov pending.
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at) VALUES
	(139, 'ASB-2026-0139', 'case', 'nuisance', 0, 0, 'standard', 'shughes', 'east', NULL, '2026-10-08T10:00:00+01:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at) VALUES
	(1391, 139, 'victim', 'Resident Z.E.', 'phone', NULL),
	(1392, 139, 'referrer', 'Housing Officer A.G.', 'email', NULL),
	(1393, 139, 'perpetrator', 'Resident B.H.', NULL, NULL);
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
	(139, '2026-10-09T10:00:00+01:00', 'contact', 1391, 'phone', 'update', 'shughes'),
	(139, '2026-10-09T10:15:00+01:00', 'contact', 1392, 'email', 'acknowledgement', 'shughes'),
	(139, '2026-10-12T14:00:00+01:00', 'accepted', NULL, NULL, NULL, 'shughes'),
	(139, '2026-10-13T11:00:00+01:00', 'contact', 1391, 'letter', 'acknowledgement', 'shughes'),
	(139, '2026-10-13T11:05:00+01:00', 'contact', 1392, 'letter', 'acknowledgement', 'shughes'),
	(139, '2026-10-20T15:00:00+01:00', 'contact', 1391, 'visit', 'update', 'shughes'),
	(139, '2026-10-23T12:00:00+01:00', 'agreed', 1391, NULL, 'fortnightly', 'shughes'),
	(139, '2026-10-29T10:00:00Z', 'contact', 1393, 'letter', 'warning', 'shughes'),
	(139, '2026-11-09T10:00:00Z', 'contact', 1391, 'phone', 'update', 'shughes');

-- Survey answers: 18 of 20 satisfied (90%), below Oadby & Wigston's 97%
-- target. Two paper forms came back with no case reference.
INSERT INTO surveys (id, case_id, at, satisfied) VALUES
	(1, NULL, '2026-08-20T12:00:00+01:00', 1),
	(2, 135, '2026-09-15T12:00:00+01:00', 1),
	(3, 106, '2026-09-21T12:00:00+01:00', 1),
	(4, NULL, '2026-09-30T12:00:00+01:00', 1),
	(5, 124, '2026-10-05T12:00:00+01:00', 1),
	(6, 117, '2026-10-05T14:00:00+01:00', 1),
	(7, 114, '2026-10-09T12:00:00+01:00', 1),
	(8, 123, '2026-10-09T14:00:00+01:00', 1),
	(9, 101, '2026-10-12T12:00:00+01:00', 1),
	(10, 125, '2026-10-16T12:00:00+01:00', 1),
	(11, 122, '2026-10-20T12:00:00+01:00', 1),
	(12, 118, '2026-10-22T12:00:00+01:00', 1),
	(13, 105, '2026-10-23T12:00:00+01:00', 1),
	(14, 112, '2026-10-23T14:00:00+01:00', 0),
	(15, 120, '2026-10-30T12:00:00Z', 1),
	(16, 135, '2026-11-10T12:00:00Z', 1),
	(17, 108, '2026-11-12T12:00:00Z', 1),
	(18, 133, '2026-11-16T12:00:00Z', 0),
	(19, 109, '2026-11-17T12:00:00Z', 1),
	(20, 111, '2026-11-19T12:00:00Z', 1);

-- Joint Action Group meetings, one a month on the second Tuesday, held for
-- the whole unit (no team). July's was missed: that month is overdue. None
-- yet in November: pending until the end of the month.
INSERT INTO meetings (id, kind, held_on, team) VALUES
	(1, 'jag', '2026-01-13', NULL),
	(2, 'jag', '2026-02-10', NULL),
	(3, 'jag', '2026-03-10', NULL),
	(4, 'jag', '2026-04-14', NULL),
	(5, 'jag', '2026-05-12', NULL),
	(6, 'jag', '2026-06-09', NULL),
	(7, 'jag', '2026-08-11', NULL),
	(8, 'jag', '2026-09-08', NULL),
	(9, 'jag', '2026-10-13', NULL);

COMMIT;
