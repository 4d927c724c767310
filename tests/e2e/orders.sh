#!/bin/sh
# orders.sh - orders, authorizations, finalize and certificates (RFC 8555
# §7.1.2-§7.5) in policy mode, through nginx at the curl level: what the
# endpoint's template allows is issued, everything else gets the right
# problem document and leaves the database exactly as it was.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need nginx curl jq sqlite3 certtool basenc date od awk
e2e_init orders
make_tls

bail() {
	echo "Bail out! $*"
	exit 1
}

NP=$(freeport) NP2=$(freeport) FP=$(freeport) FP2=$(freeport)
acme_setup "https://127.0.0.1:$NP/acme" orders_per_page=2 ||
    bail "acme-fcgi --init-db"
CA=oca
CA_DIR=$T/db/ca/$CA
"$SCRIPTS/acme-ca" --db "$DB" init "$CA" > "$T/out" 2>&1 || bail "acme-ca init: $(cat "$T/out")"
"$SCRIPTS/acme-app" --db "$DB" create app > /dev/null || bail "acme-app create"
"$SCRIPTS/acme-template" --db "$DB" create t1 --ca "$CA" --allow '*.example.test' --allow example.test \
    --allow-ip 192.0.2.0/24 --allow-wildcard --key-types ec256,rsa2048 \
    --validity-days 30 --max-validity-days 60 --eku serverAuth > /dev/null || bail "acme-template create t1"
"$SCRIPTS/acme-template" --db "$DB" create t2 --ca "$CA" --allow '*.example.test' --allow example.test \
    --key-types ec256 > /dev/null || bail "acme-template create t2"
endpoint e1 --application app --template t1 --tag t1 || bail "endpoint e1"
endpoint e2 --application app --template t2 || bail "endpoint e2"
endpoint e3 || bail "endpoint e3"
# An endpoint bound to an upstream template, with no managed challenge yet
# (tests/e2e/proxy.sh orders through upstream templates).
"$SCRIPTS/acme-upstream" --db "$DB" add up --directory https://upstream.example.test/dir \
    > "$T/out" 2>&1 || bail "acme-upstream add: $(cat "$T/out")"
"$SCRIPTS/acme-template" --db "$DB" create tu --upstream up --allow '*.example.test' \
    > /dev/null || bail "acme-template create tu"
endpoint e4 --application app --template tu || bail "endpoint e4"

# Two acme-fcgi processes on one database, each behind its own nginx: the
# race below finalizes one order through both at once.
start_standalone "127.0.0.1:$FP" 2
FCGI_ADDR=127.0.0.1:$FP start_nginx "$NP"
start_standalone "127.0.0.1:$FP2" 1
FCGI_ADDR=127.0.0.1:$FP2 start_nginx "$NP2"
wait_url "$BASE_URL/e1/directory" && wait_url "https://127.0.0.1:$NP2/acme/e1/directory" ||
    t_skip_all "servers did not start"
E1=$BASE_URL/e1
UNKNOWN=AAAAAAAAAAAAAAAAAAAAAA

# --- helpers ----------------------------------------------------------------

TOS='"termsOfServiceAgreed":true'

# account WHO EP - a new account on EP (with an EAB key of EP): its key is
# $T/WHO.key, its URL in $T/WHO.kid.
account() {
	"$PROBE" keygen ec256 "$T/$1.key" && eab "$2" || return 1
	post "$BASE_URL/$2/new-account" "$(jws "$2" "$BASE_URL/$2/new-account" "$T/$1.key" \
	    --payload "{$TOS}" --eab-kid "$KID" --eab-hmac "$HMAC")"
	[ "$STATUS" = 201 ] && resp_header Location > "$T/$1.kid"
}
kid() { cat "$T/$1.kid"; }

