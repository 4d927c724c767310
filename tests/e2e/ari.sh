#!/bin/sh
# ari.sh - renewal information (RFC 9773) for the certificates of a local
# CA, through nginx: the directory names renewalInfo; an unauthenticated GET
# of renewal-info/{certID} (the certID computed here with certtool, not by
# acme-fcgi) answers the window Boulder's rule gives and Retry-After; a
# revoked certificate's window is in the past; a malformed certID is 400,
# an unknown one or another endpoint's 404; and nothing of this changes the
# database.
#
# Then a certificate from an upstream ACME CA (recorded as the managed-ACME
# job records one): acme-fcgi relays the window an upstream serves (a small
# HTTPS server here: the Pebble of the e2e suite has no renewalInfo), exactly
# as it wrote it, keeps it for the upstream's Retry-After (clamped to at
# least 60 s) and answers from that without asking again; asks again once
# it is stale; and when the upstream answers nonsense or is down, answers
# with its own window and Retry-After 3600 instead of failing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need nginx curl jq sqlite3 certtool basenc python3
DEMO=$top_builddir/tests/e2e/acme-client-demo
[ -x "$DEMO" ] || t_skip_all "$DEMO not built"
e2e_init ari
make_tls

bail() {
	echo "Bail out! $*"
	exit 1
}

t_plan 28

NP=$(freeport) FP=$(freeport)
acme_setup "https://127.0.0.1:$NP/acme" || bail "acme-fcgi --init-db"
CA=aca
"$SCRIPTS/acme-ca" --db "$DB" init "$CA" > "$T/out" 2>&1 || bail "acme-ca init: $(cat "$T/out")"
"$SCRIPTS/acme-app" --db "$DB" create app > /dev/null || bail "acme-app create"
"$SCRIPTS/acme-template" --db "$DB" create t1 --ca "$CA" --allow '*.example.test' \
    --key-types ec256 --validity-days 90 > /dev/null || bail "acme-template create"
endpoint e1 --application app --template t1 || bail "endpoint e1"
endpoint e2 --application app --template t1 || bail "endpoint e2"
start_standalone "127.0.0.1:$FP" 2
FCGI_ADDR=127.0.0.1:$FP start_nginx "$NP"
wait_url "$BASE_URL/e1/directory" || bail "acme-fcgi behind nginx did not start"
eab e1 || bail "acme-eab create"
"$DEMO" -d "$(dir_url e1)" -r "$CA_BUNDLE" -a "$T/a1.key" -k "$KID" -m "$HMAC" \
    -o "$T/f1.pem" www.example.test > "$T/out" 2>&1 || bail "no certificate: $(cat "$T/out")"
# The leaf alone.
sed '/-----END CERTIFICATE-----/q' "$T/f1.pem" > "$T/leaf.pem"

