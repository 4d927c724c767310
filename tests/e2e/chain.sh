#!/bin/sh
# chain.sh - acme-fcgi in front of acme-fcgi: instance B (managed ACME)
# places its client's order at instance A (a policy CA with EAB, whose
# authorizations are valid at once), each behind its own nginx, with
# databases of their own.  A is a real RFC 8555 upstream that also serves
# renewal information (RFC 9773), which the Pebble of the e2e suite does not.
#
# acme-client-demo orders www.chain.test through B: the chain verifies to
# A's root, B's managed challenge hook is never called (A has no challenge
# to answer), both instances list the same serial.  B relays A's renewal
# information for it exactly as A wrote it, keeps it, and answers from what
# it kept with A's nginx stopped.  A revocation through B (reason 4) is
# forwarded to A by B's upstream_revoke job: A has it revoked with reason 4,
# and A's renewal information for it is a window in the past.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need nginx curl jq sqlite3 certtool basenc timeout
DEMO=$top_builddir/tests/e2e/acme-client-demo
[ -x "$DEMO" ] || t_skip_all "$DEMO not built"
e2e_init chain
make_tls

bail() {
	echo "Bail out! $*"
	exit 1
}

t_plan 28

AP=$(freeport) AF=$(freeport) BP=$(freeport) BF=$(freeport)
A_URL=https://127.0.0.1:$AP/acme B_URL=https://127.0.0.1:$BP/acme

# inst NAME BASE_URL - the configuration $T/NAME.conf (also $CONF, which
# lib.sh's nginx snippet names) and the database $T/NAME/acme.db of
# instance NAME: acme_setup's, but one per instance.
inst() {
	mkdir -p "$T/$1"
	CONF=$T/$1.conf
	{
		echo "database = $T/$1/acme.db"
		echo "base_url = $2"
		echo "log_level = debug"
	} > "$T/$1.conf"
	"$ACME_FCGI" -c "$T/$1.conf" --init-db > "$T/out" 2>&1 ||
	    bail "acme-fcgi --init-db ($1): $(cat "$T/out")"
}
# start_inst NAME ADDR - acme-fcgi --listen for instance NAME, its own log.
start_inst() {
	"$ACME_FCGI" -c "$T/$1.conf" --listen "$2" --workers 2 >> "$T/logs/acme-$1.log" 2>&1 &
	echo $! >> "$T/pids"
	"$PROBE" waitport "$2"
}
# adm CMD... - an administration command that must succeed.
adm() {
	"$@" >> "$T/logs/admin.log" 2>&1 ||
	    bail "$(basename "$1") $4 $5: $(tail -n 3 "$T/logs/admin.log")"
}
DB_A=$T/a/acme.db DB_B=$T/b/acme.db
qa() { sqlite3 -cmd '.timeout 5000' "$DB_A" "$1"; }
qb() { sqlite3 -cmd '.timeout 5000' "$DB_B" "$1"; }

# --- A: the policy CA, endpoint "up" ------------------------------------------------
inst a "$A_URL"
CA=chainca
adm "$SCRIPTS/acme-ca" --db "$DB_A" init "$CA"
ROOT_A=$T/a/ca/$CA/root.pem
[ -s "$ROOT_A" ] || bail "no root at $ROOT_A"
adm "$SCRIPTS/acme-app" --db "$DB_A" create app
adm "$SCRIPTS/acme-template" --db "$DB_A" create tpl --ca "$CA" --allow '*.chain.test' \
    --key-types ec256
adm "$SCRIPTS/acme-endpoint" --db "$DB_A" create up --application app --template tpl
DB=$DB_A
eab up || bail "acme-eab create on A"
A_KID=$KID A_HMAC=$HMAC
start_inst a "127.0.0.1:$AF" || bail "acme-fcgi A did not start"
FCGI_ADDR=127.0.0.1:$AF start_nginx "$AP"
A_NGINX=$!
wait_url "$A_URL/up/directory" || bail "A behind nginx did not start"