# ep_of URL - the endpoint a resource URL of ours belongs to.
ep_of() {
	_r=${1#"$BASE_URL"/}
	echo "${_r%%/*}"
}

# signed URL WHO [PAYLOAD] - a JWS by account WHO for URL, with a fresh
# nonce; POST-as-GET without PAYLOAD.
signed() {
	if [ $# -ge 3 ]; then
		jws "$(ep_of "$1")" "$1" "$T/$2.key" --kid "$(kid "$2")" --payload "$3"
	else
		jws "$(ep_of "$1")" "$1" "$T/$2.key" --kid "$(kid "$2")"
	fi
}

# fetch URL WHO [PAYLOAD] - posts signed(...); STATUS, $T/resp, $T/resp.h.
fetch() { post "$1" "$(signed "$@")"; }

# postx URL BODY [CURL-ARGS...] - post with extra curl arguments (headers).
postx() {
	_u=$1 _b=$2
	shift 2
	rm -f "$T/resp" "$T/resp.h"
	STATUS=$(printf '%s' "$_b" | curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' \
	    -H "Content-Type: application/jose+json" "$@" --data-binary @- "$_u")
}

# refused DESC STATUS TYPE URL WHO [PAYLOAD] - lib.sh's rejected, signed by WHO.
refused() {
	_d=$1 _s=$2 _t=$3 _u=$4 _w=$5
	shift 5
	if ! _body=$(signed "$_u" "$_w" "$@") || [ -z "$_body" ]; then
		t_not_ok "$_d: acme-probe made no request"
		t_not_ok "$_d: not sent"
		return
	fi
	rejected "$_d" "$_s" "$_t" "$_u" "$_body"
}

# new_order WHO PAYLOAD [EP] - posts a newOrder (on e1 by default); sets
# STATUS, ORDER (the Location) and FIN (the finalize URL); the order
# object is also kept in $T/order.json.
new_order() {
	_nu=$BASE_URL/${3:-e1}/new-order
	post "$_nu" "$(signed "$_nu" "$1" "$2")"
	ORDER=$(resp_header Location)
	FIN=$(jq -r '.finalize // empty' "$T/resp" 2>/dev/null)
	cp "$T/resp" "$T/order.json" 2>/dev/null
}

b64u() { basenc --base64url | tr -d '=\n'; }

# csr NAME KEYFILE VALUE... - a DER CSR for the values (iPAddress for dotted
# quads) in $T/NAME.der, its base64url in $T/NAME.b64.
csr() {
	_n=$1 _k=$2
	shift 2
	for _v in "$@"; do
		case $_v in
		*[!0-9.]*) echo "dns_name = \"$_v\"" ;;
		*) echo "ip_address = \"$_v\"" ;;
		esac
	done > "$T/$_n.tmpl"
	certtool --generate-request --load-privkey "$_k" --template "$T/$_n.tmpl" \
	    --outder --outfile "$T/$_n.der" > /dev/null 2>&1 &&
	    b64u < "$T/$_n.der" > "$T/$_n.b64"
}
# csr_body NAME - the finalize payload for $T/NAME.b64.
csr_body() { printf '{"csr":"%s"}' "$(cat "$T/$1.b64")"; }

# cert_of NAME FILE N - the N-th PEM certificate of FILE into $T/NAME.pem.
cert_of() {
	awk -v n="$3" '/-----BEGIN CERTIFICATE-----/ { i++ } i == n { print }
	    /-----END CERTIFICATE-----/ && i == n { exit }' "$2" > "$T/$1.pem"
}
# info FILE [--inder] - certtool's description in $T/info.
info() { certtool -i --infile "$@" > "$T/info" 2>/dev/null; }
has() { grep -q -- "$1" "$T/info"; }
# when "Not Before"|"Not After" - that date of $T/info, in Unix time.
when() { date -u -d "$(sed -n "s/^[[:space:]]*$1: //p" "$T/info" | head -n 1)" +%s; }
# sans - the subjectAltName values of $T/info, sorted.
sans() {
	sed -n -e 's/^[[:space:]]*DNSname: //p' -e 's/^[[:space:]]*IPAddress: //p' "$T/info" | sort
}
# order_values [FILE] - an order object's identifier values, sorted.
order_values() { jq -r '.identifiers[].value' "${1:-$T/resp}" | sort; }
# body - the last response body on one line (for messages).
body() { jq -c . "$T/resp" 2>/dev/null || head -c 300 "$T/resp" 2>/dev/null | tr '\n' ' '; }
# link REL - the target of the last response's Link header with rel=REL.
link() {
	tr -d '\r' < "$T/resp.h" | sed -n "s/^[Ll]ink: *<\([^>]*\)>;rel=\"$1\".*/\1/p" | head -n 1
}
rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
certs_of() {	# certs_of ORDER-URL - its rows in certificates
	sqlite3 "$DB" "SELECT count(*) FROM certificates c JOIN orders o ON o.id = c.order_id
	    WHERE o.uid = '${1##*/}'"
}

# --- fixture: accounts, keys and CSRs ----------------------------------------
account a1 e1 && account a2 e1 && account p1 e1 && account b1 e2 && account c1 e3 &&
    account u1 e4 ||
    bail "accounts could not be made: $STATUS $(body)"
A1=$(kid a1) P1=$(kid p1)

certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$T/leaf.key" 2>/dev/null &&
certtool --generate-privkey --key-type=rsa --bits=3072 --outfile "$T/rsa3072.key" 2>/dev/null ||
    bail "certtool --generate-privkey"
NAMES="www.example.test *.example.test example.test 192.0.2.10"
set -f	# $NAMES has a pattern that is no file name glob
csr good "$T/leaf.key" $NAMES &&
csr extra "$T/leaf.key" $NAMES extra.example.test &&
csr missing "$T/leaf.key" www.example.test '*.example.test' 192.0.2.10 &&
csr rsa3072 "$T/rsa3072.key" $NAMES &&
csr acctkey "$T/a1.key" $NAMES &&
csr dated "$T/leaf.key" dated.example.test &&
csr race "$T/leaf.key" race.example.test &&
csr deact "$T/leaf.key" deact.example.test &&
csr late "$T/leaf.key" late.example.test &&
csr old "$T/leaf.key" old.example.test || bail "certtool --generate-request"
set +f
# A broken signature: the last byte of the DER (inside the signature) flipped.
sz=$(wc -c < "$T/good.der")
last=$(tail -c 1 "$T/good.der" | od -An -tu1 | tr -d ' ')
{ head -c $((sz - 1)) "$T/good.der"; printf "\\$(printf '%03o' $((last ^ 1)))"; } > "$T/badsig.der"
b64u < "$T/badsig.der" > "$T/badsig.b64"

t_plan 169

# --- directory ----------------------------------------------------------------
STATUS=$(curl_ -o "$T/resp" -w '%{http_code}' "$E1/directory")
[ "$STATUS" = 200 ] && [ "$(jq -r .newOrder "$T/resp")" = "$E1/new-order" ] &&
    t_ok "directory lists newOrder" || t_not_ok "directory: $STATUS $(body)"

# --- newOrder -----------------------------------------------------------------
new_order a1 "$(ids WWW.Example.TEST '*.example.test' example.test 192.0.2.10)"
O1=$ORDER FIN1=$FIN
case $O1 in
"$E1"/order/*) loc_ok=1 ;;
*) loc_ok=0 ;;
esac
[ "$STATUS" = 201 ] && [ $loc_ok = 1 ] && [ "$(jq -r .status "$T/resp")" = ready ] &&
    t_ok "newOrder: 201, Location is an order URL, status ready" ||
    t_not_ok "newOrder: $STATUS Location=$O1 $(body)"
[ "$(jq -c '[.identifiers[] | .type + ":" + .value]' "$T/resp")" = \
    '["dns:www.example.test","dns:*.example.test","dns:example.test","ip:192.0.2.10"]' ] &&
    t_ok "newOrder: identifiers in normal form, in request order" ||
    t_not_ok "identifiers: $(jq -c .identifiers "$T/resp")"
exp=$(jq -r .expires "$T/resp")
printf '%s\n' "$exp" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' &&
    [ "$(date -u -d "$exp" +%s)" -gt "$(date +%s)" ] &&
    t_ok "newOrder: expires is an RFC 3339 time in the future" || t_not_ok "expires: $exp"
[ "$(jq '.authorizations | length' "$T/resp")" = 4 ] &&
    [ "$(jq -r '.authorizations[]' "$T/resp" | grep -c "^$E1/authz/[A-Za-z0-9_-]*\$")" = 4 ] &&
    [ "$(jq -r '.authorizations[]' "$T/resp" | sort -u | wc -l)" = 4 ] &&
    [ "$FIN1" = "$O1/finalize" ] && [ "$(jq -r '.certificate // "none"' "$T/resp")" = none ] &&
    t_ok "newOrder: four distinct authorizations, finalize URL, no certificate yet" ||
    t_not_ok "authorizations/finalize: $(body)"
[ "$(sqlite3 "$DB" "SELECT o.status, count(z.id) FROM orders o JOIN authorizations z ON z.order_id = o.id
    WHERE o.uid = '${O1##*/}' AND z.status = 'valid'")" = "ready|4" ] &&
    t_ok "newOrder: order and four valid authorizations stored" || t_not_ok "order rows"

# Each authorization, in the order of the identifiers.
i=0
for az in $(jq -r '.authorizations[]' "$T/order.json"); do
	want_v=$(jq -r ".identifiers[$i].value" "$T/order.json")
	want_t=$(jq -r ".identifiers[$i].type" "$T/order.json")
	wild=false
	case $want_v in
	'*.'*) want_v=${want_v#\*.} wild=true ;;
	esac
	fetch "$az" a1
	[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = valid ] &&
	    [ "$(jq -r .identifier.type "$T/resp")" = "$want_t" ] &&
	    [ "$(jq -r .identifier.value "$T/resp")" = "$want_v" ] &&
	    [ "$(jq -c .challenges "$T/resp")" = '[]' ] &&
	    [ "$(jq -r '.wildcard // false' "$T/resp")" = "$wild" ] &&
	    [ "$(jq -r .expires "$T/resp")" = "$exp" ] &&
	    t_ok "authorization $i: valid, $want_t $want_v, no challenges, wildcard $wild" ||
	    t_not_ok "authorization $i ($want_t $want_v): $STATUS $(body)"
	i=$((i + 1))
done
AZ1=$(jq -r '.authorizations[0]' "$T/order.json")

fetch "$O1" a1
[ "$STATUS" = 200 ] && [ "$(jq -S . "$T/resp")" = "$(jq -S . "$T/order.json")" ] &&
    t_ok "order POST-as-GET returns the same object" ||
    t_not_ok "order POST-as-GET: $STATUS $(body)"

# --- requested validity -------------------------------------------------------
now=$(date +%s)
NB=$(rfc3339 $((now + 3600))) NA=$(rfc3339 $((now + 3600 + 20 * 86400)))
new_order a1 "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"dated.example.test\"}],\"notBefore\":\"$NB\",\"notAfter\":\"$NA\"}"
FIND=$FIN
[ "$STATUS" = 201 ] && [ "$(jq -r .notBefore "$T/resp")" = "$NB" ] &&
    [ "$(jq -r .notAfter "$T/resp")" = "$NA" ] &&
    t_ok "newOrder with notBefore/notAfter within the maximum: echoed back" ||
    t_not_ok "dated order: $STATUS $(body)"
refused "notAfter beyond max_validity_days" 400 malformed "$E1/new-order" a1 \
    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example.test\"}],\"notAfter\":\"$(rfc3339 $((now + 61 * 86400)))\"}"
jq -r .detail "$T/resp" | grep -q 60 && t_ok "the detail names the maximum (60 days)" ||
    t_not_ok "detail: $(jq -r .detail "$T/resp")"
refused "notBefore a day in the past" 400 malformed "$E1/new-order" a1 \
    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example.test\"}],\"notBefore\":\"$(rfc3339 $((now - 86400)))\"}"
refused "notAfter before notBefore" 400 malformed "$E1/new-order" a1 \
    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example.test\"}],\"notBefore\":\"$NA\",\"notAfter\":\"$NB\"}"
refused "notBefore that is not a date" 400 malformed "$E1/new-order" a1 \
    '{"identifiers":[{"type":"dns","value":"a.example.test"}],"notBefore":"tomorrow"}'

# --- identifiers the endpoint refuses -------------------------------------------
refused "name outside the template" 400 rejectedIdentifier "$E1/new-order" a1 "$(ids www.other.test)"
[ "$(jq -r '.subproblems[0].identifier.value' "$T/resp")" = www.other.test ] &&
    [ "$(jq -r '.subproblems[0].type' "$T/resp")" = urn:ietf:params:acme:error:rejectedIdentifier ] &&
    t_ok "subproblem names the identifier" || t_not_ok "subproblems: $(body)"
# The refused request spent its nonce: the very same JWS again is badNonce
# (RFC 8555 §6.5), even if it would now be accepted.
rejected "a refused newOrder sent again" 400 badNonce "$E1/new-order" "$_body"
refused "good and bad names mixed" 400 rejectedIdentifier "$E1/new-order" a1 \
    "$(ids www.example.test bad.other.test example.test)"
[ "$(jq -c '[.subproblems[].identifier.value]' "$T/resp")" = '["bad.other.test"]' ] &&
    t_ok "only the bad identifier is a subproblem" || t_not_ok "subproblems: $(body)"
refused "wildcard where the template allows none (e2)" 400 rejectedIdentifier "$BASE_URL/e2/new-order" b1 \
    "$(ids www.example.test '*.example.test')"
[ "$(jq -c '[.subproblems[].identifier.value]' "$T/resp")" = '["*.example.test"]' ] &&
    t_ok "the wildcard is the subproblem" || t_not_ok "subproblems: $(body)"
new_order b1 "$(ids www.example.test)" e2
[ "$STATUS" = 201 ] && [ "$(jq -r .status "$T/resp")" = ready ] &&
    t_ok "e2 issues a name its template allows" || t_not_ok "e2 newOrder: $STATUS $(body)"
refused "IP address outside 192.0.2.0/24" 400 rejectedIdentifier "$E1/new-order" a1 "$(ids 198.51.100.7)"
refused "IP address where the template allows none (e2)" 400 rejectedIdentifier "$BASE_URL/e2/new-order" b1 \
    "$(ids 192.0.2.10)"
refused "identifier of type email" 400 unsupportedIdentifier "$E1/new-order" a1 \
    '{"identifiers":[{"type":"email","value":"a@example.test"}]}'
refused "the same name twice (case differs)" 400 malformed "$E1/new-order" a1 \
    "$(ids www.example.test WWW.EXAMPLE.test)"
refused "empty identifiers" 400 malformed "$E1/new-order" a1 '{"identifiers":[]}'
refused "no identifiers" 400 malformed "$E1/new-order" a1 '{}'
refused "identifiers not an array" 400 malformed "$E1/new-order" a1 '{"identifiers":"www.example.test"}'
many=
i=0
while [ $i -le 100 ]; do
	many="$many h$i.example.test"
	i=$((i + 1))
done
refused "101 identifiers" 400 malformed "$E1/new-order" a1 "$(ids $many)"
refused "newOrder on an endpoint bound to no template (e3)" 403 unauthorized "$BASE_URL/e3/new-order" c1 \
    "$(ids www.example.test)"
refused "newOrder on an upstream endpoint (e4) with no managed challenge" 400 \
    rejectedIdentifier "$BASE_URL/e4/new-order" u1 "$(ids www.example.test)"
[ "$(jq -r '.subproblems[0].detail' "$T/resp")" = \
    "this account may use no managed challenge" ] &&
    t_ok "the subproblem says no managed challenge answers for it" ||
    t_not_ok "detail: $(body)"
refused "POST-as-GET to new-order" 400 malformed "$E1/new-order" a1

# --- finalize: CSRs that do not fit --------------------------------------------
refused "CSR with an extra name" 400 badCSR "$FIN1" a1 "$(csr_body extra)"
fetch "$O1" a1
[ "$(jq -r .status "$T/resp")" = ready ] && t_ok "the order is still ready" ||
    t_not_ok "order after badCSR: $(body)"
refused "CSR missing a name" 400 badCSR "$FIN1" a1 "$(csr_body missing)"
refused "CSR with an RSA 3072 key (template: ec256, rsa2048)" 400 badPublicKey "$FIN1" a1 "$(csr_body rsa3072)"
refused "CSR with a broken signature" 400 badCSR "$FIN1" a1 "$(csr_body badsig)"
refused "CSR with the account's own key" 400 badCSR "$FIN1" a1 "$(csr_body acctkey)"
jq -r .detail "$T/resp" | grep -q "account key" && t_ok "the detail says it is the account key" ||
    t_not_ok "detail: $(jq -r .detail "$T/resp")"
refused "csr that is not base64url" 400 badCSR "$FIN1" a1 '{"csr":"not+base64/url=="}'
refused "csr that is not DER" 400 badCSR "$FIN1" a1 "{\"csr\":\"$(printf 'hello, world' | b64u)\"}"
refused "finalize without csr" 400 malformed "$FIN1" a1 '{}'
refused "finalize with POST-as-GET" 400 malformed "$FIN1" a1

# --- finalize -------------------------------------------------------------------
fetch "$FIN1" a1 "$(csr_body good)"
CERT1=$(jq -r '.certificate // empty' "$T/resp")
case $CERT1 in
"$E1"/cert/*) cert_ok=1 ;;
*) cert_ok=0 ;;
esac
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = valid ] && [ $cert_ok = 1 ] &&
    t_ok "finalize: 200, status valid, certificate URL" || t_not_ok "finalize: $STATUS $(body)"
fetch "$O1" a1
cp "$T/resp" "$T/o1.json"
[ "$(jq -r .status "$T/resp")" = valid ] && [ "$(jq -r .certificate "$T/resp")" = "$CERT1" ] &&
    t_ok "the order is valid and names its certificate" || t_not_ok "order after finalize: $(body)"
refused "finalize the same order again" 403 orderNotReady "$FIN1" a1 "$(csr_body good)"
[ "$(certs_of "$O1")" = 1 ] && t_ok "exactly one certificates row for the order" ||
    t_not_ok "certificates rows: $(certs_of "$O1")"
[ "$(sqlite3 "$DB" "SELECT c.names, c.key_type, t.name, c.tag, ca.name FROM certificates c
    JOIN orders o ON o.id = c.order_id JOIN templates t ON t.id = c.template_id
    JOIN cas ca ON ca.id = c.ca_id WHERE o.uid = '${O1##*/}'")" = \
    "[\"www.example.test\",\"*.example.test\",\"example.test\",\"192.0.2.10\"]|ec256|t1|t1|$CA" ] &&
    t_ok "certificates row: names, key type, template, tag, CA" ||
    t_not_ok "certificates row: $(sqlite3 "$DB" "SELECT * FROM certificates")"