# get URL [CURL OPTIONS] - sets STATUS; body in $T/resp, headers in $T/resp.h.
get() {
	rm -f "$T/resp" "$T/resp.h"
	_u=$1
	shift
	STATUS=$(curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' "$@" "$_u")
}

# utc UNIXTIME - as acme-fcgi writes times (RFC 3339, UTC).
utc() { sqlite3 :memory: "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', $1, 'unixepoch')"; }

CID=$(certid "$T/leaf.pem") || bail "no certID for the leaf"
RI=$BASE_URL/e1/renewal-info
SERIAL=$(sqlite3 "$DB" "SELECT serial FROM certificates")
NB=$(sqlite3 "$DB" "SELECT not_before FROM certificates")
NA=$(sqlite3 "$DB" "SELECT not_after FROM certificates")
db_dump > "$T/db.before"

get "$(dir_url e1)"
[ "$(jq -r .renewalInfo "$T/resp")" = "$RI" ] &&
    t_ok "the directory names renewalInfo: $RI" ||
    { t_not_ok "directory: $(cat "$T/resp")"; }

get "$RI/$CID"
[ "$STATUS" = 200 ] && resp_header Content-Type | grep -q '^application/json' &&
    t_ok "GET renewal-info/$CID: 200, JSON" ||
    { t_not_ok "GET renewal-info: $STATUS"; t_diag "$(cat "$T/resp.h" "$T/resp")"; }
[ "$(resp_header Retry-After)" = 21600 ] && t_ok "Retry-After: 21600 (six hours)" ||
    t_not_ok "Retry-After: $(resp_header Retry-After)"
# Boulder's rule: a third of the validity left (not_after inclusive), 1% either side.
V=$((NA - NB + 1))
IDEAL=$((NA - V / 3))
WANT_START=$(utc $((IDEAL - V / 100))) WANT_END=$(utc $((IDEAL + V / 100)))
START=$(jq -r .suggestedWindow.start "$T/resp") END=$(jq -r .suggestedWindow.end "$T/resp")
[ "$START" = "$WANT_START" ] && [ "$END" = "$WANT_END" ] &&
    t_ok "the window: $START to $END, two thirds into $(utc "$NB") to $(utc "$NA")" ||
    t_not_ok "window $START to $END, want $WANT_START to $WANT_END"
[ "$(jq -r 'keys | join(",")' "$T/resp")" = suggestedWindow ] &&
    t_ok "no explanationURL for our own window" || t_not_ok "members: $(cat "$T/resp")"

get "$RI/$CID" -I
[ "$STATUS" = 200 ] && [ "$(resp_header Retry-After)" = 21600 ] && t_ok "HEAD: 200 and Retry-After" ||
    t_not_ok "HEAD: $STATUS"
post "$RI/$CID" '{}'
[ "$STATUS" = 405 ] && [ "$(resp_header Allow)" = "GET, HEAD" ] &&
    t_ok "POST (or POST-as-GET) is not how renewal information is fetched: 405" ||
    t_not_ok "POST: $STATUS, Allow: $(resp_header Allow)"

get "$RI/nodot"
expect_problem "a certID without a period" 400 malformed
get "$RI/${CID%%.*}=.${CID#*.}"
expect_problem "a padded certID" 400 malformed
get "$RI/$CID.AQ"
expect_problem "a certID with a second period" 400 malformed
get "$RI/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
expect_problem "RFC 9773's example certificate is not ours" 404 malformed
# The same serial under another issuer's key identifier.
get "$RI/AAAAAAAAAAAAAAAAAAAAAAAAAAA.${CID#*.}"
expect_problem "our serial, another issuer" 404 malformed
get "$BASE_URL/e2/renewal-info/$CID"
expect_problem "another endpoint's certificate" 404 malformed

db_dump > "$T/db.after"
cmp -s "$T/db.before" "$T/db.after" && t_ok "renewal information changes nothing" ||
    { t_not_ok "the database changed"; t_diag "$(diff "$T/db.before" "$T/db.after")"; }

# Revoked: a window in the past, so that its holder renews at once.
NOW=$(date +%s)
sqlite3 "$DB" "UPDATE certificates SET status = 'revoked', revoked = $NOW, reason = 1
    WHERE serial = '$SERIAL'"
get "$RI/$CID"
END=$(jq -r .suggestedWindow.end "$T/resp")
[ "$STATUS" = 200 ] && [ "$(sqlite3 :memory: "SELECT CAST(strftime('%s', '$END') AS INTEGER) < $NOW")" = 1 ] &&
    [ "$(jq -r .suggestedWindow.start "$T/resp")" \< "$END" ] &&
    t_ok "revoked: the window ended before now ($END)" ||
    { t_not_ok "revoked: $STATUS"; t_diag "$(cat "$T/resp")"; }
[ "$(resp_header Retry-After)" = 21600 ] && t_ok "revoked: Retry-After 21600" ||
    t_not_ok "revoked: Retry-After $(resp_header Retry-After)"

# --- an upstream's certificate ------------------------------------------------------------
UPP=$(freeport)
# The upstream's answer to renewalInfo: the first line of $T/ari.ctl is its
# Retry-After ("" for none), the rest the body.  Every request is logged.
cat > "$T/upstream.py" <<'PY'
import http.server, json, ssl, sys
port, cert, key, ctl, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
base = "https://127.0.0.1:%d" % port
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def answer(self, status, body, ra=""):
        b = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        if ra:
            self.send_header("Retry-After", ra)
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path + "\n")
        if self.path == "/dir":
            self.answer(200, json.dumps({"newNonce": base + "/nonce", "newAccount": base + "/acct",
                "newOrder": base + "/order", "renewalInfo": base + "/renewal-info/"}))
        elif self.path.startswith("/renewal-info/"):
            with open(ctl) as f:
                ra = f.readline().strip()
                body = f.read()
            self.answer(200, body, ra)
        else:
            self.answer(404, "{}")
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
W1='{"suggestedWindow": {"start": "2030-01-02T03:04:05.5+01:00", "end": "2030-01-03T00:00:00Z"}, "explanationURL": "https://upstream.test/why"}'
W2='{"suggestedWindow": {"start": "2031-05-01T00:00:00Z", "end": "2031-05-02T00:00:00Z"}}'
printf '120\n%s\n' "$W1" > "$T/ari.ctl"
: > "$T/upstream.log"
python3 "$T/upstream.py" "$UPP" "$T/tls/server.pem" "$T/tls/server.key" "$T/ari.ctl" \
    "$T/upstream.log" >> "$T/logs/upstream.log" 2>&1 &