# --- B: the proxy, endpoint "down", upstream "a" --------------------------------------
inst b "$B_URL"
HL=$T/hook.log
# The managed challenge's hook only logs its arguments (to $HOOK_LOG when
# set, which acme-fcgi's minimal environment never has).
cat > "$T/hook" <<HOOK
#!/bin/sh
echo "\$*" >> "\${HOOK_LOG:-$HL}"
exit 0
HOOK
chmod 755 "$T/hook"
HOOK_LOG=$T/hook.self "$T/hook" deploy dns-01 self.chain.test tok val &&
    [ "$(cat "$T/hook.self")" = "deploy dns-01 self.chain.test tok val" ] && [ ! -e "$HL" ] ||
    bail "the hook does not log its arguments"
adm "$SCRIPTS/acme-upstream" --db "$DB_B" add a --directory "$A_URL/up/directory" \
    --ca-bundle "$CA_BUNDLE" --eab-kid "$A_KID" --eab-hmac "$A_HMAC"
adm "$SCRIPTS/acme-managed-challenge" --db "$DB_B" add logonly --match '*.chain.test' \
    --type dns-01 --solver hook --hook "$T/hook"
adm "$SCRIPTS/acme-app" --db "$DB_B" create proxied
adm "$SCRIPTS/acme-template" --db "$DB_B" create viaa --upstream a --allow '*.chain.test'
adm "$SCRIPTS/acme-endpoint" --db "$DB_B" create down --application proxied --template viaa
DB=$DB_B
eab down || bail "acme-eab create on B"
start_inst b "127.0.0.1:$BF" || bail "acme-fcgi B did not start"
FCGI_ADDR=127.0.0.1:$BF start_nginx "$BP"
wait_url "$B_URL/down/directory" || bail "B behind nginx did not start"
t_ok "A (local CA $CA, endpoint up) and B (upstream a = A's up, endpoint down) behind two nginx"

# --- a certificate through B -----------------------------------------------------------
T0=$(date +%s)
RC=0
timeout 60 "$DEMO" -d "$B_URL/down/directory" -r "$CA_BUNDLE" -a "$T/acct.key" -k "$KID" \
    -m "$HMAC" -o "$T/chain.pem" www.chain.test > "$T/demo.out" 2> "$T/demo.err" || RC=$?
[ "$RC" = 0 ] && [ -s "$T/chain.pem" ] &&
    t_ok "acme-client-demo through B: a certificate for www.chain.test ($(($(date +%s) - T0)) s)" ||
    { t_not_ok "acme-client-demo through B: exit $RC"; t_diag "$(cat "$T/demo.out" "$T/demo.err")"; }
[ -z "$(sed -n 's/^challenge //p' "$T/demo.out")" ] &&
    t_ok "the client had no challenge to answer" ||
    t_not_ok "the client answered challenges: $(grep '^challenge' "$T/demo.out")"
# The leaf alone, and its serial as the databases store it.
sed '/-----END CERTIFICATE-----/q' "$T/chain.pem" > "$T/leaf.pem"
certtool -i --infile "$T/leaf.pem" --outder > "$T/leaf.der" 2>/dev/null
SERIAL=$(certtool -i --infile "$T/leaf.pem" 2>/dev/null |
    sed -n '/Serial Number (hex):/{s/.*: *//p;q}' | tr -d ':' | tr 'A-F' 'a-f')
nz() { printf '%s\n' "$1" | sed 's/^0*//'; }

certtool --verify --load-ca-certificate "$ROOT_A" --infile "$T/chain.pem" > "$T/verify" 2>&1 &&
    grep -q "Chain verification output: Verified" "$T/verify" &&
    [ "$(grep -c 'BEGIN CERTIFICATE' "$T/chain.pem")" -ge 2 ] &&
    t_ok "the chain (leaf and A's issuing CA) verifies to A's root" ||
    { t_not_ok "the chain does not verify to A's root"; t_diag "$(cat "$T/verify")"; }
[ "$(certtool -i --infile "$T/leaf.pem" 2>/dev/null | sed -n 's/^[[:space:]]*DNSname: //p')" = \
    www.chain.test ] && t_ok "the leaf names www.chain.test" ||
    t_not_ok "leaf names: $(certtool -i --infile "$T/leaf.pem" 2>/dev/null | grep DNSname)"