# The order that asked for its validity gets it.
fetch "$FIND" a1 "$(csr_body dated)"
CERTD=$(jq -r '.certificate // empty' "$T/resp")
fetch "$CERTD" a1
cert_of dated "$T/resp" 1
info "$T/dated.pem"
[ "$STATUS" = 200 ] && [ "$(when "Not Before")" = "$(date -u -d "$NB" +%s)" ] &&
    [ "$(when "Not After")" = "$(date -u -d "$NA" +%s)" ] &&
    t_ok "the certificate has the notBefore and notAfter the order asked for" ||
    t_not_ok "dated certificate: $STATUS $(grep 'Not ' "$T/info")"

# --- time passing, simulated in the database --------------------------------------
# An order that asked for notBefore = now, finalized two hours later: the
# server accepted it, so it must still be able to issue it.
new_order a1 "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"late.example.test\"}],\"notBefore\":\"$(rfc3339 "$(date +%s)")\"}"
OL=$ORDER FINL=$FIN
sqlite3 "$DB" "UPDATE orders SET not_before = not_before - 7200, created = created - 7200
    WHERE uid = '${OL##*/}'"
fetch "$FINL" a1 "$(csr_body late)"
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = valid ] &&
    t_ok "an order whose requested notBefore has passed is still issued" ||
    t_not_ok "late finalize: $STATUS $(body)"
