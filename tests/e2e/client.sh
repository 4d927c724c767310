#!/bin/sh
# client.sh - the ACME client of core/acme_client.h, driven by
# acme-client-demo, obtains certificates from real servers: from acme-fcgi
# behind nginx (policy mode: EAB, no challenge to solve) and from Pebble
# (EAB required, every challenge answered, alternate chains, its own
# paging of the orders list).  Each chain must verify to the server's root.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need nginx curl certtool sqlite3 pebble basenc
DEMO=$top_builddir/tests/e2e/acme-client-demo
[ -x "$DEMO" ] || t_skip_all "$DEMO not built"
e2e_init client
make_tls

bail() {
	echo "Bail out! $*"
	exit 1
}

t_plan 25

# demo ARGS... - runs the driver; its stdout in $T/out, stderr in $T/err, RC.
demo() {
	RC=0
	"$DEMO" "$@" > "$T/out" 2> "$T/err" || RC=$?
}

# out KEY - the values of the "KEY value..." lines of the last run.
out() { sed -n "s/^$1 //p" "$T/out"; }

# demo_ok DESC ARGS... - the run succeeds.
demo_ok() {
	_d=$1
	shift
	demo "$@"
	if [ "$RC" = 0 ]; then
		t_ok "$_d"
	else
		t_not_ok "$_d: exit $RC"
		t_diag "$(cat "$T/out" "$T/err")"
	fi
}

# demo_fails DESC PATTERN ARGS... - the run fails and says PATTERN on stderr.
demo_fails() {
	_d=$1 _pat=$2
	shift 2
	demo "$@"
	if [ "$RC" = 1 ] && grep -q -- "$_pat" "$T/err"; then
		t_ok "$_d: \"$_pat\""
	else
		t_not_ok "$_d: exit $RC, want 1 and \"$_pat\""
		t_diag "$(cat "$T/out" "$T/err")"
	fi
}

# verifies DESC CHAIN ROOT - certtool verifies CHAIN up to ROOT.
verifies() {
	if certtool --verify --load-ca-certificate "$3" --infile "$2" > "$T/verify" 2>&1 &&
	    grep -q "Chain verification output: Verified" "$T/verify"; then
		t_ok "$1"
	else
		t_not_ok "$1"
		t_diag "$(cat "$T/verify")"
	fi
}

# sans PEM - the leaf's subjectAltNames, one a line, sorted.
sans() {
	certtool -i --infile "$1" 2>/dev/null |
	    sed -n 's/^[[:space:]]*\(DNSname\|IPAddress\): //p' | sort
}

# --- acme-fcgi behind nginx -------------------------------------------------------

NP=$(freeport) FP=$(freeport)
acme_setup "https://127.0.0.1:$NP/acme" orders_per_page=2 || bail "acme-fcgi --init-db"
CA=cca
"$SCRIPTS/acme-ca" --db "$DB" init "$CA" > "$T/ca.out" 2>&1 || bail "acme-ca init: $(cat "$T/ca.out")"
"$SCRIPTS/acme-app" --db "$DB" create app > /dev/null || bail "acme-app create"
"$SCRIPTS/acme-template" --db "$DB" create t1 --ca "$CA" --allow '*.example.test' \
    --allow example.test --allow-ip 192.0.2.0/24 --allow-wildcard --key-types ec256 \
    > /dev/null || bail "acme-template create"
endpoint e1 --application app --template t1 || bail "endpoint e1"
start_standalone "127.0.0.1:$FP" 2
FCGI_ADDR=127.0.0.1:$FP start_nginx "$NP"
wait_url "$BASE_URL/e1/directory" || bail "acme-fcgi behind nginx did not start"
DIR=$(dir_url e1)
eab e1 || bail "acme-eab create"

demo_ok "acme-fcgi: EAB account and a certificate for a name, a wildcard and an IP address" \
    -d "$DIR" -r "$CA_BUNDLE" -a "$T/a1.key" -k "$KID" -m "$HMAC" -o "$T/f1.pem" \
    www.example.test '*.example.test' 192.0.2.10
[ "$(out account | cut -d' ' -f2)" = created ] && [ "$(out chains)" = 1 ] &&
    [ -z "$(out challenge)" ] &&
    t_ok "acme-fcgi: account created, no challenge to answer, one chain" ||
    { t_not_ok "acme-fcgi: driver output"; t_diag "$(cat "$T/out")"; }
ORDERS=$(out order | cut -d' ' -f1)
verifies "acme-fcgi: the chain verifies to the CA's root" "$T/f1.pem" "$T/db/ca/$CA/root.pem"
[ "$(sans "$T/f1.pem" | tr '\n' ' ')" = "*.example.test 192.0.2.10 www.example.test " ] &&
    t_ok "acme-fcgi: the leaf names what was ordered" ||
    t_not_ok "acme-fcgi: leaf names: $(sans "$T/f1.pem" | tr '\n' ' ')"

for n in 2 3; do
	demo -d "$DIR" -r "$CA_BUNDLE" -a "$T/a1.key" -e "n$n.example.test"
	[ "$RC" = 0 ] && ORDERS="$ORDERS
$(out order | cut -d' ' -f1)"
done
[ "$RC" = 0 ] && [ "$(out account | cut -d' ' -f2)" = existing ] &&
    t_ok "acme-fcgi: onlyReturnExisting finds the account; two more orders" ||
    { t_not_ok "acme-fcgi: existing account: exit $RC"; t_diag "$(cat "$T/out" "$T/err")"; }