[ ! -e "$HL" ] && t_ok "B's managed challenge hook was never called (A had nothing to validate)" ||
    t_not_ok "the hook was called: $(cat "$HL")"
[ "$(qb "SELECT j.state || '|' || j.attempts FROM jobs j WHERE j.kind = 'upstream_order'")" = "done|1" ] &&
    t_ok "B's upstream_order job: done, in one attempt" ||
    t_not_ok "B's job: $(qb "SELECT state, attempts, last_error FROM jobs")"

B_SER=$(qb "SELECT serial FROM certificates")
A_SER=$(qa "SELECT serial FROM certificates")
[ -n "$SERIAL" ] && [ "$(nz "$B_SER")" = "$(nz "$SERIAL")" ] && [ "$A_SER" = "$B_SER" ] &&
    t_ok "one certificate in each database, the same serial: $B_SER" ||
    t_not_ok "serials: leaf $SERIAL, B '$B_SER', A '$A_SER'"
"$SCRIPTS/acme-cert" --db "$DB_B" list --endpoint down > "$T/list.b" 2>&1
"$SCRIPTS/acme-cert" --db "$DB_A" list --endpoint up > "$T/list.a" 2>&1
[ -n "$B_SER" ] && grep -qi "$B_SER" "$T/list.b" && grep -qi "$B_SER" "$T/list.a" &&
    t_ok "acme-cert list shows it on B (endpoint down) and on A (endpoint up)" ||
    { t_not_ok "acme-cert list"; t_diag "B: $(cat "$T/list.b")" "A: $(cat "$T/list.a")"; }
"$SCRIPTS/acme-cert" --db "$DB_B" show "$B_SER" > "$T/show.b" 2>&1
"$SCRIPTS/acme-cert" --db "$DB_A" show "$A_SER" > "$T/show.a" 2>&1
grep -Eq '^ *ca = upstream a$' "$T/show.b" && grep -Eq "^ *ca = $CA\$" "$T/show.a" &&
    t_ok "acme-cert show: ca = upstream a on B, $CA on A" ||
    { t_not_ok "acme-cert show"; t_diag "$(cat "$T/show.b" "$T/show.a")"; }
# A's account for the certificate is B's account there, bound to A's EAB key.
[ "$(qa "SELECT count(*) FROM accounts")" = 1 ] &&
    [ "$(qa "SELECT a.uid FROM certificates c JOIN accounts a ON a.id = c.account_id")" = \
    "$(qb "SELECT account_url FROM upstreams WHERE name = 'a'" | sed 's|.*/||')" ] &&
    [ "$(qa "SELECT k.kid FROM accounts a JOIN eab_keys k ON k.id = a.eab_key_id")" = "$A_KID" ] &&
    t_ok "on A the certificate is B's account's, bound to A's EAB key" ||
    t_not_ok "A's accounts: $(qa "SELECT uid FROM accounts") / B's account_url $(qb "SELECT account_url FROM upstreams")"

# --- renewal information, relayed ----------------------------------------------------------
# get URL OUT - sets STATUS; the body in OUT, its headers in OUT.h.
get() {
	rm -f "$2" "$2.h"
	STATUS=$(curl_ -o "$2" -D "$2.h" -w '%{http_code}' "$1")
}
hdr() { sed -n "s/^$2: *//Ip" "$1.h" 2>/dev/null | tr -d '\r' | head -n 1; }
win() { jq -S -c . "$1" 2>/dev/null; }

CID=$(certid "$T/leaf.pem") || bail "no certID for the leaf"
get "$B_URL/down/directory" "$T/dir.b"
get "$A_URL/up/directory" "$T/dir.a"
[ "$(jq -r .renewalInfo "$T/dir.b")" = "$B_URL/down/renewal-info" ] &&
    [ "$(jq -r .renewalInfo "$T/dir.a")" = "$A_URL/up/renewal-info" ] &&
    t_ok "both directories name renewalInfo" ||
    t_not_ok "renewalInfo: B $(jq -r .renewalInfo "$T/dir.b"), A $(jq -r .renewalInfo "$T/dir.a")"
