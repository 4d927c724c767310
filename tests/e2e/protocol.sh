#!/bin/sh
# protocol.sh - RFC 8555 protocol behaviour through nginx, at the curl level:
# every good request works, every bad one gets the right problem document
# and leaves the database exactly as it was.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need nginx curl jq sqlite3 certtool
e2e_init protocol
make_tls

NP=$(freeport) NP2=$(freeport) FP=$(freeport) FP2=$(freeport)
acme_setup "https://127.0.0.1:$NP/acme" terms_of_service=https://example.test/tos \
    website=https://example.test/ max_body=32768
endpoint alpha
endpoint beta
endpoint open --no-eab
endpoint gone

# Two acme-fcgi processes on one database, each behind its own nginx: a
# nonce used through one is spent for the other.
start_standalone "127.0.0.1:$FP" 2
FCGI_ADDR=127.0.0.1:$FP start_nginx "$NP"
start_standalone "127.0.0.1:$FP2" 1
FCGI_ADDR=127.0.0.1:$FP2 start_nginx "$NP2"
wait_url "$BASE_URL/alpha/directory" && wait_url "https://127.0.0.1:$NP2/acme/alpha/directory" ||
    t_skip_all "servers did not start"

A=$BASE_URL/alpha
for k in a b c d e f g; do "$PROBE" keygen ec256 "$T/$k.key"; done
"$PROBE" keygen rsa2048 "$T/rsa.key"
"$PROBE" keygen ed25519 "$T/ed.key"
"$PROBE" keygen ec384 "$T/p384.key"
certtool --generate-privkey --key-type=rsa --bits=1024 --outfile "$T/rsa1024.key" 2>/dev/null

t_plan 126

# --- directory and nonces ---------------------------------------------------
STATUS=$(curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' "$A/directory")
[ "$STATUS" = 200 ] && [ "$(jq -r .newNonce "$T/resp")" = "$A/new-nonce" ] &&
    [ "$(jq -r .newAccount "$T/resp")" = "$A/new-account" ] &&
    [ "$(jq -r .meta.externalAccountRequired "$T/resp")" = true ] &&
    [ "$(jq -r .meta.termsOfService "$T/resp")" = https://example.test/tos ] &&
    [ "$(jq -r .meta.website "$T/resp")" = https://example.test/ ] &&
    [ -n "$(resp_header Replay-Nonce)" ] &&
    [ "$(resp_header Link)" = "<$A/directory>;rel=\"index\"" ] &&
    t_ok "directory lists newNonce, newAccount and meta" || t_not_ok "directory: $(cat "$T/resp")"
curl_ -o "$T/resp" "$BASE_URL/open/directory"
[ "$(jq -r .meta.externalAccountRequired "$T/resp")" = false ] &&
    t_ok "directory of a --no-eab endpoint says externalAccountRequired false" ||
    t_not_ok "open directory: $(cat "$T/resp")"
STATUS=$(curl_ -I -o /dev/null -D "$T/resp.h" -w '%{http_code}' "$A/new-nonce")
[ "$STATUS" = 200 ] && [ "$(resp_header Cache-Control)" = no-store ] &&
    [ "$(resp_header Replay-Nonce | wc -c)" -gt 40 ] &&
    t_ok "HEAD new-nonce: 200, Replay-Nonce, Cache-Control: no-store" || t_not_ok "HEAD new-nonce: $STATUS"
STATUS=$(curl_ -o /dev/null -D "$T/resp.h" -w '%{http_code}' "$A/new-nonce")
[ "$STATUS" = 204 ] && [ -n "$(resp_header Replay-Nonce)" ] &&
    t_ok "GET new-nonce: 204 with Replay-Nonce" || t_not_ok "GET new-nonce: $STATUS"
STATUS=$(curl_ -o "$T/resp" -w '%{http_code}' "$BASE_URL/nowhere/directory")
expect_problem "unknown endpoint" 404 malformed
STATUS=$(curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' -X DELETE "$A/directory")
expect_problem "DELETE on the directory" 405 malformed
[ "$(resp_header Allow)" = "GET, HEAD" ] && t_ok "405 carries Allow: GET, HEAD" ||
    t_not_ok "Allow header: $(resp_header Allow)"
STATUS=$(curl_ -o "$T/resp" -w '%{http_code}' "$A/new-account")
expect_problem "GET on new-account" 405 malformed

# --- newAccount -----------------------------------------------------------
eab alpha
KID1=$KID HMAC1=$HMAC
TOS='"termsOfServiceAgreed":true'
body=$(jws alpha "$A/new-account" "$T/a.key" --payload "{$TOS,\"contact\":[\"mailto:ops@example.test\"]}" \
    --eab-kid "$KID1" --eab-hmac "$HMAC1")
post "$A/new-account" "$body"
ACCT_A=$(resp_header Location)
[ "$STATUS" = 201 ] && [ "$(jq -r .status "$T/resp")" = valid ] &&
    [ "$(jq -r '.contact[0]' "$T/resp")" = mailto:ops@example.test ] &&
    [ "$(jq -r .orders "$T/resp")" = "$ACCT_A/orders" ] &&
    t_ok "newAccount with EAB: 201, Location, account object" || t_not_ok "newAccount: $STATUS $(cat "$T/resp")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM accounts a JOIN eab_keys k ON k.id = a.eab_key_id
    WHERE k.kid = '$KID1' AND a.uid = '${ACCT_A##*/}'")" = 1 ] &&
    t_ok "account recorded, bound to its EAB key" || t_not_ok "account not bound in the database"

rejected "replayed nonce (same request again)" 400 badNonce "$A/new-account" "$body"
[ -n "$(resp_header Replay-Nonce)" ] && t_ok "badNonce response carries a fresh nonce" ||
    t_not_ok "badNonce without Replay-Nonce"

body=$(jws alpha "$A/new-account" "$T/a.key" --payload "{$TOS}")
post "$A/new-account" "$body"
[ "$STATUS" = 200 ] && [ "$(resp_header Location)" = "$ACCT_A" ] &&
    t_ok "newAccount with an existing key: 200 and its Location" || t_not_ok "existing key: $STATUS"
body=$(jws alpha "$A/new-account" "$T/a.key" --payload '{"onlyReturnExisting":true}')
post "$A/new-account" "$body"
[ "$STATUS" = 200 ] && [ "$(resp_header Location)" = "$ACCT_A" ] &&
    t_ok "onlyReturnExisting finds the account" || t_not_ok "onlyReturnExisting: $STATUS"
rejected "onlyReturnExisting for an unknown key" 400 accountDoesNotExist "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload '{"onlyReturnExisting":true}')"

rejected "newAccount without EAB" 400 externalAccountRequired "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}")"
rejected "newAccount without agreeing to the terms" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload '{}' --eab-kid "$KID1" --eab-hmac "$HMAC1")"
eab alpha
KID2=$KID HMAC2=$HMAC
rejected "EAB with a wrong MAC key" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID2" --eab-hmac "$HMAC1")"
rejected "EAB key already bound (reuse)" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID1" --eab-hmac "$HMAC1")"
rejected "EAB with an unknown kid" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid nosuchkid --eab-hmac "$HMAC1")"
rejected "EAB binding another key" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID2" --eab-hmac "$HMAC2" \
        --eab-jwk-of "$T/c.key")"
