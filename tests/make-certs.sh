#!/bin/sh
# make-certs.sh DIR: a throwaway certificate authority and certificates it
# signed, for TLS tests on this host, made with the openssl command:
#   DIR/ca.pem                        the authority (its key: DIR/ca.key)
#   DIR/server.pem DIR/server.key     for 127.0.0.1 and localhost
#   DIR/other.pem DIR/other.key       for other.example only: a good chain
#                                     that names another host
# Valid for two days. Quiet unless something fails.
set -eu

[ $# -eq 1 ] || { echo "usage: make-certs.sh DIR" >&2; exit 2; }
dir=$1
mkdir -p "$dir"
log="$dir/make-certs.log"
: >"$log"

o() {
	openssl "$@" >>"$log" 2>&1 || {
		echo "make-certs.sh: openssl $1 failed:" >&2
		cat "$log" >&2
		exit 1
	}
}

# cert NAME CN SUBJECTALTNAME: DIR/NAME.key and DIR/NAME.pem signed by the CA.
cert() {
	o req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/$1.key" -out "$dir/$1.csr" -subj "/CN=$2"
	printf 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = %s\n' \
		"$3" >"$dir/$1.ext"
	o x509 -req -in "$dir/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
		-days 2 -sha256 -extfile "$dir/$1.ext" -out "$dir/$1.pem"
	rm -f "$dir/$1.csr" "$dir/$1.ext"
}

o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$dir/ca.key" -out "$dir/ca.pem" -days 2 -sha256 -subj "/CN=casewatch test CA $$" \
	-addext "basicConstraints = critical, CA:TRUE" -addext "keyUsage = critical, keyCertSign, cRLSign"
cert server localhost "IP:127.0.0.1, DNS:localhost"
cert other other.example "DNS:other.example"
chmod 600 "$dir"/*.key
rm -f "$log"
