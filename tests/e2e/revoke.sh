#!/bin/sh
# revoke.sh - revokeCert (RFC 8555 §7.6) in policy mode, through nginx at
# the curl level (acme-probe), then with certbot: a certificate is revoked
# by the account that ordered it ("kid") or by a JWS its own key signed
# ("jwk"), with a reason or without; the revocation is in the database and
# the certificate can still be downloaded.  Every refusal (reason 6, 7 or 8, a
# certificate that is not DER, one issued elsewhere, one that has the
# serial of ours but not its bytes, another account's, a key that is not
# the certificate's, one revoked already) gets its problem document and
# leaves the database exactly as it was.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need nginx curl jq sqlite3 certtool basenc certbot
e2e_init revoke
make_tls

bail() {
	echo "Bail out! $*"
	exit 1
}

NP=$(freeport) FP=$(freeport)
acme_setup "https://127.0.0.1:$NP/acme" || bail "acme-fcgi --init-db"
CA=rca
"$SCRIPTS/acme-ca" --db "$DB" init "$CA" > "$T/out" 2>&1 || bail "acme-ca init: $(cat "$T/out")"
"$SCRIPTS/acme-app" --db "$DB" create app > /dev/null || bail "acme-app create"
"$SCRIPTS/acme-template" --db "$DB" create t1 --ca "$CA" --allow '*.example.test' \
    --key-types ec256,rsa2048 > /dev/null || bail "acme-template create"
endpoint e1 --application app --template t1 || bail "endpoint e1"
endpoint e2 --application app --template t1 || bail "endpoint e2"
start_standalone "127.0.0.1:$FP" 2
FCGI_ADDR=127.0.0.1:$FP start_nginx "$NP"
wait_url "$BASE_URL/e1/directory" || t_skip_all "servers did not start"
E1=$BASE_URL/e1
RV=$E1/revoke-cert

# --- helpers (as in orders.sh) -----------------------------------------------------