rejected "EAB signed for another URL" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID2" --eab-hmac "$HMAC2" \
        --eab-url "$BASE_URL/beta/new-account")"
rejected "EAB with alg RS256" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID2" --eab-hmac "$HMAC2" \
        --eab-alg RS256)"
eab beta
rejected "EAB key of another endpoint" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID" --eab-hmac "$HMAC")"
"$SCRIPTS/acme-eab" --db "$DB" revoke "$KID2" >/dev/null
rejected "revoked EAB key" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID2" --eab-hmac "$HMAC2")"
eab alpha
KID3=$KID HMAC3=$HMAC
rejected "contact with another scheme" 400 unsupportedContact "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS,\"contact\":[\"tel:+1555\"]}" \
        --eab-kid "$KID3" --eab-hmac "$HMAC3")"
rejected "mailto contact with hfields" 400 invalidContact "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS,\"contact\":[\"mailto:a@example.test?subject=x\"]}" \
        --eab-kid "$KID3" --eab-hmac "$HMAC3")"
rejected "too many contacts" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS,\"contact\":[\"mailto:a@x.test\",\"mailto:b@x.test\",\"mailto:c@x.test\",\"mailto:d@x.test\",\"mailto:e@x.test\"]}" \
        --eab-kid "$KID3" --eab-hmac "$HMAC3")"
rejected "payload that is not an object" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload '["x"]')"

# --- the JWS itself ---------------------------------------------------------
rejected "JWS url of another resource" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-nonce" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID3" --eab-hmac "$HMAC3")"
rejected "alg none" 400 badSignatureAlgorithm "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --alg none)"
[ "$(jq -c .algorithms "$T/resp")" = '["RS256","ES256","ES384","ES512","EdDSA"]' ] &&
    t_ok "badSignatureAlgorithm lists the algorithms" || t_not_ok "algorithms: $(jq -c .algorithms "$T/resp")"
rejected "empty signature" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" | jq -c '.signature = ""')"
rejected "outer JWS signed with HS256" 400 badSignatureAlgorithm "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --hmac-sign "$HMAC3")"
rejected "alg that does not match the key" 400 badSignatureAlgorithm "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --alg ES384)"
rejected "jwk and kid both present" 400 malformed "$ACCT_A" \
    "$(jws alpha "$ACCT_A" "$T/a.key" --kid "$ACCT_A" --jwk-too)"