# An order past its expiry.
new_order a1 "$(ids old.example.test)"
OO=$ORDER FINO=$FIN
AZO=$(jq -r '.authorizations[0]' "$T/resp")
sqlite3 "$DB" "UPDATE orders SET expires = $(($(date +%s) - 1)) WHERE uid = '${OO##*/}';
    UPDATE authorizations SET expires = $(($(date +%s) - 1)) WHERE uid = '${AZO##*/}'"
fetch "$OO" a1
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = invalid ] &&
    [ "$(sqlite3 "$DB" "SELECT status FROM orders WHERE uid = '${OO##*/}'")" = invalid ] &&
    t_ok "an order past its expiry is invalid (and stored so)" || t_not_ok "expired order: $STATUS $(body)"
fetch "$AZO" a1
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = expired ] &&
    t_ok "its authorization is expired" || t_not_ok "expired authorization: $STATUS $(body)"
refused "finalize an expired order" 403 orderNotReady "$FINO" a1 "$(csr_body old)"

# --- another account's resources -----------------------------------------------
refused "another account's order" 403 unauthorized "$O1" a2
grep -q example.test "$T/resp" && t_not_ok "the order's identifiers are in the body" ||
    t_ok "the body says nothing of the order"
refused "another account's authorization" 403 unauthorized "$AZ1" a2
grep -q example.test "$T/resp" && t_not_ok "the identifier is in the body" ||
    t_ok "the body says nothing of the authorization"