get "$A_URL/up/renewal-info/$CID" "$T/ri.a"
A_ST=$STATUS
get "$B_URL/down/renewal-info/$CID" "$T/ri.b"
[ "$A_ST" = 200 ] && [ "$STATUS" = 200 ] && jq -e .suggestedWindow.start "$T/ri.b" > /dev/null 2>&1 &&
    t_ok "GET renewal-info/$CID: 200 from A and from B" ||
    { t_not_ok "renewal-info: A $A_ST, B $STATUS"; t_diag "$(cat "$T/ri.a" "$T/ri.b")"; }
[ -n "$(win "$T/ri.a")" ] && [ "$(win "$T/ri.b")" = "$(win "$T/ri.a")" ] &&
    t_ok "B's answer is A's, exactly: $(win "$T/ri.b")" ||
    t_not_ok "B: $(win "$T/ri.b") A: $(win "$T/ri.a")"
RA_A=$(hdr "$T/ri.a" Retry-After) RA_B=$(hdr "$T/ri.b" Retry-After)
[ "$RA_A" = 21600 ] && [ -n "$RA_B" ] && [ "$RA_B" -le 21600 ] && [ "$RA_B" -ge 21590 ] &&
    t_ok "Retry-After: A 21600, B relays it ($RA_B)" || t_not_ok "Retry-After: A $RA_A, B $RA_B"
NOW=$(date +%s)
KEPT=$(qb "SELECT json(renewal_info) FROM certificates WHERE serial = '$B_SER'")
LEFT=$(qb "SELECT renewal_info_until - $NOW FROM certificates WHERE serial = '$B_SER'")
[ -n "$KEPT" ] && [ "$(printf '%s' "$KEPT" | jq -S -c .suggestedWindow)" = \
    "$(jq -S -c .suggestedWindow "$T/ri.a")" ] && [ -n "$LEFT" ] && [ "$LEFT" -gt 21500 ] &&
    [ "$LEFT" -le 21600 ] &&
    t_ok "B keeps it: certificates.renewal_info is A's window, renewal_info_until in $LEFT s" ||
    t_not_ok "B's cache: renewal_info '$KEPT', until in '$LEFT' s"