rejected "kid where jwk is required" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/a.key" --kid "$ACCT_A" --payload "{$TOS}")"
rejected "jwk where kid is required" 400 malformed "$ACCT_A" \
    "$(jws alpha "$ACCT_A" "$T/a.key")"
rejected "no nonce" 400 badNonce "$A/new-account" \
    "$("$PROBE" jws --key "$T/b.key" --url "$A/new-account" --payload "{$TOS}")"
rejected "nonce not issued by us" 400 badNonce "$A/new-account" \
    "$("$PROBE" jws --key "$T/b.key" --url "$A/new-account" --nonce AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA --payload "{$TOS}")"
rejected "bad signature" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --bad-signature)"
rejected "signature by another key than the account's" 400 malformed "$ACCT_A" \
    "$(jws alpha "$ACCT_A" "$T/b.key" --kid "$ACCT_A")"
rejected "RSA key of 1024 bits" 400 badPublicKey "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/rsa1024.key" --payload "{$TOS}")"
rejected "EC key that is not on the curve" 400 badPublicKey "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" \
        --jwk-raw '{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}')"
rejected "b64 false (unencoded payload)" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --header '{"b64":false,"crit":["b64"]}')"
rejected "unknown crit member" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --header '{"crit":["exp"],"exp":1}')"
rejected "unprotected header" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --unprotected '{"kid":"x"}')"
rejected "compact serialization" 400 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --compact)"
rejected "duplicate JSON member" 400 malformed "$A/new-account" \
    '{"protected":"e30","protected":"e30","payload":"","signature":"AA"}'
rejected "wrong Content-Type" 415 malformed "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}")" application/json
# Above acme-fcgi's max_body (32768 here), below nginx's 64k.
big=$(head -c 40000 /dev/zero | tr '\0' 'a')
rejected "oversized body" 413 malformed "$A/new-account" "{\"protected\":\"$big\"}"

# Other key types work.
for kt in rsa ed p384; do
	eab alpha
	body=$(jws alpha "$A/new-account" "$T/$kt.key" --payload "{$TOS}" --eab-kid "$KID" --eab-hmac "$HMAC")
	post "$A/new-account" "$body"
	[ "$STATUS" = 201 ] && t_ok "newAccount with a $kt key" || t_not_ok "$kt key: $STATUS $(cat "$T/resp")"
done

# --- the account ------------------------------------------------------------
post "$ACCT_A" "$(jws alpha "$ACCT_A" "$T/a.key" --kid "$ACCT_A")"
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = valid ] &&
    t_ok "account POST-as-GET" || t_not_ok "account POST-as-GET: $STATUS"
post "$ACCT_A/orders" "$(jws alpha "$ACCT_A/orders" "$T/a.key" --kid "$ACCT_A")"
[ "$STATUS" = 200 ] && [ "$(jq -c .orders "$T/resp")" = '[]' ] &&
    t_ok "orders list (empty)" || t_not_ok "orders: $STATUS $(cat "$T/resp")"
post "$ACCT_A" "$(jws alpha "$ACCT_A" "$T/a.key" --kid "$ACCT_A" --payload '{"contact":["mailto:new@example.test"]}')"
[ "$STATUS" = 200 ] && [ "$(jq -r '.contact[0]' "$T/resp")" = mailto:new@example.test ] &&
    [ "$(sqlite3 "$DB" "SELECT contact FROM accounts WHERE uid = '${ACCT_A##*/}'")" = '["mailto:new@example.test"]' ] &&
    t_ok "contact update is stored" || t_not_ok "contact update: $STATUS $(cat "$T/resp")"
rejected "account update with status revoked" 400 malformed "$ACCT_A" \
    "$(jws alpha "$ACCT_A" "$T/a.key" --kid "$ACCT_A" --payload '{"status":"revoked"}')"
rejected "orders list with a payload" 400 malformed "$ACCT_A/orders" \
    "$(jws alpha "$ACCT_A/orders" "$T/a.key" --kid "$ACCT_A" --payload '{}')"

# A second account on alpha and one on beta.
eab alpha
post "$A/new-account" "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}" --eab-kid "$KID" --eab-hmac "$HMAC")"
ACCT_B=$(resp_header Location)
eab beta
post "$BASE_URL/beta/new-account" "$(jws beta "$BASE_URL/beta/new-account" "$T/c.key" --payload "{$TOS}" \
    --eab-kid "$KID" --eab-hmac "$HMAC")"
ACCT_C=$(resp_header Location)
[ -n "$ACCT_B" ] && [ -n "$ACCT_C" ] && t_ok "accounts on two endpoints" || t_not_ok "setup accounts"
rejected "another account's URL" 403 unauthorized "$ACCT_B" \
    "$(jws alpha "$ACCT_B" "$T/a.key" --kid "$ACCT_A")"