refused "another account's certificate" 403 unauthorized "$CERT1" a2
grep -q "BEGIN CERTIFICATE" "$T/resp" && t_not_ok "the certificate is in the body" ||
    t_ok "the body holds no certificate"
refused "deactivating another account's authorization" 403 unauthorized "$AZ1" a2 '{"status":"deactivated"}'
new_order a1 "$(ids race.example.test)"
OR=$ORDER FINR=$FIN
[ "$STATUS" = 201 ] && t_ok "a fresh order to race on" || t_not_ok "race order: $STATUS $(body)"
refused "finalizing another account's order" 403 unauthorized "$FINR" a2 "$(csr_body race)"
refused "unknown order" 404 malformed "$E1/order/$UNKNOWN" a1
refused "unknown authorization" 404 malformed "$E1/authz/$UNKNOWN" a1
refused "unknown certificate" 404 malformed "$E1/cert/$UNKNOWN" a1
refused "finalize of an unknown order" 404 malformed "$E1/order/$UNKNOWN/finalize" a1 "$(csr_body good)"
refused "an order of e1 asked for through e2 by an account there" 403 unauthorized \
    "$BASE_URL/e2/order/${O1##*/}" b1

# --- two finalize requests at once, through two processes -------------------------
body1=$(signed "$FINR" a1 "$(csr_body race)")
body2=$(signed "$FINR" a1 "$(csr_body race)")
printf '%s' "$body1" | curl_ -o "$T/race1" -w '%{http_code}' -H "Content-Type: application/jose+json" \
    --data-binary @- "$FINR" > "$T/race1.code" &
