#!/bin/sh
# Webhooks against a real HTTP server: tests/webhook-post posts with the
# daemon's code (daemon/webhook.c) to tests/http-receiver.py, which answers
# as scripted and logs every request it received. Each case checks what the
# poster made of the answer (sent, retry or dead; the status; Retry-After;
# the error line) and what the receiver saw: the signature, the body, the
# idempotency key, how many requests, on how many connections. Also: the
# HMAC against RFC 4231, nothing listening, a timeout, TLS that does not
# verify, schemes other than http and https, and that no error line repeats
# a token from the URL or the secret.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
RECEIVER="$top_srcdir/tests/http-receiver.py"
POST="$top_builddir/tests/webhook-post"

need_python

# Receivers are ended by their ids, even when a check fails or the script
# is interrupted.
cleanup() {
	stop_servers
	wait
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

lines() { wc -l <"$1" | tr -d ' '; }

# start_receiver NAME ARGS...: http-receiver.py logging to $T/NAME.log, its
# port in $NAME_port once it listens.
start_receiver() {
	_name=$1
	shift
	: >"$T/$_name.log"
	serve "$T/$_name.port" "$T/$_name.err" "$top_srcdir/tests/http-receiver.py" --out "$T/$_name.log" "$@" || return 1
	eval "${_name}_port=\$served_port"
}

# fields LOG SKIP KEY...: for each request in the receiver's LOG after the
# first SKIP, the values of KEY..., tab-separated (strings as they are,
# anything else as JSON).
fields() {
	"$PY" - "$@" <<'EOF'
import json, sys
path, skip, keys = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with open(path, encoding="utf-8") as f:
    for line in f.readlines()[skip:]:
        r = json.loads(line)
        print("\t".join(r[k] if isinstance(r[k], str) else json.dumps(r[k], sort_keys=True) for k in keys))
EOF
}

# post EXPECTED_STATUS NAME ARGS...: run the driver (see lib.sh's run),
# keeping everything it said in $T/said for the checks on secrets.
post() {
	_want=$1 _pname=$2
	shift 2
	run "$_pname" "$_want" "$POST" "$@"
	cat "$T/out" "$T/err" >>"$T/said"
}

tab=$(printf '\t')
ms() { echo $(($(date +%s%N) / 1000000)); }

### The HMAC against RFC 4231's test vectors (HMAC-SHA-256).
printf 'Jefe' >"$T/k2"
printf 'what do ya want for nothing?' >"$T/d2"
run "hmac: runs" 0 "$POST" --hmac "$T/k2" "$T/d2"
expect_out "hmac: RFC 4231 test case 2" 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
# Case 1: a 20-byte binary key.
printf '\013\013\013\013\013\013\013\013\013\013\013\013\013\013\013\013\013\013\013\013' >"$T/k1"
printf 'Hi There' >"$T/d1"
run "hmac: binary key runs" 0 "$POST" --hmac "$T/k1" "$T/d1"
expect_out "hmac: RFC 4231 test case 1" b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7
# Case 6: a 131-byte key, longer than SHA-256's block, hashed first.
"$PY" -c 'import sys; sys.stdout.buffer.write(b"\xaa" * 131)' >"$T/k6"
printf 'Test Using Larger Than Block-Size Key - Hash Key First' >"$T/d6"
run "hmac: long key runs" 0 "$POST" --hmac "$T/k6" "$T/d6"
expect_out "hmac: RFC 4231 test case 6" 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54

### One receiver, with a secret, for the HTTP cases.
secret=casewatch-test-secret-Zq9v
printf '%s\r\n' "$secret" >"$T/secret"
printf 'another-secret\n' >"$T/wrong-secret"
printf '{"case":"ASB-2024-0042","stage":"acknowledge","due":"2024-06-03","note":"caf\303\251 \342\200\223 noise"}' >"$T/body.json"
# A token that the kept start of an answer cuts short.
long_path=/h/SEKRIT$("$PY" -c 'print("Z" * 300)')
start_receiver main --secret-file "$T/secret" \
	--script /flaky=500,200 --script /busy=429 --retry-after 120 --script /bad=400 \
	--script /hook/SEKRITPATH123=404 --script "$long_path=404" --redirect /moved --sleep /slow=10 ||
	not_ok "the receiver starts"
base="http://127.0.0.1:$main_port"
log="$T/main.log"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")

## Accepted, signed, the body and key as sent.
n=$(lines "$log")
post 0 "signed post runs" --secret-file "$T/secret" "$base/ok" case-42-ack "$T/body.json"
expect_out "signed post: sent" "sent${tab}200${tab}-1${tab}"
same "signed post: the receiver verified the signature; key, type and agent as sent" \
	"$(fields "$log" "$n" method path status idempotency_key signature_ok content_type user_agent)" \
	"POST${tab}/ok${tab}200${tab}case-42-ack${tab}true${tab}application/json${tab}casewatch/$version"
same "signed post: the body as sent" \
	"$(fields "$log" "$n" body)" \
	"$("$PY" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1], encoding="utf-8")), sort_keys=True))' "$T/body.json")"

## One webhooker, three posts: one connection.
n=$(lines "$log")
post 0 "three posts run" --secret-file "$T/secret" --repeat 3 "$base/ok" case-42-again "$T/body.json"
expect_out "three posts: all sent" "$(printf 'sent\t200\t-1\t\nsent\t200\t-1\t\nsent\t200\t-1\t')"
same "three posts: three requests on one connection" \
	"$(fields "$log" "$n" conn | sort | uniq -c | awk '{ print $1 }')" 3

## 500, then 200: retry, then sent, with the same key both times.
n=$(lines "$log")
post 0 "500 then 200 runs" --secret-file "$T/secret" --repeat 2 "$base/flaky" case-7-overdue "$T/body.json"
expect_out "500 then 200: retry, then sent" \
	"$(printf 'retry\t500\t-1\twebhook test: HTTP 500: status 500 for [hidden]\nsent\t200\t-1\t')"
same "500 then 200: both requests carried the same Idempotency-Key" \
	"$(fields "$log" "$n" status idempotency_key | tr '\n' ' ')" \
	"500${tab}case-7-overdue 200${tab}case-7-overdue "

## 429 with Retry-After: retry when the server says.
post 0 "429 runs" --secret-file "$T/secret" "$base/busy" case-8 "$T/body.json"
expect_out "429 with Retry-After: 120: retry after 120 s" \
	"$(printf 'retry\t429\t120\twebhook test: HTTP 429: status 429 for [hidden]')"

## 400: never.
post 0 "400 runs" --secret-file "$T/secret" "$base/bad" case-9 "$T/body.json"
expect_out "400: dead" "$(printf 'dead\t400\t-1\twebhook test: HTTP 400: status 400 for [hidden]')"

## 302: dead, and not followed.
n=$(lines "$log")
post 0 "302 runs" --secret-file "$T/secret" "$base/moved" case-10 "$T/body.json"
expect_out "302: dead, redirects are not followed" \
	"$(printf 'dead\t302\t-1\twebhook test: HTTP 302: redirects are not followed')"
same "302: the receiver saw only the one request" "$(fields "$log" "$n" method path status)" "POST${tab}/moved${tab}302"

## A wrong signature, and none: the receiver refuses both.
n=$(lines "$log")
post 0 "wrong secret runs" --secret-file "$T/wrong-secret" "$base/ok" case-11 "$T/body.json"
expect_out "wrong secret: dead on 401" "$(printf 'dead\t401\t-1\twebhook test: HTTP 401: bad signature')"
post 0 "no secret runs" "$base/ok" case-12 "$T/body.json"
expect_out "no secret: dead on 401" "$(printf 'dead\t401\t-1\twebhook test: HTTP 401: bad signature')"
same "wrong and missing signatures: the receiver found them bad" \
	"$(fields "$log" "$n" idempotency_key signature_ok | tr '\n' ' ')" \
	"case-11${tab}false case-12${tab}false "

## A server slower than the bound: retry, in about the bound.
start=$(ms)
post 0 "timeout runs" --secret-file "$T/secret" --timeout-ms 500 "$base/slow" case-13 "$T/body.json"
took=$(($(ms) - start))
expect_out "timeout: retry" \
	"$(printf 'retry\t0\t-1\twebhook test: timed out after 500 ms talking to 127.0.0.1:%s' "$main_port")"
if [ "$took" -lt 3000 ]; then ok "timeout: gave up within 3 s of a 10 s wait ($took ms)"; else
	not_ok "timeout: gave up within 3 s of a 10 s wait ($took ms)"
fi

## Tokens in the URL (user, password, path, query) reach the server, and
## no error line repeats them, even when the server echoes the URL.
n=$(lines "$log")
post 0 "token URL runs" --secret-file "$T/secret" \
	"http://hookuser:SEKRITPASSWORD@127.0.0.1:$main_port/hook/SEKRITPATH123?token=SEKRITQUERY456" case-14 "$T/body.json"
expect_out "token URL: the error names the webhook, not the URL" \
	"$(printf 'dead\t404\t-1\twebhook test: HTTP 404: status 404 for [hidden]?[hidden]')"
same "token URL: the receiver had the whole path" \
	"$(fields "$log" "$n" path)" "/hook/SEKRITPATH123?token=SEKRITQUERY456"

post 0 "long token URL runs" --secret-file "$T/secret" "$base$long_path" case-14 "$T/body.json"
expect_out "long token URL: a token cut short is dropped, not shown in part" \
	"$(printf 'dead\t404\t-1\twebhook test: HTTP 404: status 404 for ...')"

## Nothing listening: retry.
free_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
post 0 "nothing listening runs" --secret-file "$T/secret" \
	"http://127.0.0.1:$free_port/services/T0SEKRIT1/B0SEKRIT2/SEKRITSLACKTOKEN" case-15 "$T/body.json"
expect_out "nothing listening: retry, cannot connect" \
	"$(printf 'retry\t0\t-1\twebhook test: cannot connect to 127.0.0.1:%s: Connection refused' "$free_port")"

## Only http and https: anything else is refused before it is tried.
n=$(lines "$log")
post 0 "ftp runs" --secret-file "$T/secret" "ftp://127.0.0.1:$main_port/SEKRITFTP" case-16 "$T/body.json"
expect_out "ftp://: dead, refused" \
	"$(printf 'dead\t0\t-1\twebhook test: scheme "ftp" refused: only http and https are allowed')"
post 0 "file runs" --secret-file "$T/secret" "file://$T/body.json" case-17 "$T/body.json"
expect_out "file://: dead, refused" \
	"$(printf 'dead\t0\t-1\twebhook test: scheme "file" refused: only http and https are allowed')"
same "ftp:// and file://: the receiver saw nothing" "$(lines "$log")" "$n"

### HTTPS with a certificate no trusted CA signed: TLS is always verified.
certs="$T/certs"
if [ -s "$top_srcdir/tests/make-certs.sh" ] && sh "$top_srcdir/tests/make-certs.sh" "$certs" >"$T/certs.out" 2>&1 &&
	[ -s "$certs/server.pem" ] && [ -s "$certs/server.key" ]; then
	:
else
	mkdir -p "$certs"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 \
		-keyout "$certs/server.key" -out "$certs/server.pem" >"$T/certs.out" 2>&1 ||
		sed 's/^/# openssl: /' "$T/certs.out"
fi
start_receiver tls --secret-file "$T/secret" --tls "$certs/server.pem" "$certs/server.key" ||
	not_ok "the TLS receiver starts"
post 0 "unverified https runs" --secret-file "$T/secret" "https://127.0.0.1:$tls_port/ok" case-18 "$T/body.json"
prefix=$(printf 'retry\t0\t-1\twebhook test: TLS verification failed for 127.0.0.1:%s: SSL certificate problem: ' "$tls_port")
case $(cat "$T/out") in
"$prefix"*) ok "unverified https: retry, TLS verification failed" ;;
*)
	not_ok "unverified https: retry, TLS verification failed"
	sed 's/^/# got: /' "$T/out"
	;;
esac
same "unverified https: no request got through" "$(lines "$T/tls.log")" 0

### Nothing the driver said repeated the secret or a token from a URL.
if grep -F -e "$secret" -e SEKRIT "$T/said" >"$T/leaks"; then
	not_ok "no output repeats the secret or a URL's token"
	sed 's/^/# /' "$T/leaks"
else
	ok "no output repeats the secret or a URL's token"
fi

done_testing
