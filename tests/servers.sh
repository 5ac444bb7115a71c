# Sourced, after tests/lib.sh, by the tests that talk to real servers on
# loopback: tests/smtp-server.py (aiosmtpd) and tests/http-receiver.py.
# Debian's Python packages are for /usr/bin/python3, whatever `python3` is.
PY=/usr/bin/python3

# need_python [MODULE]: skip the whole test when /usr/bin/python3, or its
# MODULE, is missing. automake's TAP driver counts a plan of 0 with SKIP as
# skipped (an exit status of 77 would be an error there).
need_python() {
	if [ ! -x "$PY" ]; then
		echo "1..0 # SKIP $PY is missing"
		exit 0
	fi
	if [ -n "${1:-}" ] && ! "$PY" -c "import $1" >/dev/null 2>&1; then
		echo "# skipped: $PY cannot import $1 (scripts/deps installs it)"
		echo "1..0 # SKIP $PY cannot import $1"
		exit 0
	fi
}

# serve PORT-FILE LOG SCRIPT [ARGS...]: run the Python server SCRIPT in the
# background with --port-file PORT-FILE and its standard error appended to
# LOG, and wait (at most 30 s) until it listens. Sets $served_pid and
# $served_port; returns 1, with LOG shown, when it died or never listened.
served_pids=
serve() {
	_pf=$1 _log=$2
	shift 2
	rm -f "$_pf"
	"$PY" "$@" --port-file "$_pf" 2>>"$_log" &
	served_pid=$!
	served_pids="$served_pids $served_pid"
	_i=0
	until [ -s "$_pf" ]; do
		if ! kill -0 "$served_pid" 2>/dev/null || [ "$_i" -ge 300 ]; then
			sed 's/^/# server: /' "$_log"
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	served_port=$(cat "$_pf")
}

# stop_servers: stop every server serve() started, and wait for them.
stop_servers() {
	for _p in $served_pids; do kill -TERM "$_p" 2>/dev/null || true; done
	for _p in $served_pids; do wait "$_p" 2>/dev/null || true; done
	served_pids=
}