UP_PID=$!
echo $UP_PID >> "$T/pids"
"$PROBE" waitport "127.0.0.1:$UPP" || bail "the upstream did not start"
"$SCRIPTS/acme-upstream" --db "$DB" add fake --directory "https://127.0.0.1:$UPP/dir" \
    --ca-bundle "$CA_BUNDLE" > "$T/out" 2>&1 || bail "acme-upstream add: $(cat "$T/out")"
"$SCRIPTS/acme-template" --db "$DB" create tu --upstream fake --allow '*.example.test' \
    > /dev/null || bail "acme-template create tu"
endpoint e3 --application app --template tu || bail "endpoint e3"

# The upstream's CA and a leaf it issued, recorded as acme-fcgi records one.
cat > "$T/uca.tmpl" <<TMPL
cn = "Upstream Issuing CA"
ca
cert_signing_key
expiration_days = 40
TMPL
UNB=$(($(date +%s) - 3600)) UNA=$(($(date +%s) + 30 * 86400))
cat > "$T/uleaf.tmpl" <<TMPL
dns_name = "up.example.test"
serial = 0x00c0ffee0123456789
activation_date = "$(sqlite3 :memory: "SELECT datetime($UNB, 'unixepoch')")"
expiration_date = "$(sqlite3 :memory: "SELECT datetime($UNA, 'unixepoch')")"
tls_www_server
signing_key
TMPL
certtool --generate-privkey --key-type=ecdsa --outfile "$T/uca.key" 2>/dev/null &&
    certtool --generate-self-signed --load-privkey "$T/uca.key" --template "$T/uca.tmpl" \
    --outfile "$T/uca.pem" 2>/dev/null &&
    certtool --generate-privkey --key-type=ecdsa --outfile "$T/uleaf.key" 2>/dev/null &&
    TZ=UTC certtool --generate-certificate --load-privkey "$T/uleaf.key" \
    --load-ca-certificate "$T/uca.pem" --load-ca-privkey "$T/uca.key" \
    --template "$T/uleaf.tmpl" --outfile "$T/uleaf.pem" 2>/dev/null ||
    bail "certtool: the upstream's certificates"
sqlite3 "$DB" "PRAGMA foreign_keys = ON;
    INSERT INTO accounts (uid, endpoint_id, jwk, thumbprint, created)
        VALUES ('acct-up', (SELECT id FROM endpoints WHERE name = 'e3'), '{}', 'tp-up', $UNB);
    INSERT INTO orders (uid, account_id, status, identifiers, expires, created)
        VALUES ('order-up', (SELECT id FROM accounts WHERE uid = 'acct-up'), 'valid',
            '[{\"type\":\"dns\",\"value\":\"up.example.test\"}]', $UNA, $UNB);
    INSERT INTO certificates (uid, serial, order_id, account_id, endpoint_id, upstream_id,
        names, key_type, not_before, not_after, pem, chain, created)
        SELECT 'cert-up', 'c0ffee0123456789', o.id, a.id, a.endpoint_id,
            (SELECT id FROM upstreams WHERE name = 'fake'), '[\"up.example.test\"]', 'ec256',
            $UNB, $UNA, CAST(readfile('$T/uleaf.pem') AS TEXT),
            CAST(readfile('$T/uca.pem') AS TEXT), $UNB
        FROM orders o JOIN accounts a ON a.id = o.account_id WHERE o.uid = 'order-up';" ||
    bail "the upstream's certificate not recorded"
UCID=$(certid "$T/uleaf.pem") || bail "no certID for the upstream's leaf"
URI=$BASE_URL/e3/renewal-info/$UCID
# asked - how many times the upstream was asked about the certificate.
asked() { grep -c "^/renewal-info/$UCID\$" "$T/upstream.log"; }
# until_left - seconds the kept answer has left.
until_left() { sqlite3 "$DB" "SELECT renewal_info_until - $(date +%s) FROM certificates WHERE uid = 'cert-up'"; }
# stale - the kept answer is out of date.
stale() { sqlite3 "$DB" "UPDATE certificates SET renewal_info_until = 1 WHERE uid = 'cert-up'"; }
# body_is JSON - the response says exactly what JSON says (member order aside).
body_is() { [ "$(jq -S -c . "$T/resp")" = "$(printf '%s' "$1" | jq -S -c .)" ]; }

get "$URI"
[ "$STATUS" = 200 ] && body_is "$W1" &&
    t_ok "upstream: its window relayed as it wrote it, explanationURL too" ||
    { t_not_ok "upstream: $STATUS"; t_diag "$(cat "$T/resp.h" "$T/resp")"; }
[ "$(resp_header Retry-After)" = 120 ] && [ "$(asked)" = 1 ] &&
    grep -qx /dir "$T/upstream.log" &&
    t_ok "upstream: asked once (GET, its directory's renewalInfo); its Retry-After, 120" ||
    t_not_ok "upstream: Retry-After $(resp_header Retry-After), asked $(asked): $(cat "$T/upstream.log")"