r1=$!
printf '%s' "$body2" | curl_ -o "$T/race2" -w '%{http_code}' -H "Content-Type: application/jose+json" \
    --data-binary @- "https://127.0.0.1:$NP2/acme/${FINR#"$BASE_URL"/}" > "$T/race2.code" &
r2=$!
wait $r1 $r2
codes=$(printf '%s\n%s\n' "$(cat "$T/race1.code")" "$(cat "$T/race2.code")" | sort | tr '\n' ' ')
loser=$T/race1
[ "$(cat "$T/race1.code")" = 403 ] || loser=$T/race2
[ "$codes" = "200 403 " ] &&
    [ "$(jq -r .type "$loser")" = urn:ietf:params:acme:error:orderNotReady ] &&
    t_ok "concurrent finalize: one 200, one 403 orderNotReady" ||
    { t_not_ok "concurrent finalize: $codes"; t_diag "$(cat "$T/race1" "$T/race2")"; }
[ "$(certs_of "$OR")" = 1 ] && t_ok "exactly one certificate for the raced order" ||
    t_not_ok "raced order has $(certs_of "$OR") certificates"

# --- certificate download ---------------------------------------------------------
postx "$CERT1" "$(signed "$CERT1" a1)" -H 'Accept:'
cp "$T/resp" "$T/chain.pem"
UP=$(link up)
[ "$STATUS" = 200 ] && [ "$(resp_header Content-Type)" = application/pem-certificate-chain ] &&
    [ "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$T/chain.pem")" = 2 ] &&
    t_ok "certificate without Accept: 200, application/pem-certificate-chain, two certificates" ||
    t_not_ok "certificate: $STATUS $(resp_header Content-Type) $(head -c 300 "$T/resp")"
[ "$UP" = "$E1/issuer/$CA" ] && t_ok "Link rel=\"up\" names the issuer" ||
    t_not_ok "up link: $(grep -i '^link' "$T/resp.h")"
certtool --verify --load-ca-certificate "$CA_DIR/root.pem" --infile "$T/chain.pem" > "$T/verify" 2>&1 &&
    grep -q "Chain verification output: Verified" "$T/verify" &&
    t_ok "the chain verifies to the CA's root" || { t_not_ok "chain verification"; t_diag "$(cat "$T/verify")"; }
cert_of leaf "$T/chain.pem" 1
cert_of chain2 "$T/chain.pem" 2
cert_of issuing "$CA_DIR/issuing.pem" 1
cmp -s "$T/chain2.pem" "$T/issuing.pem" && t_ok "the second certificate is the issuing CA's" ||
    t_not_ok "second certificate differs from $CA_DIR/issuing.pem"
info "$T/leaf.pem"
[ "$(sans)" = "$(order_values "$T/o1.json")" ] && t_ok "the leaf's subjectAltNames are the order's identifiers" ||
    t_not_ok "SANs: $(sans | tr '\n' ' ')"
has "Certificate Authority (CA): FALSE" && has "Digital signature." && ! has "Key encipherment." &&
    has "TLS WWW Server." && ! has "TLS WWW Client." && has "Subject: CN=www.example.test" &&
    t_ok "leaf: CA:FALSE, digitalSignature, serverAuth only, CN the first name" ||
    { t_not_ok "leaf profile"; t_diag "$(cat "$T/info")"; }
[ $(($(when "Not After") - $(when "Not Before"))) = $((30 * 86400 - 1)) ] &&
    t_ok "leaf valid for 30 days (notAfter - notBefore = 30 d - 1 s)" ||
    t_not_ok "validity: $(grep 'Not ' "$T/info")"