demo_ok "acme-fcgi: the orders list" -d "$DIR" -r "$CA_BUNDLE" -a "$T/a1.key" -e -L
[ "$(out orders)" = 3 ] && [ "$(out listed)" = "$ORDERS" ] &&
    t_ok "acme-fcgi: three orders over two pages of two, oldest first" ||
    { t_not_ok "acme-fcgi: orders list"; t_diag "listed: $(out listed) made: $ORDERS"; }
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM certificates')" = 3 ] &&
    t_ok "acme-fcgi: three certificates issued" ||
    t_not_ok "acme-fcgi: $(sqlite3 "$DB" 'SELECT count(*) FROM certificates') certificates"

demo_fails "acme-fcgi: a name outside the template is the server's rejectedIdentifier" \
    "newOrder: rejectedIdentifier (400)" \
    -d "$DIR" -r "$CA_BUNDLE" -a "$T/a1.key" -e www.other.test
grep -q "dns:www.other.test" "$T/err" && t_ok "acme-fcgi: with its subproblem" ||
    { t_not_ok "acme-fcgi: no subproblem"; t_diag "$(cat "$T/err")"; }
demo_fails "acme-fcgi: a key without an account" "newAccount: accountDoesNotExist (400)" \
    -d "$DIR" -r "$CA_BUNDLE" -e
demo_fails "acme-fcgi: no EAB" "newAccount: externalAccountRequired" \
    -d "$DIR" -r "$CA_BUNDLE"
demo_fails "acme-fcgi: an EAB with the wrong MAC key" "newAccount: unauthorized" \
    -d "$DIR" -r "$CA_BUNDLE" -k "$KID" -m AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
demo_fails "acme-fcgi: the single-use EAB key again, for another account" \
    "newAccount: unauthorized (403): externalAccountBinding: key is already bound" \
    -d "$DIR" -r "$CA_BUNDLE" -k "$KID" -m "$HMAC"
# The ACME CA's root is a fine PEM file, but it did not sign nginx's certificate.
demo_fails "acme-fcgi: a server the trust bundle does not vouch for" "newAccount: tls" \
    -d "$DIR" -r "$T/db/ca/$CA/root.pem" -a "$T/a1.key" -e
demo_fails "acme-fcgi: nothing listening" "newAccount: connection" \
    -d "https://127.0.0.1:$(freeport)/acme/e1/directory" -r "$CA_BUNDLE" -a "$T/a1.key" -e

# --- Pebble -------------------------------------------------------------------------

PP=$(freeport) PM=$(freeport) PH=$(freeport) PT=$(freeport)
PEBBLE_HMAC=$(head -c 32 /dev/urandom | basenc --base64url | tr -d '=\n')
cat > "$T/pebble.json" <<CONF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$PP",
    "managementListenAddress": "127.0.0.1:$PM",
    "certificate": "$T/tls/server.pem",
    "privateKey": "$T/tls/server.key",
    "httpPort": $PH,
    "tlsPort": $PT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": true,
    "externalAccountMACKeys": { "kid-1": "$PEBBLE_HMAC" }
  }
}
CONF
# Every challenge answered is valid; no sleeps; no nonce refused at random
# (one refusal is retried, two in a row fail the run); two more roots that
# cross-sign the intermediate: three chains.
PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_ALTERNATE_ROOTS=2 \
    pebble -config "$T/pebble.json" >> "$T/logs/pebble.log" 2>&1 &
echo $! >> "$T/pids"
PDIR=https://127.0.0.1:$PP/dir
wait_url "$PDIR" || bail "pebble did not start"
for i in 0 1 2; do
	curl_ -o "$T/proot$i.pem" "https://127.0.0.1:$PM/roots/$i" || bail "pebble root $i"
done

demo_ok "pebble: EAB account, challenges answered, a certificate" \
    -d "$PDIR" -r "$CA_BUNDLE" -a "$T/p1.key" -k kid-1 -m "$PEBBLE_HMAC" -o "$T/p1.pem" \
    www.example.test '*.example.test' 192.0.2.7
grep -q '^challenge dns-01 ' "$T/out" && grep -q '^challenge http-01 ' "$T/out" &&
    [ "$(grep -c '^authz .* valid$' "$T/out")" = 3 ] &&
    t_ok "pebble: dns-01 for the wildcard, http-01 for the others, three authorizations valid" ||
    { t_not_ok "pebble: challenges"; t_diag "$(cat "$T/out")"; }
[ "$(out chains)" = 3 ] && [ "$(out picked)" = 0 ] &&
    t_ok "pebble: the default chain and two alternates (Link rel=\"alternate\")" ||
    { t_not_ok "pebble: chains"; t_diag "$(cat "$T/out")"; }
verifies "pebble: the default chain verifies to Pebble's root" "$T/p1.pem" "$T/proot0.pem"

ROOT2=$(certtool -i --infile "$T/proot2.pem" 2>/dev/null | sed -n 's/^[[:space:]]*Subject: CN=//p')
demo_ok "pebble: preferred chain \"$ROOT2\"" -d "$PDIR" -r "$CA_BUNDLE" -a "$T/p1.key" -e \
    -p "$ROOT2" -o "$T/p2.pem" -L p2.example.test
verifies "pebble: the chosen chain verifies to that root" "$T/p2.pem" "$T/proot2.pem"
if certtool --verify --load-ca-certificate "$T/proot0.pem" --infile "$T/p2.pem" 2>&1 |
    grep -q "Chain verification output: Verified"; then
	t_not_ok "pebble: the chosen chain also verifies to the default root"
else
	t_ok "pebble: and not to the default root"
fi
[ "$(out orders)" = 2 ] && t_ok "pebble: the orders list has both orders" ||
    { t_not_ok "pebble: orders list"; t_diag "$(cat "$T/out")"; }
demo_fails "pebble: no EAB" "newAccount: externalAccountRequired" -d "$PDIR" -r "$CA_BUNDLE"
t_done