# account WHO EP - an account on EP: its key $T/WHO.key, its URL $T/WHO.kid.
account() {
	"$PROBE" keygen ec256 "$T/$1.key" && eab "$2" || return 1
	echo "$2" > "$T/$1.ep"
	post "$BASE_URL/$2/new-account" "$(jws "$2" "$BASE_URL/$2/new-account" "$T/$1.key" \
	    --payload '{"termsOfServiceAgreed":true}' --eab-kid "$KID" --eab-hmac "$HMAC")"
	[ "$STATUS" = 201 ] && resp_header Location > "$T/$1.kid"
}
# signed URL WHO [PAYLOAD] - a JWS by account WHO ("kid"); POST-as-GET without PAYLOAD.
signed() {
	_ep=$(cat "$T/$2.ep")
	if [ $# -ge 3 ]; then
		jws "$_ep" "$1" "$T/$2.key" --kid "$(cat "$T/$2.kid")" --payload "$3"
	else
		jws "$_ep" "$1" "$T/$2.key" --kid "$(cat "$T/$2.kid")"
	fi
}
fetch() { post "$1" "$(signed "$@")"; }
# by_key URL KEYFILE PAYLOAD - a JWS signed by KEYFILE with its "jwk", on e1.
by_key() { jws e1 "$1" "$2" --payload "$3"; }
b64u() { basenc --base64url | tr -d '=\n'; }
body() { jq -c . "$T/resp" 2>/dev/null || head -c 300 "$T/resp" 2>/dev/null | tr '\n' ' '; }
# rv_body FILE [REASON] - a revokeCert payload for the DER in FILE.
rv_body() {
	if [ $# -ge 2 ]; then
		printf '{"certificate":"%s","reason":%s}' "$(b64u < "$1")" "$2"
	else
		printf '{"certificate":"%s"}' "$(b64u < "$1")"
	fi
}

# issue NAME WHO DNSNAME - a certificate for DNSNAME ordered by WHO on its
# endpoint, for the new key $T/NAME.key: its DER in $T/NAME.der, its URL
# in $T/NAME.url, its order's uid in $T/NAME.order.
issue() {
	_ep=$(cat "$T/$2.ep")
	"$PROBE" keygen ec256 "$T/$1.key" || return 1
	fetch "$BASE_URL/$_ep/new-order" "$2" \
	    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"$3\"}]}"
	[ "$STATUS" = 201 ] || return 1
	_o=$(resp_header Location)
	echo "${_o##*/}" > "$T/$1.order"
	_fin=$(jq -r .finalize "$T/resp")
	echo "dns_name = \"$3\"" > "$T/$1.tmpl"
	certtool --generate-request --load-privkey "$T/$1.key" --template "$T/$1.tmpl" \
	    --outder --outfile "$T/$1.csr" > /dev/null 2>&1 || return 1
	fetch "$_fin" "$2" "{\"csr\":\"$(b64u < "$T/$1.csr")\"}"
	[ "$STATUS" = 200 ] || return 1
	jq -r .certificate "$T/resp" > "$T/$1.url"
	rm -f "$T/resp" "$T/resp.h"
	STATUS=$(signed "$(cat "$T/$1.url")" "$2" | curl_ -o "$T/$1.der" \
	    -w '%{http_code}' -H "Content-Type: application/jose+json" \
	    -H "Accept: application/pkix-cert" --data-binary @- "$(cat "$T/$1.url")")
	[ "$STATUS" = 200 ] && [ -s "$T/$1.der" ]
}
# row NAME - "status|reason|revoked" of NAME's certificate (reason "" if NULL).
row() {
	sqlite3 "$DB" "SELECT c.status, ifnull(c.reason, ''), ifnull(c.revoked, '')
	    FROM certificates c JOIN orders o ON o.id = c.order_id
	    WHERE o.uid = '$(cat "$T/$1.order")'"
}
serial_of() {
	sqlite3 "$DB" "SELECT c.serial FROM certificates c JOIN orders o ON o.id = c.order_id
	    WHERE o.uid = '$(cat "$T/$1.order")'"
}
# revoked_ok DESC NAME REASON T0 - the last answer is 200 with nothing in
# it but the index link, and NAME is revoked with REASON at or after T0.
revoked_ok() {
	_r=$(row "$2")
	_at=${_r##*|}
	if [ "$STATUS" = 200 ] && [ ! -s "$T/resp" ] &&
	    tr -d '\r' < "$T/resp.h" | grep -qi "^link: <$E1/directory>;rel=\"index\"" &&
	    [ "${_r%|*}" = "revoked|$3" ] && [ -n "$_at" ] && [ "$_at" -ge "$4" ] &&
	    [ "$_at" -le "$(date +%s)" ]; then
		t_ok "$1: 200, empty, Link rel=\"index\"; stored revoked, reason '${3:-none}'"
	else
		t_not_ok "$1: $STATUS $(body) row=$_r"
		t_diag "$(cat "$T/resp.h" 2>/dev/null)"
	fi
}

# --- fixture ----------------------------------------------------------------------
account a1 e1 && account a2 e1 && account b1 e2 || bail "accounts: $STATUS $(body)"
issue c1 a1 one.example.test && issue c2 a1 two.example.test &&
    issue c3 a2 three.example.test && issue c4 b1 four.example.test &&
    issue c5 a1 five.example.test || bail "certificates: $STATUS $(body)"
# Not ours: a self-signed certificate.
printf 'cn = "one.example.test"\ndns_name = "one.example.test"\nexpiration_days = 2\n' \
    > "$T/self.tmpl"
certtool --generate-self-signed --load-privkey "$T/c1.key" --template "$T/self.tmpl" \
    --outder --outfile "$T/self.der" > /dev/null 2>&1 || bail "certtool self-signed"
# Signed by our issuing CA with c1's serial and key, but never issued: the
# serial finds c1, the bytes differ.
CA_KEY=$(sqlite3 "$DB" "SELECT issuing_key FROM cas WHERE name = '$CA'")
sqlite3 "$DB" "SELECT issuing_pem FROM cas WHERE name = '$CA'" > "$T/issuing.pem"
printf 'cn = "one.example.test"\ndns_name = "one.example.test"\nserial = 0x%s\nexpiration_days = 2\n' \
    "$(serial_of c1)" > "$T/forged.tmpl"
certtool --generate-certificate --load-privkey "$T/c1.key" --load-ca-certificate "$T/issuing.pem" \
    --load-ca-privkey "$CA_KEY" --template "$T/forged.tmpl" --outder --outfile "$T/forged.der" \
    > /dev/null 2>&1 || bail "certtool forged"
[ "$(certtool -i --inder --infile "$T/forged.der" 2>/dev/null |
    sed -n '/Serial Number (hex):/{s/.*: *//p;q}' | tr -d ':' | tr 'A-F' 'a-f')" = "$(serial_of c1)" ] ||
    bail "the forged certificate does not have c1's serial"
printf 'hello, world' > "$T/junk.der"

t_plan 51

# --- the directory ----------------------------------------------------------------
STATUS=$(curl_ -o "$T/resp" -w '%{http_code}' "$E1/directory")
[ "$STATUS" = 200 ] && [ "$(jq -r .revokeCert "$T/resp")" = "$RV" ] &&
    t_ok "the directory names revokeCert" || t_not_ok "directory: $STATUS $(body)"

# --- refusals, each leaving the database as it was --------------------------------------
rejected "reason 7 (unused in RFC 5280)" 400 badRevocationReason "$RV" \
    "$(signed "$RV" a1 "$(rv_body "$T/c1.der" 7)")"
rejected "reason 11" 400 badRevocationReason "$RV" "$(signed "$RV" a1 "$(rv_body "$T/c1.der" 11)")"
# A revocation here is for good: no hold (6), and removeFromCRL (8) is for delta CRLs.
rejected "reason 6 (certificateHold)" 400 badRevocationReason "$RV" \
    "$(signed "$RV" a1 "$(rv_body "$T/c1.der" 6)")"
rejected "reason 8 (removeFromCRL)" 400 badRevocationReason "$RV" \
    "$(signed "$RV" a1 "$(rv_body "$T/c1.der" 8)")"
rejected "a certificate that is not DER" 400 malformed "$RV" "$(signed "$RV" a1 "$(rv_body "$T/junk.der" 1)")"
rejected "a certificate that is not base64url" 400 malformed "$RV" \
    "$(signed "$RV" a1 '{"certificate":"MII+Bg=="}')"
rejected "no certificate" 400 malformed "$RV" "$(signed "$RV" a1 '{"reason":1}')"
rejected "POST-as-GET" 400 malformed "$RV" "$(signed "$RV" a1)"
rejected "a certificate this server did not issue" 404 malformed "$RV" \
    "$(signed "$RV" a1 "$(rv_body "$T/self.der")")"
rejected "a certificate with our serial and issuer that we never issued" 404 malformed "$RV" \
    "$(signed "$RV" a1 "$(rv_body "$T/forged.der")")"
rejected "... signed with its key (jwk)" 404 malformed "$RV" \
    "$(by_key "$RV" "$T/c1.key" "$(rv_body "$T/forged.der")")"
rejected "a certificate of another endpoint (e2), by its key" 404 malformed "$RV" \
    "$(by_key "$RV" "$T/c4.key" "$(rv_body "$T/c4.der")")"
rejected "another account's certificate" 403 unauthorized "$RV" \
    "$(signed "$RV" a1 "$(rv_body "$T/c3.der" 1)")"
grep -q three "$T/resp" && t_not_ok "the refusal names the certificate" ||
    t_ok "the refusal says nothing of the certificate"
rejected "signed with another certificate's key (jwk)" 403 unauthorized "$RV" \
    "$(by_key "$RV" "$T/c2.key" "$(rv_body "$T/c1.der")")"
rejected "signed with the ordering account's key as a jwk" 403 unauthorized "$RV" \
    "$(by_key "$RV" "$T/a1.key" "$(rv_body "$T/c1.der")")"
rejected "both kid and jwk" 400 malformed "$RV" \
    "$(jws e1 "$RV" "$T/a1.key" --kid "$(cat "$T/a1.kid")" --jwk-too --payload "$(rv_body "$T/c1.der")")"

# --- by the account (kid), with a reason ----------------------------------------------
t0=$(date +%s)
fetch "$RV" a1 "$(rv_body "$T/c1.der" 1)"
revoked_ok "c1 revoked by its account, keyCompromise (1)" c1 1 "$t0"
rejected "c1 again" 400 alreadyRevoked "$RV" "$(signed "$RV" a1 "$(rv_body "$T/c1.der" 4)")"
rejected "c1 again, by its key" 400 alreadyRevoked "$RV" \
    "$(by_key "$RV" "$T/c1.key" "$(rv_body "$T/c1.der")")"
fetch "$(cat "$T/c1.url")" a1
[ "$STATUS" = 200 ] && grep -q 'BEGIN CERTIFICATE' "$T/resp" &&
    t_ok "a revoked certificate can still be downloaded" || t_not_ok "download of c1: $STATUS $(body)"
"$SCRIPTS/acme-cert" --db "$DB" show "$(serial_of c1)" > "$T/show" 2>&1
grep -q "revoked" "$T/show" && grep -q "keyCompromise (1)" "$T/show" &&
    t_ok "acme-cert show: revoked, keyCompromise (1)" || { t_not_ok "acme-cert show"; t_diag "$(cat "$T/show")"; }

# --- by the certificate's key (jwk), without a reason --------------------------------------
t0=$(date +%s)
post "$RV" "$(by_key "$RV" "$T/c2.key" "$(rv_body "$T/c2.der")")"
revoked_ok "c2 revoked by its own key, no reason" c2 "" "$t0"
[ "$(row c3)" = "valid||" ] && [ "$(row c5)" = "valid||" ] &&
    t_ok "the other certificates are still valid" || t_not_ok "c3: $(row c3), c5: $(row c5)"
t0=$(date +%s)
post "$RV" "$(by_key "$RV" "$T/c5.key" "$(rv_body "$T/c5.der" 0)")"
revoked_ok "c5 revoked by its own key, unspecified (0)" c5 0 "$t0"

# --- certbot ---------------------------------------------------------------------------
# certonly on e1 twice, then revoke: once with the account key, once with
# the certificate's (--key-path: a jwk).
cb() {
	REQUESTS_CA_BUNDLE=$CA_BUNDLE timeout 120 certbot "$@" --non-interactive \
	    --server "$E1/directory" --config-dir "$T/certbot" --work-dir "$T/certbot" \
	    --logs-dir "$T/certbot/logs" >> "$T/logs/certbot.log" 2>&1
}
eab e1
cb certonly --agree-tos --email certbot@example.test --eab-kid "$KID" --eab-hmac-key "$HMAC" \
    --standalone --http-01-port "$(freeport)" --cert-name cb1 -d cb1.example.test &&
    cb certonly --standalone --http-01-port "$(freeport)" --cert-name cb2 -d cb2.example.test
rc=$?
[ $rc = 0 ] && t_ok "certbot certonly: two certificates" ||
    { t_not_ok "certbot certonly: exit $rc"; t_diag "$(tail -n 15 "$T/logs/certbot.log")"; }
# cb_row NAME - "status|reason" of certbot's certificate NAME.
cb_row() {
	_s=$(certtool -i --infile "$T/certbot/live/$1/cert.pem" 2>/dev/null |
	    sed -n '/Serial Number (hex):/{s/.*: *//p;q}' | tr -d ':' | tr 'A-F' 'a-f')
	sqlite3 "$DB" "SELECT status, ifnull(reason, '') FROM certificates WHERE serial = '$_s'"
}
[ "$(cb_row cb1)" = "valid|" ] && [ "$(cb_row cb2)" = "valid|" ] &&
    t_ok "certbot's certificates are in the database, valid" ||
    t_not_ok "certbot's certificates: $(cb_row cb1) / $(cb_row cb2)"
cb revoke --cert-path "$T/certbot/live/cb1/cert.pem" --reason superseded --no-delete-after-revoke
rc=$?
[ $rc = 0 ] && [ "$(cb_row cb1)" = "revoked|4" ] &&
    t_ok "certbot revoke (account key), superseded: revoked, reason 4" ||
    { t_not_ok "certbot revoke: exit $rc, $(cb_row cb1)"; t_diag "$(tail -n 15 "$T/logs/certbot.log")"; }
cb revoke --cert-path "$T/certbot/live/cb2/cert.pem" --key-path "$T/certbot/live/cb2/privkey.pem" \
    --reason keycompromise --no-delete-after-revoke
rc=$?
[ $rc = 0 ] && [ "$(cb_row cb2)" = "revoked|1" ] &&
    t_ok "certbot revoke --key-path (the certificate's key), keyCompromise: revoked, reason 1" ||
    { t_not_ok "certbot revoke --key-path: exit $rc, $(cb_row cb2)"; t_diag "$(tail -n 15 "$T/logs/certbot.log")"; }
# certbot 2.1 reports the refusal with a traceback of its own; what the
# server answered is in its log.
n=$(grep -c 'POST /e1/revoke-cert 400 alreadyRevoked' "$T/logs/acme-fcgi.log")
cb revoke --cert-path "$T/certbot/live/cb1/cert.pem" --no-delete-after-revoke
rc=$?
[ $rc != 0 ] &&
    [ "$(grep -c 'POST /e1/revoke-cert 400 alreadyRevoked' "$T/logs/acme-fcgi.log")" = $((n + 1)) ] &&
    t_ok "certbot revoke of it again fails: the server answered alreadyRevoked" ||
    { t_not_ok "certbot revoke again: exit $rc"; t_diag "$(tail -n 15 "$T/logs/certbot.log")"; }

[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && t_ok "database integrity" ||
    t_not_ok "integrity_check"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM jobs")" = 0 ] &&
    t_ok "no job queued: nothing here came from an upstream" || t_not_ok "jobs: $(sqlite3 "$DB" 'SELECT * FROM jobs')"
t_done
