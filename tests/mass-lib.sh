# The fixture of the tests that send many messages at once (notify-crash,
# send-bounds, send-concurrent, send-diskfull): N officers of one team,
# each given one case received two hours ago under a one-hour urgent rule
# that tells only the officer when it is overdue, so that one scan queues
# one message per officer, due at once. Sourced after tests/lib.sh.

lines() { wc -l <"$1" 2>/dev/null | tr -d ' '; }
q() { sqlite3 -batch -cmd '.timeout 10000' "$1" "$2" </dev/null; }

# mass_setup DIR TEAM N: DIR/cases.db (a new case database) with the team
# TEAM and officers o0001 to oN (officer0001@example.gov.uk and on), and
# DIR/rules.conf with the rule call-back.
mass_setup() {
	"$CASEWATCH" db init "$1/cases.db" >/dev/null || return 1
	q "$1/cases.db" "INSERT INTO teams (id, name) VALUES ('$2', 'Team $2');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
INSERT INTO officers (id, name, email, team)
	SELECT printf('o%04d', i), printf('Officer %04d', i), printf('officer%04d@example.gov.uk', i), '$2' FROM n;" ||
		return 1
	cat >"$1/rules.conf" <<'EOF'
pack = "mass";
title = "Many messages at once";
rules = (
	{
		id = "call-back";
		title = "Phone call within an hour";
		kind = "deadline";
		from = "received";
		within = "1 hour";
		met_by = { kind = "contact"; channel = "phone"; };
		urgent = true;
		notify = { upcoming = false; due = false; overdue = { to = [ "officer" ]; }; escalated = false; };
	}
);
EOF
}

# mass_conf FILE STATE [LINE...]: a casewatch.conf in FILE (written whole,
# then renamed into place) for cases.db and rules.conf beside it and the
# state database STATE, a scan every second, a send window of all day,
# no digest; each LINE (an smtp or webhooks setting) added as it is.
mass_conf() {
	_f=$1 _state=$2
	shift 2
	{
		echo "database = \"cases.db\";"
		echo "state = \"$_state\";"
		echo "rules = [ \"rules.conf\" ];"
		echo "scan_interval = 1;"
		for _l in "$@"; do echo "$_l"; done
		cat <<'EOF'
notify = {
	window = { days = "all"; from = "00:00"; to = "23:59"; };
	officer_digest = false;
	manager_digest = { every = "never"; };
};
EOF
	} >"$_f.tmp" && mv "$_f.tmp" "$_f"
}

# mass_smtp PORT [TIMEOUT]: the smtp setting for a relay on loopback.
mass_smtp() {
	echo "smtp = { server = \"127.0.0.1:$1\"; tls = \"none\"; from = \"casewatch <cw@example.gov.uk>\";${2:+ timeout = $2;} };"
}

# mass_cases DB TEAM PREFIX FIRST LAST [OFFICER-OFFSET]: cases FIRST to
# LAST (refs PREFIX-0001 and on), received two hours ago, case i for
# officer i - OFFICER-OFFSET (default 0).
mass_cases() {
	_received=$(date -u -d "@$(($(date +%s) - 7200))" +%Y-%m-%dT%H:%M:%SZ)
	q "$1" "WITH RECURSIVE n(i) AS (SELECT $4 UNION ALL SELECT i + 1 FROM n WHERE i < $5)
INSERT INTO cases (id, ref, officer, team, received_at)
	SELECT i, printf('$3-%04d', i), printf('o%04d', i - ${6:-0}), '$2', '$_received' FROM n;"
}