nb=$(when "Not Before")
[ "$nb" -le "$(date +%s)" ] && [ "$nb" -ge $(($(date +%s) - 7200)) ] &&
    t_ok "leaf notBefore is backdated by less than two hours" || t_not_ok "notBefore $nb"

postx "$CERT1" "$(signed "$CERT1" a1)" -H 'Accept: application/pkix-cert'
cp "$T/resp" "$T/leaf.der"
[ "$STATUS" = 200 ] && [ "$(resp_header Content-Type)" = application/pkix-cert ] &&
    certtool -i --inder --infile "$T/leaf.der" > "$T/info.der" 2>/dev/null &&
    certtool -i --infile "$T/leaf.pem" --outder 2>/dev/null | cmp -s - "$T/leaf.der" &&
    t_ok "Accept: application/pkix-cert gives the leaf in DER" ||
    t_not_ok "pkix-cert: $STATUS $(resp_header Content-Type)"
postx "$CERT1" "$(signed "$CERT1" a1)" -H 'Accept: text/html'
expect_problem "Accept: text/html" 406 malformed
postx "$CERT1" "$(signed "$CERT1" a1)" -H 'Accept: text/html, application/pem-certificate-chain;q=0.5'
[ "$STATUS" = 200 ] && [ "$(resp_header Content-Type)" = application/pem-certificate-chain ] &&
    t_ok "Accept with the PEM chain among others" || t_not_ok "Accept list: $STATUS $(resp_header Content-Type)"
STATUS=$(curl_ -o "$T/resp" -w '%{http_code}' "$UP")
cert_of up "$T/resp" 1
[ "$STATUS" = 200 ] && cmp -s "$T/up.pem" "$T/issuing.pem" &&
    t_ok "GET of the up URL: the issuing CA certificate" || t_not_ok "up: $STATUS $(body)"
STATUS=$(curl_ -o "$T/resp" -w '%{http_code}' "$E1/issuer/nosuchca")
expect_problem "GET of an unknown issuer" 404 malformed

refused "certificate POST with a payload" 400 malformed "$CERT1" a1 '{}'
refused "order POST with a payload" 400 malformed "$O1" a1 '{}'
refused "authorization POST with another status" 400 malformed "$AZ1" a1 '{"status":"valid"}'

# --- the orders list --------------------------------------------------------------
: > "$T/made"
for n in 1 2 3 4 5; do
	new_order p1 "$(ids "p$n.example.test")"
	[ "$STATUS" = 201 ] && echo "$ORDER" >> "$T/made"
done
[ "$(wc -l < "$T/made")" = 5 ] && t_ok "five orders for the paging account" ||
    t_not_ok "only $(wc -l < "$T/made") orders made"
fetch "$P1/orders" p1
next=$(link next)
[ "$STATUS" = 200 ] && [ "$(jq '.orders | length' "$T/resp")" = 2 ] &&
    [ "${next%%\?*}" = "$P1/orders" ] && [ "${next#*\?cursor=}" != "$next" ] &&
    t_ok "first page: two orders and Link rel=\"next\" with ?cursor=" ||
    t_not_ok "first page: $STATUS next=$next $(body)"
jq -r '.orders[]' "$T/resp" > "$T/listed"
pages=1 sizes=2
while [ -n "$next" ] && [ $pages -lt 10 ]; do
	fetch "$next" p1
	[ "$STATUS" = 200 ] || break
	jq -r '.orders[]' "$T/resp" >> "$T/listed"
	sizes="$sizes $(jq '.orders | length' "$T/resp")"
	pages=$((pages + 1))
	next=$(link next)
done
[ "$STATUS" = 200 ] && [ -z "$next" ] && [ "$sizes" = "2 2 1" ] &&
    t_ok "pages of 2, 2 and 1; the last without rel=\"next\"" ||
    t_not_ok "pages: $STATUS sizes=$sizes next=$next"
[ "$(sort -u "$T/listed" | wc -l)" = 5 ] && cmp -s "$T/listed" "$T/made" &&
    t_ok "all five orders listed once, oldest first" ||
    t_not_ok "listed: $(cat "$T/listed") made: $(cat "$T/made")"
refused "orders list with a bogus cursor" 404 malformed "$P1/orders?cursor=$UNKNOWN" p1
refused "orders list with a cursor of another account's order" 404 malformed "$P1/orders?cursor=${O1##*/}" p1
refused "another account's orders list" 403 unauthorized "$P1/orders" a2
fetch "$A1/orders" a1
[ "$STATUS" = 200 ] && [ "$(jq -r '.orders[0]' "$T/resp")" = "$O1" ] &&
    t_ok "the first account's list starts with its first order" || t_not_ok "a1 orders: $(body)"

# --- deactivating an authorization -------------------------------------------------
new_order a1 "$(ids deact.example.test)"
OX=$ORDER FINX=$FIN
AZX=$(jq -r '.authorizations[0]' "$T/resp")
fetch "$AZX" a1 '{"status":"deactivated"}'
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = deactivated ] &&
    t_ok "authorization deactivated: 200, status deactivated" ||
    t_not_ok "deactivate authorization: $STATUS $(body)"