# A's nginx stopped: B answers from what it kept.
kill "$A_NGINX" 2>/dev/null
wait_gone "$A_NGINX" 100 || bail "A's nginx did not stop"
[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' --cacert "$CA_BUNDLE" "$A_URL/up/directory")" = 000 ] ||
    bail "A still answers"
sleep 1
get "$B_URL/down/renewal-info/$CID" "$T/ri.b2"
RA_B2=$(hdr "$T/ri.b2" Retry-After)
[ "$STATUS" = 200 ] && [ "$(win "$T/ri.b2")" = "$(win "$T/ri.a")" ] && [ -n "$RA_B2" ] &&
    [ "$RA_B2" -lt "$RA_B" ] && [ "$RA_B2" -ge 21500 ] &&
    t_ok "A down: B still answers 200, A's window, from what it kept (Retry-After $RA_B2)" ||
    { t_not_ok "A down: B $STATUS Retry-After $RA_B2"; t_diag "$(cat "$T/ri.b2")"; }
! grep -q "renewal-info: .*upstream a" "$T/logs/acme-b.log" &&
    t_ok "B never had to warn about the upstream (it was not asked)" ||
    t_not_ok "B warned: $(grep 'renewal-info: .*upstream a' "$T/logs/acme-b.log")"

# --- a revocation through B, forwarded to A -----------------------------------------------
FCGI_ADDR=127.0.0.1:$AF start_nginx "$AP"
wait_url "$A_URL/up/directory" || bail "A's nginx did not start again"
ACCT=$(sed -n 's/^account \([^ ]*\) .*/\1/p' "$T/demo.out")
BASE_URL=$B_URL
RV=$B_URL/down/revoke-cert
T1=$(date +%s)
STATUS=
[ -n "$ACCT" ] && [ -s "$T/leaf.der" ] && post "$RV" "$(jws down "$RV" "$T/acct.key" --kid "$ACCT" \
    --payload "{\"certificate\":\"$(basenc --base64url < "$T/leaf.der" | tr -d '=\n')\",\"reason\":4}")"
[ "$STATUS" = 200 ] && t_ok "revokeCert through B by the account that ordered it, reason 4: 200" ||
    { t_not_ok "revokeCert through B: ${STATUS:-not sent} (account ${ACCT:-?})"; t_diag "$(cat "$T/resp" 2>/dev/null)"; }
[ "$(qb "SELECT status || '|' || reason FROM certificates WHERE serial = '$B_SER'")" = "revoked|4" ] &&
    t_ok "B's database: revoked, reason 4" ||
    t_not_ok "B's database: $(qb "SELECT status, reason FROM certificates")"
rj() { qb "SELECT state FROM jobs WHERE kind = 'upstream_revoke'"; }
i=0
until [ "$(rj)" = "done" ] || [ $i -ge 40 ]; do
	sleep 0.5
	i=$((i + 1))
done
[ "$(rj)" = "done" ] && t_ok "B's upstream_revoke job is done ($(($(date +%s) - T1)) s)" ||
    t_not_ok "upstream_revoke: '$(rj)' $(qb "SELECT attempts, last_error FROM jobs WHERE kind = 'upstream_revoke'")"
A_ROW=$(qa "SELECT status || '|' || reason || '|' || revoked FROM certificates WHERE serial = '$A_SER'")
[ "${A_ROW%|*}" = "revoked|4" ] && [ "${A_ROW##*|}" -ge "$T1" ] &&
    t_ok "A's database: the same serial revoked, reason 4" || t_not_ok "A's database: $A_ROW"
"$SCRIPTS/acme-cert" --db "$DB_A" show "$A_SER" > "$T/show.a" 2>&1
grep -q "superseded (4)" "$T/show.a" && t_ok "acme-cert show on A: superseded (4)" ||
    { t_not_ok "acme-cert show on A"; t_diag "$(cat "$T/show.a")"; }
grep -q "POST /up/revoke-cert 200" "$T/logs/acme-a.log" &&
    t_ok "A's log: POST /up/revoke-cert 200" ||
    t_not_ok "A's log: $(grep revoke-cert "$T/logs/acme-a.log")"

NOW=$(date +%s)
past() { [ "$(sqlite3 :memory: "SELECT CAST(strftime('%s', '$1') AS INTEGER) < $NOW")" = 1 ]; }
get "$A_URL/up/renewal-info/$CID" "$T/ri.a2"
END=$(jq -r .suggestedWindow.end "$T/ri.a2" 2>/dev/null)
[ "$STATUS" = 200 ] && [ -n "$END" ] && past "$END" &&
    t_ok "A's renewal-info for it now: a window in the past (ends $END)" ||
    { t_not_ok "A's renewal-info after revocation: $STATUS"; t_diag "$(cat "$T/ri.a2")"; }
get "$B_URL/down/renewal-info/$CID" "$T/ri.b3"
END=$(jq -r .suggestedWindow.end "$T/ri.b3" 2>/dev/null)
[ "$STATUS" = 200 ] && [ -n "$END" ] && past "$END" &&
    t_ok "B's renewal-info for it: a window in the past too (ends $END)" ||
    { t_not_ok "B's renewal-info after revocation: $STATUS"; t_diag "$(cat "$T/ri.b3")"; }

# B asked A's renewalInfo once: the GET with A down was served from what it
# kept, and a revoked certificate gets B's own window without asking.
N=$(grep -c "acme_client: GET $A_URL/up/renewal-info/$CID: 200" "$T/logs/acme-b.log")
[ "$N" = 1 ] && t_ok "B asked A's renewalInfo once in all (three GETs to B)" ||
    t_not_ok "B asked A's renewalInfo $N times"
[ "$(qa 'PRAGMA integrity_check')" = ok ] && [ "$(qb 'PRAGMA integrity_check')" = ok ] &&
    [ ! -e "$HL" ] && t_ok "both databases intact; the hook never ran" ||
    t_not_ok "integrity: A $(qa 'PRAGMA integrity_check'), B $(qb 'PRAGMA integrity_check')"
t_done