rejected "kid of an account on another endpoint" 400 accountDoesNotExist "$ACCT_A" \
    "$(jws alpha "$ACCT_A" "$T/c.key" --kid "$ACCT_C")"
rejected "kid URL of another endpoint used on this one" 400 accountDoesNotExist "$ACCT_B" \
    "$(jws alpha "$ACCT_B" "$T/c.key" --kid "$ACCT_C")"
rejected "account that does not exist" 400 accountDoesNotExist "$ACCT_A" \
    "$(jws alpha "$ACCT_A" "$T/a.key" --kid "$A/acct/AAAAAAAAAAAAAAAAAAAAAA")"

# --- nonces across processes and restarts -----------------------------------
body=$(jws alpha "$ACCT_A" "$T/a.key" --kid "$ACCT_A")
post "https://127.0.0.1:$NP2/acme/alpha/acct/${ACCT_A##*/}" "$body"
[ "$STATUS" = 200 ] && t_ok "a nonce from one process is accepted by another" ||
    t_not_ok "cross-process nonce: $STATUS $(cat "$T/resp")"
rejected "the same nonce replayed to the first process" 400 badNonce "$ACCT_A" "$body"
n1=$(nonce alpha)
n2=$(nonce alpha)
first=$(sed -n 1p "$T/pids")
kill "$ACME_PID" "$first"; wait "$ACME_PID" "$first" 2>/dev/null
start_standalone "127.0.0.1:$FP" 2
"$PROBE" waitport "127.0.0.1:$FP"
post "$ACCT_A" "$("$PROBE" jws --key "$T/a.key" --kid "$ACCT_A" --url "$ACCT_A" --nonce "$n1")"
[ "$STATUS" = 200 ] && t_ok "a nonce issued before a restart is accepted after it" ||
    t_not_ok "nonce after restart: $STATUS $(cat "$T/resp")"
rejected "and only once" 400 badNonce "$ACCT_A" \
    "$("$PROBE" jws --key "$T/a.key" --kid "$ACCT_A" --url "$ACCT_A" --nonce "$n1")"
post "$ACCT_A" "$("$PROBE" jws --key "$T/a.key" --kid "$ACCT_A" --url "$ACCT_A" --nonce "$n2")"
[ "$STATUS" = 200 ] && t_ok "second pre-restart nonce accepted once" || t_not_ok "n2: $STATUS"

# --- deactivation -----------------------------------------------------------
post "$ACCT_B" "$(jws alpha "$ACCT_B" "$T/b.key" --kid "$ACCT_B" --payload '{"status":"deactivated"}')"
[ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/resp")" = deactivated ] &&
    t_ok "account deactivates itself" || t_not_ok "deactivate: $STATUS $(cat "$T/resp")"
rejected "request by a deactivated account" 403 unauthorized "$ACCT_B" \
    "$(jws alpha "$ACCT_B" "$T/b.key" --kid "$ACCT_B")"
rejected "newAccount with a deactivated account's key" 403 unauthorized "$A/new-account" \
    "$(jws alpha "$A/new-account" "$T/b.key" --payload "{$TOS}")"

G=$BASE_URL/gone
eab gone
post "$G/new-account" "$(jws gone "$G/new-account" "$T/d.key" --payload "{$TOS}" --eab-kid "$KID" --eab-hmac "$HMAC")"
ACCT_D=$(resp_header Location)
eab gone
KIDG=$KID HMACG=$HMAC
"$SCRIPTS/acme-endpoint" --db "$DB" deactivate gone >/dev/null
[ "$(sqlite3 "$DB" "SELECT status FROM accounts WHERE uid = '${ACCT_D##*/}'")" = deactivated ] &&
    t_ok "deactivating an endpoint deactivates its accounts" || t_not_ok "endpoint deactivation cascade"
rejected "account of a deactivated endpoint" 403 unauthorized "$ACCT_D" \
    "$(jws gone "$ACCT_D" "$T/d.key" --kid "$ACCT_D")"
rejected "newAccount on a deactivated endpoint with a key made before" 403 unauthorized "$G/new-account" \
    "$(jws gone "$G/new-account" "$T/e.key" --payload "{$TOS}" --eab-kid "$KIDG" --eab-hmac "$HMACG")"

# The no-EAB endpoint accepts accounts without a binding.
post "$BASE_URL/open/new-account" "$(jws open "$BASE_URL/open/new-account" "$T/f.key" --payload "{$TOS}")"
[ "$STATUS" = 201 ] && t_ok "newAccount without EAB where it is optional" || t_not_ok "open: $STATUS"

[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && t_ok "database integrity" || t_not_ok "integrity_check"
t_done