fetch "$OX" a1
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = invalid ] &&
    [ "$(jq -r .error.type "$T/resp")" = urn:ietf:params:acme:error:unauthorized ] &&
    t_ok "its order is invalid, with an error" || t_not_ok "order after deactivation: $(body)"
fetch "$AZX" a1
[ "$(jq -r .status "$T/resp")" = deactivated ] && t_ok "the authorization stays deactivated" ||
    t_not_ok "authorization: $(body)"
refused "finalize an invalid order" 403 orderNotReady "$FINX" a1 "$(csr_body deact)"
refused "deactivate it again" 400 malformed "$AZX" a1 '{"status":"deactivated"}'
fetch "$AZ1" a1 '{"status":"deactivated"}'
fetch "$O1" a1
[ "$(jq -r .status "$T/resp")" = valid ] && [ "$(jq -r .certificate "$T/resp")" = "$CERT1" ] &&
    t_ok "deactivating an authorization of a valid order leaves the order valid" ||
    t_not_ok "valid order after deactivation: $(body)"

# --- max_pending_orders ------------------------------------------------------------
# A third acme-fcgi on the same database, its configuration the same but for
# max_pending_orders = 2, behind its own nginx (the rest keeps the default).
# Its base_url is the same, so the JWS are signed for $BASE_URL's URLs.
LP=$(freeport) LFP=$(freeport)
{ cat "$CONF"; echo "max_pending_orders = 2"; } > "$T/limit.conf"
start_standalone "127.0.0.1:$LFP" 1 "$T/limit.conf"
FCGI_ADDR=127.0.0.1:$LFP start_nginx "$LP"
LIMIT_NO=https://127.0.0.1:$LP/acme/e2/new-order
NO2=$BASE_URL/e2/new-order
# limit_order N - newOrder N (www-N.example.test) by account l1 through it.
limit_order() {
	post "$LIMIT_NO" "$(signed "$NO2" l1 "$(ids "www-$1.example.test")")"
	ORDER=$(resp_header Location)
	FIN=$(jq -r '.finalize // empty' "$T/resp" 2>/dev/null)
}
wait_url "https://127.0.0.1:$LP/acme/e2/directory" && account l1 e2 &&
    t_ok "an instance with max_pending_orders = 2, and an account" ||
    t_not_ok "max_pending_orders instance or account l1"
limit_order 1
LFIN1=$FIN
[ "$STATUS" = 201 ] && [ "$(jq -r .status "$T/resp")" = ready ] &&
    t_ok "max_pending_orders 2: the first order is accepted" || t_not_ok "first order: $STATUS $(body)"
limit_order 2
[ "$STATUS" = 201 ] && t_ok "max_pending_orders 2: the second order is accepted" ||
    t_not_ok "second order: $STATUS $(body)"
rejected "max_pending_orders 2: the third order" 429 rateLimited "$LIMIT_NO" \
    "$(signed "$NO2" l1 "$(ids www-3.example.test)")"
ra=$(resp_header Retry-After)
case $ra in
''|*[!0-9]*) ra_ok=0 ;;
*) [ "$ra" -ge 1 ] && [ "$ra" -le 604800 ] && ra_ok=1 || ra_ok=0 ;;
esac
[ $ra_ok = 1 ] && [ "$(jq -r .status "$T/resp")" = 429 ] &&
    jq -r .detail "$T/resp" | grep -q "has 2 orders not yet finished" &&
    t_ok "rateLimited names the limit; Retry-After $ra s: when the soonest expires" ||
    t_not_ok "rateLimited: Retry-After '$ra', $(body)"
# Finalized (valid), the first no longer counts.
"$PROBE" keygen ec256 "$T/l1-cert.key" && csr lim1 "$T/l1-cert.key" www-1.example.test
fetch "$LFIN1" l1 "$(csr_body lim1)"
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = valid ] &&
    t_ok "max_pending_orders: the first order finalized, valid" || t_not_ok "finalize: $STATUS $(body)"
limit_order 3
[ "$STATUS" = 201 ] && t_ok "max_pending_orders 2: after one is finalized, a new order is accepted" ||
    t_not_ok "order after finalize: $STATUS $(body)"
limit_order 4
expect_problem "max_pending_orders 2: and then again refused" 429 rateLimited
[ "$(sqlite3 "$DB" "SELECT count(*) FROM orders o JOIN accounts a ON a.id = o.account_id
    WHERE a.uid = '$(basename "$(kid l1)")'")" = 3 ] &&
    t_ok "account l1 has exactly the three orders accepted" ||
    t_not_ok "orders of l1: $(sqlite3 "$DB" 'SELECT uid, status FROM orders')"

# --- a deactivated endpoint (permanent: last) --------------------------------------
"$SCRIPTS/acme-endpoint" --db "$DB" deactivate e1 > /dev/null
refused "newOrder on a deactivated endpoint" 403 unauthorized "$E1/new-order" a1 "$(ids www.example.test)"
refused "order fetch on a deactivated endpoint" 403 unauthorized "$O1" a1
refused "certificate fetch on a deactivated endpoint" 403 unauthorized "$CERT1" a1

[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && t_ok "database integrity" || t_not_ok "integrity_check"
t_done