L=$(until_left)
[ "$L" -ge 115 ] && [ "$L" -le 120 ] && t_ok "upstream: the answer is kept for 120 s" ||
    t_not_ok "upstream: kept for $L s"
sleep 1
get "$URI"
RA=$(resp_header Retry-After)
[ "$STATUS" = 200 ] && body_is "$W1" && [ "$(asked)" = 1 ] && [ "$RA" -lt 120 ] &&
    [ "$RA" -ge 110 ] &&
    t_ok "upstream: a second GET is answered from what was kept, not asked again (Retry-After $RA, counting down)" ||
    t_not_ok "upstream: second GET: $STATUS Retry-After $RA, asked $(asked)"

printf '5\n%s\n' "$W2" > "$T/ari.ctl"
stale
get "$URI"
L=$(until_left)
[ "$STATUS" = 200 ] && body_is "$W2" && [ "$(asked)" = 2 ] &&
    t_ok "upstream: stale, asked again: its new window" ||
    t_not_ok "upstream: stale: $STATUS, asked $(asked): $(cat "$T/resp")"
[ "$(resp_header Retry-After)" = 60 ] && [ "$L" -ge 55 ] && [ "$L" -le 60 ] &&
    t_ok "upstream: a Retry-After of 5 s is kept for 60 s" ||
    t_not_ok "upstream: Retry-After $(resp_header Retry-After), kept $L s"

# Our own window for it: Boulder's rule on its validity.
V=$((UNA - UNB + 1))
IDEAL=$((UNA - V / 3))
OWN="{\"suggestedWindow\": {\"start\": \"$(utc $((IDEAL - V / 100)))\", \"end\": \"$(utc $((IDEAL + V / 100)))\"}}"
printf '\n%s\n' '{"suggestedWindow": {"start": "2031-05-02T00:00:00Z", "end": "2031-05-01T00:00:00Z"}}' \
    > "$T/ari.ctl"
stale
get "$URI"
[ "$STATUS" = 200 ] && body_is "$OWN" && [ "$(resp_header Retry-After)" = 3600 ] &&
    [ "$(asked)" = 3 ] &&
    t_ok "upstream: a window that ends before it starts is not relayed: ours, Retry-After 3600" ||
    { t_not_ok "upstream: bad window: $STATUS $(resp_header Retry-After)"; t_diag "$(cat "$T/resp")"; }
grep -q "renewal-info: certificate cert-up: upstream fake: .*ends before it starts; answering with our own window" \
    "$T/logs/acme-fcgi.log" && t_ok "upstream: the refusal is logged as a warning" ||
    t_not_ok "upstream: no warning logged"
get "$URI"
[ "$STATUS" = 200 ] && body_is "$OWN" && [ "$(asked)" = 3 ] &&
    [ "$(resp_header Retry-After)" -le 3600 ] && [ "$(resp_header Retry-After)" -gt 3500 ] &&
    t_ok "upstream: that answer is kept for an hour: not asked again" ||
    t_not_ok "upstream: after a bad answer: asked $(asked), Retry-After $(resp_header Retry-After)"

kill "$UP_PID"
wait_gone "$UP_PID" 50
stale
get "$URI"
[ "$STATUS" = 200 ] && body_is "$OWN" && [ "$(resp_header Retry-After)" = 3600 ] &&
    t_ok "upstream down: still 200, our own window, Retry-After 3600" ||
    { t_not_ok "upstream down: $STATUS $(resp_header Retry-After)"; t_diag "$(cat "$T/resp")"; }
grep -q "renewal-info: certificate cert-up: upstream fake: connection: " "$T/logs/acme-fcgi.log" &&
    t_ok "upstream down: logged as a warning with the connection error" ||
    t_not_ok "upstream down: no warning: $(grep renewal-info "$T/logs/acme-fcgi.log")"

# Revoked: the upstream is not asked at all (it is down: Retry-After would be 3600).
stale
sqlite3 "$DB" "UPDATE certificates SET status = 'revoked', revoked = $(date +%s), reason = 1
    WHERE uid = 'cert-up'"
get "$URI"
END=$(jq -r .suggestedWindow.end "$T/resp")
[ "$STATUS" = 200 ] && [ "$(resp_header Retry-After)" = 21600 ] &&
    [ "$(sqlite3 :memory: "SELECT CAST(strftime('%s', '$END') AS INTEGER) < $(date +%s)")" = 1 ] &&
    t_ok "upstream, revoked: our window, in the past, without asking the upstream" ||
    { t_not_ok "upstream, revoked: $STATUS $(resp_header Retry-After)"; t_diag "$(cat "$T/resp")"; }
t_done
