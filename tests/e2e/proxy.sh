#!/bin/sh
# proxy.sh - managed ACME: acme-fcgi behind nginx places its clients' orders
# at real upstream ACME CAs and completes their challenges itself, through
# managed challenges.
#
# The upstreams:
#   pebble   Pebble with real validation (no PEBBLE_VA_ALWAYS_VALID) and EAB
#            required, resolving through pebble-challtestsrv, whose TXT
#            records and http-01 answers the managed challenges "hookdns",
#            "hookhttp" and "slowdns" set with tests/e2e/challtestsrv-hook;
#   pebble2  a second Pebble resolving through Knot, authoritative for
#            proxy.test, which the managed challenge "knot" updates with the
#            rfc2136 solver and a TSIG key;
#   flaky,   the first Pebble again, each through a TCP relay of its own
#   bounce   that the test stops (connection refused) and starts again.
#
# First the infrastructure alone: the hook publishes and removes what dig
# and curl see and refuses bad arguments; certbot obtains certificates from
# both Pebbles directly, with the hook and with the rfc2136 solver.
#
# Then through acme-fcgi (upstream_timeout = 60): newOrder refuses a name
# that no managed challenge matches, an IP address, and names the managed
# challenges of a limited EAB key cannot validate (a dns-only name, a
# wildcard with http-01 only).  certbot (a wildcard and a name, dns-01),
# lego (http-01, its EAB key limited to hookhttp), uacme, lego through the
# Knot upstream and four lego runs more, all at once, each obtain a
# certificate whose chain verifies to its Pebble's root, names exactly what
# was asked, and which acme-cert lists; the hook ran a deploy and a clean
# for each challenge; nothing is left in challtestsrv nor in Knot.
#
# Last, with the protocol at the curl level (acme-probe): acme-fcgi killed
# (-9, every process) while a job waits for DNS propagation and started
# again finishes the order (a runner takes back at once the jobs of dead
# runners on its host, rather than when their 180 s leases run out); on a
# second instance with upstream_timeout = 40, an upstream that stays down
# makes the order invalid with the connection error in its detail, and one
# that comes back within the budget lets it complete.  The
# relays stop after newOrder and before finalize, so that the job finds the
# upstream down whatever its timing (a fast job could be done before a stop
# "right after finalize").  A certificate revoked through acme-fcgi is then
# revoked at Pebble too, by a job (Pebble's cert-status-by-serial says so).
#
# Assumptions about acme-fcgi: the configuration key upstream_timeout; a
# proxy order is "ready" at once with "valid" authorizations; finalize
# answers 200, "processing" and Retry-After; the job runs the hook as
# "HOOK deploy|clean TYPE DOMAIN TOKEN VALUE"; the jobs table of
# sql/schema.sql (state, attempts; ref_id is the order's id).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need nginx pebble pebble-challtestsrv knotd keymgr nsupdate dig certbot lego uacme unshare \
    curl jq sqlite3 certtool python3 basenc pgrep timeout
[ "$(id -u)" = 0 ] || t_skip_all "uacme's trust store needs a mount namespace (root)"
e2e_init proxy
make_tls
HOOK=$top_srcdir/tests/e2e/challtestsrv-hook
SOLVER=$top_srcdir/scripts/rfc2136-solver
HL=$T/logs/hook.log
: > "$HL"
# Longest run of one client; a job that never ends fails its client here.
CLIENT_TIMEOUT=100

bail() {
	echo "Bail out! $*"
	exit 1
}

t_plan 96

CM=$(freeport) CD=$(freeport) CH=$(freeport)
PA=$(freeport) PAM=$(freeport) PAT=$(freeport)
PB=$(freeport) PBM=$(freeport) PBH=$(freeport) PBT=$(freeport)
KP=$(freeport) R1=$(freeport) R2=$(freeport)
NP=$(freeport) FP=$(freeport) NP2=$(freeport) FP2=$(freeport)

# txt PORT NAME - the TXT values that server has at NAME, sorted.
txt() { dig +short +norecurse +time=2 +tries=2 @127.0.0.1 -p "$1" TXT "$2" | sort; }
# http01 HOST TOKEN - what challtestsrv answers for an http-01 token.
http01() { curl -s -m 5 -H "Host: $1" "http://127.0.0.1:$CH/.well-known/acme-challenge/$2"; }

# --- pebble-challtestsrv and the hook --------------------------------------------
pebble-challtestsrv -management "127.0.0.1:$CM" -dns01 "127.0.0.1:$CD" -http01 "127.0.0.1:$CH" \
    -https01 "" -tlsalpn01 "" -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
    >> "$T/logs/challtestsrv.log" 2>&1 &
echo $! >> "$T/pids"
"$PROBE" waitport "127.0.0.1:$CM" && "$PROBE" waitport "127.0.0.1:$CH" ||
    bail "pebble-challtestsrv did not start"

# acme-fcgi runs hooks with a minimal environment: the managed challenges
# name this wrapper, which says where challtestsrv is.
cat > "$T/hook" <<HOOK
#!/bin/sh
CHALLTESTSRV_URL='http://127.0.0.1:$CM' CHALLTESTSRV_LOG='$HL' exec sh '$HOOK' "\$@"
HOOK
chmod 755 "$T/hook"

# A digest, a token and a thumbprint of the right shapes.
V1=LoqXcYV8q5ONbJQx-mR7SCTNo3tiAXDfowyjxAjEu_0
TOKEN=evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA
THUMB=w-Vy3GuBE8ozyNTr7pGrEArWEvGvnNRNS5rIWW5ciHw
"$T/hook" deploy dns-01 A.Hook.TEST "$TOKEN" "$V1" 2> "$T/err" &&
    [ "$(txt "$CD" _acme-challenge.a.hook.test)" = "\"$V1\"" ] &&
    t_ok "hook: deploy dns-01 publishes _acme-challenge.DOMAIN TXT (dig sees it; any case)" ||
    t_not_ok "hook deploy dns-01: $(cat "$T/err") / $(txt "$CD" _acme-challenge.a.hook.test)"
"$T/hook" clean dns-01 a.hook.test "$TOKEN" "$V1" 2> "$T/err" &&
    [ -z "$(txt "$CD" _acme-challenge.a.hook.test)" ] &&
    t_ok "hook: clean dns-01 removes it" || t_not_ok "hook clean dns-01: $(cat "$T/err")"
"$T/hook" deploy http-01 web.hook.test "$TOKEN" "$TOKEN.$THUMB" 2> "$T/err" &&
    [ "$(http01 web.hook.test "$TOKEN")" = "$TOKEN.$THUMB" ] &&
    t_ok "hook: deploy http-01 makes challtestsrv serve the key authorization" ||
    t_not_ok "hook deploy http-01: $(cat "$T/err") / $(http01 web.hook.test "$TOKEN")"
"$T/hook" clean http-01 web.hook.test "$TOKEN" "$TOKEN.$THUMB" 2> "$T/err" &&
    [ -z "$(http01 web.hook.test "$TOKEN")" ] &&
    t_ok "hook: clean http-01 removes it" || t_not_ok "hook clean http-01: $(cat "$T/err")"
grep -qx "deploy dns-01 a.hook.test $TOKEN $V1 ok" "$HL" &&
    grep -qx "clean http-01 web.hook.test $TOKEN $TOKEN.$THUMB ok" "$HL" &&
    t_ok "hook: each call is logged" || t_not_ok "hook log: $(cat "$HL")"

# hook_refused DESC RC PATTERN ARGS... - the hook exits RC saying PATTERN;
# nothing reached challtestsrv nor a shell.
hook_refused() {
	_d=$1 _rc=$2 _p=$3
	shift 3
	rm -f "$T/pwned"
	_oks=$(grep -c ' ok$' "$HL")
	_got=0
	(cd "$T" && "$T/hook" "$@") > "$T/out" 2> "$T/err" || _got=$?
	if [ "$_got" = "$_rc" ] && grep -q -- "$_p" "$T/err" && [ ! -e "$T/pwned" ] &&
	    [ "$(grep -c ' ok$' "$HL")" = "$_oks" ]; then
		t_ok "hook refuses $_d: exit $_rc, \"$_p\""
	else
		t_not_ok "hook refuses $_d: exit $_got, $(cat "$T/err")"
	fi
}
hook_refused "a domain with a semicolon" 1 "invalid domain" deploy dns-01 'a;touch pwned' "$TOKEN" "$V1"
hook_refused "a domain with \$(...)" 1 "invalid domain" deploy dns-01 '$(touch pwned).hook.test' "$TOKEN" "$V1"
hook_refused "a domain with a newline" 1 "invalid domain" deploy dns-01 "$(printf 'a.hook.test\nb')" "$TOKEN" "$V1"
hook_refused "a wildcard domain" 1 "invalid domain" deploy dns-01 '*.hook.test' "$TOKEN" "$V1"
hook_refused "an empty label" 1 "empty label" deploy dns-01 'a..hook.test' "$TOKEN" "$V1"
hook_refused "a label with a leading hyphen" 1 "hyphen" deploy dns-01 '-a.hook.test' "$TOKEN" "$V1"
hook_refused "a token with a slash" 1 "invalid token" deploy http-01 web.hook.test 'a/b' "a/b.$THUMB"
hook_refused "a TXT value with a quote" 1 "base64url only" deploy dns-01 a.hook.test "$TOKEN" "${V1%??}\"x"
hook_refused "a TXT value of the wrong length" 1 "not 43 characters" deploy dns-01 a.hook.test "$TOKEN" abc
hook_refused "a key authorization for another token" 1 "does not start with TOKEN" \
    deploy http-01 web.hook.test "$TOKEN" "other.$THUMB"
hook_refused "tls-alpn-01" 1 "unknown challenge type" deploy tls-alpn-01 a.hook.test "$TOKEN" "$V1"
hook_refused "an unknown action" 2 "usage:" publish dns-01 a.hook.test "$TOKEN" "$V1"
hook_refused "a missing argument" 2 "usage:" deploy dns-01 a.hook.test "$TOKEN"
rc=0
env -i PATH=/usr/bin:/bin sh "$HOOK" deploy dns-01 a.hook.test "$TOKEN" "$V1" > /dev/null 2> "$T/err" || rc=$?
[ $rc = 1 ] && grep -q CHALLTESTSRV_URL "$T/err" &&
    t_ok "hook refuses to run without CHALLTESTSRV_URL (the environment acme-fcgi gives)" ||
    t_not_ok "hook without CHALLTESTSRV_URL: exit $rc, $(cat "$T/err")"
rc=0
CHALLTESTSRV_URL=http://127.0.0.1:$(freeport) CHALLTESTSRV_LOG=$HL sh "$HOOK" \
    deploy dns-01 a.hook.test "$TOKEN" "$V1" > /dev/null 2> "$T/err" || rc=$?
[ $rc = 1 ] && tail -n 1 "$HL" | grep -q ' failed$' &&
    t_ok "hook: exit 1 and \"failed\" logged when challtestsrv does not answer" ||
    t_not_ok "hook without challtestsrv: exit $rc, $(cat "$T/err")"

# --- Knot, authoritative for proxy.test --------------------------------------------
start_knot "$KP" proxy.test '*	A	127.0.0.1'
i=0
until [ "$(dig +short +norecurse +time=1 +tries=1 @127.0.0.1 -p "$KP" A any.proxy.test)" = 127.0.0.1 ]; do
	[ $i -ge 50 ] && bail "knotd did not answer for proxy.test"
	sleep 0.2
	i=$((i + 1))
done
S() { "$SOLVER" --server 127.0.0.1 --port "$KP" --tsig-key "$T/bind.key" --zone proxy.test "$@"; }
S deploy dns-01 s.proxy.test "$TOKEN" "$V1" > /dev/null 2> "$T/err" &&
    [ "$(txt "$KP" _acme-challenge.s.proxy.test)" = "\"$V1\"" ] &&
    S clean dns-01 s.proxy.test "$TOKEN" "$V1" > /dev/null 2>> "$T/err" &&
    [ -z "$(txt "$KP" _acme-challenge.s.proxy.test)" ] &&
    t_ok "knot: names in proxy.test resolve to 127.0.0.1; the rfc2136 solver publishes and removes TXT" ||
    t_not_ok "knot and the solver: $(cat "$T/err")"

# --- the two Pebbles ------------------------------------------------------------------
key32() { head -c 32 /dev/urandom | basenc --base64url | tr -d '=\n'; }
HA=$(key32) HB=$(key32) HC=$(key32) HX=$(key32)
# start_pebble NAME PORT MGMT-PORT HTTP-PORT TLS-PORT DNS-SERVER
start_pebble() {
	cat > "$T/$1.json" <<CONF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$2",
    "managementListenAddress": "127.0.0.1:$3",
    "certificate": "$T/tls/server.pem",
    "privateKey": "$T/tls/server.key",
    "httpPort": $4,
    "tlsPort": $5,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": true,
    "externalAccountMACKeys": { "kid-a": "$HA", "kid-b": "$HB", "kid-c": "$HC", "kid-x": "$HX" }
  }
}
CONF
	# Real validation, without its sleeps; no nonce refused at random;
	# every order's authorizations validated afresh.
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
	    pebble -config "$T/$1.json" -dnsserver "$6" >> "$T/logs/$1.log" 2>&1 &
	echo $! >> "$T/pids"
	wait_url "https://127.0.0.1:$2/dir" || bail "$1 did not start"
	curl_ -f -o "$T/$1-root.pem" "https://127.0.0.1:$3/roots/0" &&
	    curl_ -f -o "$T/$1-intermediate.pem" "https://127.0.0.1:$3/intermediates/0" ||
	    bail "$1: no root or intermediate from its management interface"
}
start_pebble pebble "$PA" "$PAM" "$CH" "$PAT" "127.0.0.1:$CD"
start_pebble pebble2 "$PB" "$PBM" "$PBH" "$PBT" "127.0.0.1:$KP"
ROOT_A=$T/pebble-root.pem ROOT_B=$T/pebble2-root.pem
certtool --verify --load-ca-certificate "$ROOT_A" --infile "$T/pebble-intermediate.pem" 2>&1 |
    grep -q "Chain verification output: Verified" &&
    ! cmp -s "$ROOT_A" "$ROOT_B" &&
    t_ok "pebble: two instances, each with its own root; the intermediate verifies to the root" ||
    t_not_ok "pebble roots"

# A TCP relay to the first Pebble, to stop and start: Pebble builds its URLs
# from the Host header, so through a relay they name the relay's port.
cat > "$T/relay.py" <<'PY'
import socket, sys, threading
listen, target = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen))
srv.listen(64)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
def serve(c):
    try:
        u = socket.create_connection(("127.0.0.1", target))
    except OSError:
        c.close()
        return
    t = threading.Thread(target=pipe, args=(c, u), daemon=True)
    t.start()
    pipe(u, c)
    t.join()
    u.close()
    c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
# start_relay N PORT / stop_relay N
start_relay() {
	python3 "$T/relay.py" "$2" "$PA" >> "$T/logs/relay-$1.log" 2>&1 &
	echo $! > "$T/relay-$1.pid"
	echo $! >> "$T/pids"
	"$PROBE" waitport "127.0.0.1:$2"
}
stop_relay() {
	kill "$(cat "$T/relay-$1.pid")" 2>/dev/null
	wait_gone "$(cat "$T/relay-$1.pid")" 50
}
start_relay 1 "$R1" && start_relay 2 "$R2" || bail "the relays did not start"
curl_ -o "$T/out" "https://127.0.0.1:$R1/dir" &&
    [ "$(jq -r .newOrder "$T/out")" = "https://127.0.0.1:$R1/order-plz" ] &&
    t_ok "relay: Pebble's directory through it names the relay's port" ||
    t_not_ok "relay: $(cat "$T/out")"

# --- the infrastructure alone: certbot straight to each Pebble, in the background -------
# certbot's manual hooks, to the challtestsrv hook or to the rfc2136 solver.
cat > "$T/certbot-hook" <<HOOK
#!/bin/sh
if [ -n "\${CERTBOT_TOKEN:-}" ]; then
	exec '$T/hook' "\$1" http-01 "\$CERTBOT_DOMAIN" "\$CERTBOT_TOKEN" "\$CERTBOT_VALIDATION"
fi
exec '$T/hook' "\$1" dns-01 "\$CERTBOT_DOMAIN" certbot "\$CERTBOT_VALIDATION"
HOOK
cat > "$T/certbot-knot" <<HOOK
#!/bin/sh
exec '$SOLVER' --server 127.0.0.1 --port $KP --tsig-key '$T/bind.key' --zone proxy.test \\
    "\$1" dns-01 "\$CERTBOT_DOMAIN" certbot "\$CERTBOT_VALIDATION"
HOOK
# A client's own challenge hook: the proxy must never need it.
cat > "$T/client-hook" <<HOOK
#!/bin/sh
echo "client hook called: \$*" >> '$T/logs/client-hook.log'
exit 1
HOOK
chmod 755 "$T/certbot-hook" "$T/certbot-knot" "$T/client-hook"

BG=
# bgrun CMD... - CMD in the background, remembered in $BG (and $T/pids).
bgrun() {
	"$@" &
	echo $! >> "$T/pids"
	BG="$BG $!"
}
bg_wait() {
	for _p in $BG; do wait "$_p"; done
	BG=
}
# rc_ok DESC TAG LOG - the background client TAG exited 0.
rc_ok() {
	_rc=$(cat "$T/rc.$2" 2>/dev/null)
	if [ "$_rc" = 0 ]; then
		t_ok "$1"
	else
		t_not_ok "$1: exit ${_rc:-?}"
		t_diag "$(tail -n 15 "$3" 2>/dev/null)"
	fi
}

# run_certbot TAG DIRECTORY KID HMAC ARGS... - certbot certonly; the chain
# in $T/certbot-TAG/live/TAG/fullchain.pem, the exit status in $T/rc.TAG.
run_certbot() {
	_t=$1 _d=$2 _k=$3 _h=$4
	shift 4
	REQUESTS_CA_BUNDLE=$CA_BUNDLE timeout "$CLIENT_TIMEOUT" certbot certonly \
	    --non-interactive --agree-tos --email certbot@example.test --server "$_d" \
	    --eab-kid "$_k" --eab-hmac-key "$_h" --cert-name "$_t" \
	    --config-dir "$T/certbot-$_t" --work-dir "$T/certbot-$_t" \
	    --logs-dir "$T/certbot-$_t/logs" "$@" > "$T/logs/certbot-$_t.log" 2>&1
	echo $? > "$T/rc.$_t"
}
# run_lego TAG DIRECTORY KID HMAC NAME... - lego run (ec256); the chain in
# $T/lego-TAG/certificates/NAME.crt.  Its http-01 server would listen on a
# port of its own, but no challenge should reach it.
run_lego() {
	_t=$1 _d=$2 _k=$3 _h=$4
	shift 4
	_ds=
	for _n in "$@"; do _ds="$_ds -d $_n"; done
	LEGO_CA_CERTIFICATES=$CA_BUNDLE timeout "$CLIENT_TIMEOUT" lego --server "$_d" \
	    --email lego@example.test --accept-tos --eab --kid "$_k" --hmac "$_h" \
	    --key-type ec256 --path "$T/lego-$_t" --http --http.port "127.0.0.1:$(freeport)" \
	    --cert.timeout 60 $_ds run > "$T/logs/lego-$_t.log" 2>&1
	echo $? > "$T/rc.$_t"
}
# run_uacme TAG DIRECTORY KID HMAC NAME - uacme new + issue, in a mount
# namespace where the system trust store is the test CA (libcurl-gnutls
# reads nothing else); the chain in $T/uacme-TAG/NAME/cert.pem.
run_uacme() {
	mkdir -p "$T/uacme-$1"
	unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift &&
	    "$@" new uacme@example.test && "$@" issue "$0"' "$5" \
	    "$CA_BUNDLE" timeout "$CLIENT_TIMEOUT" uacme -y -v -c "$T/uacme-$1" -a "$2" \
	    -e "$3:$4" -t EC -h "$T/client-hook" > "$T/logs/uacme-$1.log" 2>&1
	echo $? > "$T/rc.$1"
}

# verifies CHAIN ROOT - certtool verifies CHAIN (leaf first) up to ROOT.
verifies() {
	certtool --verify --load-ca-certificate "$2" --infile "$1" > "$T/verify" 2>&1 &&
	    grep -q "Chain verification output: Verified" "$T/verify"
}
# leaf_names CHAIN - the leaf's DNS names, sorted, on one line.
leaf_names() {
	certtool -i < "$1" 2>/dev/null | sed -n '1,/^-----BEGIN/p' |
	    sed -n 's/^[[:space:]]*DNSname: //p' | sort | tr '\n' ' '
}
# names_of NAME... - the same form for what was asked.
names_of() { printf '%s\n' "$@" | sort | tr '\n' ' '; }

DIR_A=https://127.0.0.1:$PA/dir DIR_B=https://127.0.0.1:$PB/dir
bgrun run_certbot direct-dns "$DIR_A" kid-x "$HX" --manual --preferred-challenges dns \
    --manual-auth-hook "$T/certbot-hook deploy" --manual-cleanup-hook "$T/certbot-hook clean" \
    -d '*.direct.test' -d direct.test
bgrun run_certbot direct-http "$DIR_A" kid-x "$HX" --manual --preferred-challenges http \
    --manual-auth-hook "$T/certbot-hook deploy" --manual-cleanup-hook "$T/certbot-hook clean" \
    -d web.direct.test
bgrun run_certbot direct-knot "$DIR_B" kid-x "$HX" --manual --preferred-challenges dns \
    --manual-auth-hook "$T/certbot-knot deploy" --manual-cleanup-hook "$T/certbot-knot clean" \
    -d d.proxy.test

# --- acme-fcgi --------------------------------------------------------------------------
acme_setup "https://127.0.0.1:$NP/acme" upstream_timeout=60 \
    rfc2136_solver="$top_srcdir/scripts/rfc2136-solver" > "$T/out" 2>&1 ||
    bail "acme-fcgi refuses the configuration (upstream_timeout = 60): $(cat "$T/out")"
CONF_A=$CONF
MAIN_URL=$BASE_URL
# The restart: the job is taken back at once; its budget is 180 s.
CONF_B=$T/acme-b.conf
sed 's/^upstream_timeout = .*/upstream_timeout = 180/' "$CONF_A" > "$CONF_B"
# The upstream down: a second instance, on the same database.
CONF_C=$T/acme-c.conf
C_URL=https://127.0.0.1:$NP2/acme
sed -e 's/^upstream_timeout = .*/upstream_timeout = 40/' -e "s|^base_url = .*|base_url = $C_URL|" \
    "$CONF_A" > "$CONF_C"

# adm CMD... - an administration command that must succeed.
adm() {
	"$@" >> "$T/logs/admin.log" 2>&1 ||
	    bail "$(basename "$1") $4 $5: $(tail -n 3 "$T/logs/admin.log")"
}
UP="$SCRIPTS/acme-upstream --db $DB"
MC="$SCRIPTS/acme-managed-challenge --db $DB"
TPL="$SCRIPTS/acme-template --db $DB"
adm $UP add pebble --directory "$DIR_A" --ca-bundle "$CA_BUNDLE" --eab-kid kid-a --eab-hmac "$HA"
adm $UP add pebble2 --directory "$DIR_B" --ca-bundle "$CA_BUNDLE" --eab-kid kid-a --eab-hmac "$HA"
adm $UP add flaky --directory "https://127.0.0.1:$R1/dir" --ca-bundle "$CA_BUNDLE" \
    --eab-kid kid-b --eab-hmac "$HB"
adm $UP add bounce --directory "https://127.0.0.1:$R2/dir" --ca-bundle "$CA_BUNDLE" \
    --eab-kid kid-c --eab-hmac "$HC"
adm $MC add hookdns --match '*.hook.test' --type dns-01 --solver hook --hook "$T/hook"
adm $MC add hookhttp --match web.hook.test --type http-01 --solver hook --hook "$T/hook"
adm $MC add slowdns --match '*.slow.test' --type dns-01 --solver hook --hook "$T/hook" \
    --propagation-wait 10
adm $MC add knot --match '*.proxy.test' --type dns-01 --solver rfc2136 --server "127.0.0.1:$KP" \
    --tsig-key "$T/bind.key" --zone proxy.test --propagation-check
adm "$SCRIPTS/acme-app" --db "$DB" create proxied
adm $TPL create up --upstream pebble --allow '*.hook.test' '*.slow.test' orphan.test --allow-wildcard
adm $TPL create kt --upstream pebble2 --allow '*.proxy.test'
adm $TPL create fl --upstream flaky --allow '*.down.hook.test'
adm $TPL create bo --upstream bounce --allow '*.back.hook.test'
for e in up:up kp:kt fl:fl bo:bo; do
	adm "$SCRIPTS/acme-endpoint" --db "$DB" create "${e%%:*}" --application proxied --template "${e#*:}"
done
t_ok "administration: 4 upstreams, 4 managed challenges (hook dns-01 and http-01, rfc2136), 4 templates, 4 endpoints"

start_standalone "127.0.0.1:$FP" 2 "$CONF_A"
FCGI_ADDR=127.0.0.1:$FP start_nginx "$NP"
wait_url "$MAIN_URL/up/directory" || bail "acme-fcgi behind nginx did not start"
UP_DIR=$MAIN_URL/up/directory

# --- the protocol at the curl level ---------------------------------------------------

# spost URL BODY OUT - a JWS POST; STATUS; the body in OUT, headers in OUT.h.
spost() {
	rm -f "$3" "$3.h"
	STATUS=$(printf '%s' "$2" | curl_ -o "$3" -D "$3.h" -w '%{http_code}' \
	    -H "Content-Type: application/jose+json" --data-binary @- "$1")
}
# hdr OUT NAME - a header of the response in OUT.h.
hdr() { sed -n "s/^$2: *//Ip" "$1.h" 2>/dev/null | tr -d '\r' | head -n 1; }
# sjws URL WHO [acme-probe options] - a JWS by WHO's key with a fresh nonce
# from WHO's endpoint; kid once WHO has an account, else jwk.
sjws() {
	_u=$1 _w=$2
	shift 2
	_n=$(curl_ -I "$(cat "$T/$_w.ep")/new-nonce" | sed -n 's/^[Rr]eplay-[Nn]once: *//p' | tr -d '\r')
	if [ -s "$T/$_w.kid" ]; then
		set -- --kid "$(cat "$T/$_w.kid")" "$@"
	fi
	"$PROBE" jws --key "$T/$_w.key" --url "$_u" --nonce "$_n" "$@"
}
# account WHO BASE ENDPOINT [acme-eab options] - an account of WHO on the
# endpoint, with an EAB key of its own.
account() {
	_w=$1 _b=$2 _e=$3
	shift 3
	rm -f "$T/$_w.kid"
	echo "$_b/$_e" > "$T/$_w.ep"
	"$PROBE" keygen ec256 "$T/$_w.key" && eab "$_e" "$@" || return 1
	spost "$_b/$_e/new-account" "$(sjws "$_b/$_e/new-account" "$_w" \
	    --payload '{"termsOfServiceAgreed":true}' --eab-kid "$KID" --eab-hmac "$HMAC")" "$T/$_w.acct"
	[ "$STATUS" = 201 ] && hdr "$T/$_w.acct" Location > "$T/$_w.kid"
}
# new_order WHO NAME... - the order in $T/WHO.order, its URL in $T/WHO.url.
new_order() {
	_w=$1
	shift
	spost "$(cat "$T/$_w.ep")/new-order" "$(sjws "$(cat "$T/$_w.ep")/new-order" "$_w" \
	    --payload "$(ids "$@")")" "$T/$_w.order"
	hdr "$T/$_w.order" Location > "$T/$_w.url"
}
# finalize WHO NAME... - a CSR for the names (a new P-256 key), finalized.
finalize() {
	_w=$1
	shift
	STATUS=
	rm -f "$T/$_w.fin" "$T/$_w.fin.h"
	for _v in "$@"; do echo "dns_name = \"$_v\""; done > "$T/$_w.tmpl"
	certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
	    --outfile "$T/$_w.leaf.key" 2>/dev/null &&
	    certtool --generate-request --load-privkey "$T/$_w.leaf.key" --template "$T/$_w.tmpl" \
	    --outder --outfile "$T/$_w.csr" > /dev/null 2>&1 || return 1
	_fin=$(jq -r '.finalize // empty' "$T/$_w.order")
	spost "$_fin" "$(sjws "$_fin" "$_w" \
	    --payload "{\"csr\":\"$(basenc --base64url < "$T/$_w.csr" | tr -d '=\n')\"}")" "$T/$_w.fin"
	date +%s > "$T/$_w.fin_at"
}
# processing WHO - finalize answered 200, "processing" and a Retry-After.
processing() {
	_ra=$(hdr "$T/$1.fin" Retry-After)
	if [ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/$1.fin" 2>/dev/null)" = processing ] &&
	    [ -n "$_ra" ] && [ -z "$(printf '%s' "$_ra" | tr -d 0-9)" ]; then
		t_ok "$1: finalize answers 200, processing, Retry-After: $_ra"
	else
		t_not_ok "$1: finalize: $STATUS Retry-After=${_ra:-none} $(head -c 400 "$T/$1.fin" 2>/dev/null)"
		return 1
	fi
}
# order_status WHO - POST-as-GET of WHO's order; its status (the object in
# $T/WHO.order).
order_status() {
	spost "$(cat "$T/$1.url")" "$(sjws "$(cat "$T/$1.url")" "$1")" "$T/$1.order"
	[ "$STATUS" = 200 ] && jq -r '.status // empty' "$T/$1.order" 2>/dev/null
}
# fetch_cert WHO - the order's certificate chain into $T/WHO.pem.
fetch_cert() {
	_c=$(jq -r '.certificate // empty' "$T/$1.order")
	[ -n "$_c" ] || return 1
	spost "$_c" "$(sjws "$_c" "$1")" "$T/$1.pem"
	[ "$STATUS" = 200 ]
}
# job_of WHO - "state|attempts" of the upstream job of WHO's order.
job_of() {
	sqlite3 -cmd '.timeout 5000' "$DB" "SELECT j.state, j.attempts FROM jobs j
	    JOIN orders o ON o.id = j.ref_id WHERE j.kind = 'upstream_order'
	    AND o.uid = '$(sed 's|.*/||' "$T/$1.url")'" 2>/dev/null
}
# check_cert DESC CHAIN ROOT ENDPOINT NAME... - the chain verifies to the
# upstream's root, the leaf names exactly NAME..., and acme-cert lists it
# for the endpoint (3 checks).
check_cert() {
	_d=$1 _c=$2 _r=$3 _e=$4
	shift 4
	if [ ! -s "$_c" ]; then
		t_not_ok "$_d: no certificate ($_c)"
		t_not_ok "$_d: no certificate to name anything"
		t_not_ok "$_d: no certificate to list"
		return
	fi
	if verifies "$_c" "$_r" && [ "$(grep -c 'BEGIN CERTIFICATE' "$_c")" -ge 2 ]; then
		t_ok "$_d: the chain (leaf and intermediate) verifies to the upstream's root"
	else
		t_not_ok "$_d: the chain does not verify to $(basename "$_r")"
		t_diag "$(cat "$T/verify")"
	fi
	_got=$(leaf_names "$_c")
	[ "$_got" = "$(names_of "$@")" ] && t_ok "$_d: the leaf names exactly $*" ||
	    t_not_ok "$_d: leaf names '$_got', want '$(names_of "$@")'"
	_serial=$(certtool -i < "$_c" 2>/dev/null | sed -n '/Serial Number (hex):/{s/.*: *//p;q}' |
	    tr -d ':' | tr 'A-F' 'a-f' | sed 's/^0*//')
	"$SCRIPTS/acme-cert" --db "$DB" list --endpoint "$_e" > "$T/list" 2>&1
	[ -n "$_serial" ] && tr 'A-F' 'a-f' < "$T/list" | tr -d ':' | grep -q "$_serial" &&
	    t_ok "$_d: acme-cert list --endpoint $_e has it" ||
	    { t_not_ok "$_d: serial ${_serial:-?} not in acme-cert list"; t_diag "$(cat "$T/list")"; }
}

# --- newOrder: what no managed challenge can validate is refused ------------------------
account probe "$MAIN_URL" up && account limited "$MAIN_URL" up --managed-challenge hookhttp ||
    bail "accounts on endpoint up: $STATUS $(cat "$T/probe.acct" "$T/limited.acct" 2>/dev/null)"
NO=$MAIN_URL/up/new-order
rejected "a name the template allows but no managed challenge matches" 400 rejectedIdentifier \
    "$NO" "$(sjws "$NO" probe --payload "$(ids orphan.test)")"
[ "$(jq -c '[.subproblems[]? | .identifier.value]' "$T/resp" 2>/dev/null)" = '["orphan.test"]' ] &&
    t_ok "its subproblem names orphan.test" || t_not_ok "subproblems: $(cat "$T/resp")"
rejected "an IP address (never proxied)" 400 rejectedIdentifier \
    "$NO" "$(sjws "$NO" probe --payload "$(ids 192.0.2.1)")"
rejected "an EAB key limited to hookhttp: a name only hookdns matches" 400 rejectedIdentifier \
    "$NO" "$(sjws "$NO" limited --payload "$(ids a.hook.test)")"
rejected "an EAB key limited to hookhttp: a wildcard (dns-01 only)" 400 rejectedIdentifier \
    "$NO" "$(sjws "$NO" limited --payload "$(ids '*.hook.test')")"
new_order limited web.hook.test
AZ=$(jq -r '.authorizations[0] // empty' "$T/limited.order" 2>/dev/null)
[ "$STATUS" = 201 ] && [ "$(jq -r .status "$T/limited.order")" = ready ] &&
    t_ok "an EAB key limited to hookhttp: web.hook.test is ready at once" ||
    t_not_ok "limited newOrder web.hook.test: $STATUS $(cat "$T/limited.order")"
if [ -n "$AZ" ]; then
	spost "$AZ" "$(sjws "$AZ" limited)" "$T/authz"
fi
[ -n "$AZ" ] && [ "$STATUS" = 200 ] && [ "$(jq -r .status "$T/authz")" = valid ] &&
    t_ok "its authorization is valid" || t_not_ok "authorization: $(cat "$T/authz" 2>/dev/null)"

# --- real clients, all at once ----------------------------------------------------------
HL_MARK=$(wc -l < "$HL")
eab up && bgrun run_certbot proxy "$UP_DIR" "$KID" "$HMAC" --manual --preferred-challenges dns \
    --manual-auth-hook "$T/client-hook" --manual-cleanup-hook "$T/client-hook" \
    -d '*.hook.test' -d a.hook.test
eab up --managed-challenge hookhttp && bgrun run_lego web "$UP_DIR" "$KID" "$HMAC" web.hook.test
eab up && bgrun run_uacme ua "$UP_DIR" "$KID" "$HMAC" b.hook.test
eab kp && bgrun run_lego knot "$MAIN_URL/kp/directory" "$KID" "$HMAC" x.proxy.test
for n in 1 2 3 4; do
	eab up && bgrun run_lego "p$n" "$UP_DIR" "$KID" "$HMAC" "p$n.hook.test"
done
bg_wait

rc_ok "direct: certbot, dns-01 by the hook (a wildcard and its base), from Pebble" \
    direct-dns "$T/logs/certbot-direct-dns.log"
verifies "$T/certbot-direct-dns/live/direct-dns/fullchain.pem" "$ROOT_A" &&
    [ "$(leaf_names "$T/certbot-direct-dns/live/direct-dns/fullchain.pem")" = "$(names_of '*.direct.test' direct.test)" ] &&
    t_ok "direct: that chain verifies to Pebble's root" || t_not_ok "direct-dns chain"
rc_ok "direct: certbot, http-01 by the hook, from Pebble" direct-http "$T/logs/certbot-direct-http.log"
rc_ok "direct: certbot, dns-01 by the rfc2136 solver and Knot, from the second Pebble" \
    direct-knot "$T/logs/certbot-direct-knot.log"
verifies "$T/certbot-direct-knot/live/direct-knot/fullchain.pem" "$ROOT_B" &&
    t_ok "direct: that chain verifies to the second Pebble's root" || t_not_ok "direct-knot chain"

rc_ok "certbot through acme-fcgi: *.hook.test and a.hook.test" proxy "$T/logs/certbot-proxy.log"
check_cert "certbot" "$T/certbot-proxy/live/proxy/fullchain.pem" "$ROOT_A" up '*.hook.test' a.hook.test
rc_ok "lego through acme-fcgi: web.hook.test (EAB key limited to hookhttp)" web "$T/logs/lego-web.log"
check_cert "lego" "$T/lego-web/certificates/web.hook.test.crt" "$ROOT_A" up web.hook.test
rc_ok "uacme through acme-fcgi: b.hook.test" ua "$T/logs/uacme-ua.log"
check_cert "uacme" "$T/uacme-ua/b.hook.test/cert.pem" "$ROOT_A" up b.hook.test
[ ! -s "$T/logs/client-hook.log" ] && t_ok "no client had a challenge to solve" ||
    t_not_ok "a client hook ran: $(cat "$T/logs/client-hook.log")"
rc_ok "lego through acme-fcgi and the Knot upstream: x.proxy.test" knot "$T/logs/lego-knot.log"
check_cert "lego (rfc2136)" "$T/lego-knot/certificates/x.proxy.test.crt" "$ROOT_B" kp x.proxy.test
[ -z "$(txt "$KP" _acme-challenge.x.proxy.test)" ] &&
    t_ok "knot: _acme-challenge.x.proxy.test is gone (the solver cleaned)" ||
    t_not_ok "knot still has: $(txt "$KP" _acme-challenge.x.proxy.test)"
for n in 1 2 3 4; do
	rc_ok "parallel: lego p$n.hook.test" "p$n" "$T/logs/lego-p$n.log"
	check_cert "parallel p$n" "$T/lego-p$n/certificates/p$n.hook.test.crt" "$ROOT_A" up "p$n.hook.test"
done

# The hook's calls for these orders: a deploy and a clean of each challenge.
# (certbot's direct runs may still have been going: their lines are left out.)
tail -n +"$((HL_MARK + 1))" "$HL" | awk '$3 !~ /direct[.]test$/' > "$T/hook.run"
awk '$1 == "deploy" && $NF == "ok" { print $2, $3, $4 }' "$T/hook.run" | sort -u > "$T/deploys"
awk '$1 == "clean" && $NF == "ok" { print $2, $3, $4 }' "$T/hook.run" | sort -u > "$T/cleans"
missing=
for c in "dns-01 hook.test" "dns-01 a.hook.test" "http-01 web.hook.test" "dns-01 b.hook.test" \
    "dns-01 p1.hook.test" "dns-01 p2.hook.test" "dns-01 p3.hook.test" "dns-01 p4.hook.test"; do
	grep -q "^$c " "$T/deploys" || missing="$missing $c;"
done
[ -z "$missing" ] &&
    t_ok "hook: deployed dns-01 for hook.test (the wildcard), a, b, p1-p4 and http-01 for web.hook.test" ||
    { t_not_ok "hook: no deploy of$missing"; t_diag "$(cat "$T/hook.run")"; }
[ -s "$T/deploys" ] && cmp -s "$T/deploys" "$T/cleans" && ! grep -q -e ' failed$' -e '^refused' "$T/hook.run" &&
    t_ok "hook: each deploy has its clean ($(wc -l < "$T/deploys") challenges), none failed" ||
    { t_not_ok "hook: deploys and cleans differ"; t_diag "$(diff "$T/deploys" "$T/cleans"; cat "$T/hook.run")"; }
left=
for n in hook.test a.hook.test b.hook.test p1.hook.test p4.hook.test; do
	[ -z "$(txt "$CD" "_acme-challenge.$n")" ] || left="$left $n"
done
[ -z "$left" ] && [ -z "$(http01 web.hook.test "$(awk '$2 == "http-01" { print $4; exit }' "$T/hook.run")")" ] &&
    t_ok "challtestsrv holds none of their records any more" || t_not_ok "records left for$left"

# --- acme-fcgi killed (-9) mid-order, started again -------------------------------------
# The A instance stops; B (upstream_timeout = 180) takes its place.
for p in $(procs_with_conf "$CONF_A"); do kill "$p" 2>/dev/null; done
for p in $(procs_with_conf "$CONF_A"); do wait_gone "$p" 100 || kill -9 "$p" 2>/dev/null; done
start_standalone "127.0.0.1:$FP" 2 "$CONF_B" || bail "acme-fcgi with $CONF_B did not start"

account r "$MAIN_URL" up || t_diag "account r: $STATUS $(cat "$T/r.acct" 2>/dev/null)"
new_order r r.slow.test
[ "$STATUS" = 201 ] && [ "$(jq -r .status "$T/r.order")" = ready ] &&
    t_ok "restart: newOrder r.slow.test is ready at once" || t_not_ok "restart: newOrder: $STATUS $(cat "$T/r.order")"
R_LIVE=0
finalize r r.slow.test
processing r && R_LIVE=1
if [ $R_LIVE = 1 ]; then
	# The job deploys, then waits 10 s for propagation: kill it then.
	i=0
	until grep -q '^deploy dns-01 r.slow.test ' "$HL" || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pids=$(procs_with_conf "$CONF_B")
	kill -9 $pids 2>/dev/null
	for p in $pids; do wait_gone "$p" 50; done
	case $(job_of r) in
	running\|*|queued\|*)
		t_ok "restart: every acme-fcgi process killed (-9) while the job ran ($(job_of r), deploy seen: $([ $i -lt 300 ] && echo yes || echo no))" ;;
	*) t_not_ok "restart: the job was not under way when acme-fcgi was killed: $(job_of r)" ;;
	esac
	start_standalone "127.0.0.1:$FP" 2 "$CONF_B" || bail "acme-fcgi did not start again"
else
	t_not_ok "restart: not killed (no order processing)"
fi

# --- the upstream down: a second instance with upstream_timeout = 40 --------------------
# Each relay stops before finalize, so that the job finds it down whatever
# its timing.
start_standalone "127.0.0.1:$FP2" 2 "$CONF_C"
FCGI_ADDR=127.0.0.1:$FP2 start_nginx "$NP2"
wait_url "$C_URL/fl/directory" || bail "the second acme-fcgi did not start"
account d "$C_URL" fl && account b "$C_URL" bo ||
    t_diag "accounts d, b: $STATUS $(cat "$T/d.acct" "$T/b.acct" 2>/dev/null)"
new_order d x.down.hook.test
D_ST=$STATUS
new_order b y.back.hook.test
[ "$D_ST" = 201 ] && [ "$STATUS" = 201 ] && [ "$(jq -r .status "$T/d.order")" = ready ] &&
    [ "$(jq -r .status "$T/b.order")" = ready ] &&
    t_ok "down: newOrder on both endpoints is ready at once (nothing asked upstream yet)" ||
    t_not_ok "down: newOrder: $D_ST $STATUS $(cat "$T/d.order" "$T/b.order")"
stop_relay 1
stop_relay 2
D_LIVE=0 B_LIVE=0
finalize d x.down.hook.test
processing d && D_LIVE=1
finalize b y.back.hook.test
processing b && B_LIVE=1
if [ $B_LIVE = 1 ]; then
	# The relay comes back once the first attempt has failed.
	i=0
	until case $(job_of b) in queued\|[1-9]*) true ;; *) false ;; esac || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	case $(job_of b) in
	queued\|[1-9]*) t_ok "bounce: the first attempt failed, the job waits to retry ($(job_of b))" ;;
	*) t_not_ok "bounce: no failed attempt seen: $(job_of b)" ;;
	esac
else
	t_not_ok "bounce: no order processing"
fi
start_relay 2 "$R2" || bail "relay 2 did not start again"

# Poll the three orders until each is done or out of time (from finalize).
LIMIT_r=150 LIMIT_d=90 LIMIT_b=60
pending=
[ $R_LIVE = 1 ] && pending="$pending r"
[ $D_LIVE = 1 ] && pending="$pending d"
[ $B_LIVE = 1 ] && pending="$pending b"
# took WHO - seconds from finalize to the order's end.
took() { echo $(($(cat "$T/$1.done_at" 2>/dev/null || date +%s) - $(cat "$T/$1.fin_at"))); }
while [ -n "$pending" ]; do
	next=
	for w in $pending; do
		st=$(order_status "$w")
		echo "$st" > "$T/$w.status"
		case $st in
		valid|invalid) date +%s > "$T/$w.done_at" ;;
		*)
			eval "lim=\$LIMIT_$w"
			[ $(($(date +%s) - $(cat "$T/$w.fin_at"))) -lt "$lim" ] && next="$next $w" ;;
		esac
	done
	pending=$next
	[ -z "$pending" ] || sleep 2
done

if [ "$(cat "$T/r.status" 2>/dev/null)" = valid ] && fetch_cert r; then
	t_ok "restart: the order completed after acme-fcgi came back ($(took r) s after finalize)"
else
	t_not_ok "restart: order $(cat "$T/r.status" 2>/dev/null) $(cat "$T/r.order" 2>/dev/null) job $(job_of r)"
fi
check_cert "restart" "$T/r.pem" "$ROOT_A" up r.slow.test
grep -q "its runner [0-9]* is gone; taken back" "$T/logs/acme-fcgi.log" &&
    t_ok "restart: the new runner took the dead runner's job back (not its lease running out)" ||
    t_not_ok "restart: no runner took the job back"
# The first retry comes after 11-15 s, the next 30 s later: two attempts
# fit in 40 s, a third does not.
D_JOB=$(job_of d)
if [ "$(cat "$T/d.status" 2>/dev/null)" = invalid ] && [ "${D_JOB%%|*}" = failed ] &&
    [ "${D_JOB#*|}" -ge 2 ] 2>/dev/null; then
	t_ok "down: the order is invalid after $(took d) s, its job failed after ${D_JOB#*|} attempts"
else
	t_not_ok "down: order $(cat "$T/d.status" 2>/dev/null), job $D_JOB: $(cat "$T/d.order" 2>/dev/null)"
fi
jq -r '.error.type // empty' "$T/d.order" 2>/dev/null | grep -q '^urn:ietf:params:acme:error:' &&
    jq -r '.error.detail // empty' "$T/d.order" 2>/dev/null | grep -qi 'connect' &&
    t_ok "down: its error names the upstream's connection failure: $(jq -r .error.detail "$T/d.order")" ||
    t_not_ok "down: error: $(jq -c .error "$T/d.order" 2>/dev/null)"
if [ "$(cat "$T/b.status" 2>/dev/null)" = valid ] && fetch_cert b; then
	t_ok "bounce: the upstream back within the budget, the order completed ($(took b) s, job $(job_of b))"
else
	t_not_ok "bounce: order $(cat "$T/b.status" 2>/dev/null) $(cat "$T/b.order" 2>/dev/null) job $(job_of b)"
fi
verifies "$T/b.pem" "$ROOT_A" && [ "$(leaf_names "$T/b.pem")" = "y.back.hook.test " ] &&
    t_ok "bounce: its chain verifies to Pebble's root and names y.back.hook.test" ||
    t_not_ok "bounce: chain"

# --- a revocation forwarded upstream ----------------------------------------------------
# r's certificate, revoked through acme-fcgi by r's account: recorded at
# once; a job revokes it at Pebble with acme-fcgi's account there.
awk '/-----BEGIN CERTIFICATE-----/ { i++ } i == 1 { print }
    /-----END CERTIFICATE-----/ && i == 1 { exit }' "$T/r.pem" > "$T/r.leaf.pem" 2>/dev/null
certtool -i --infile "$T/r.leaf.pem" --outder > "$T/r.der" 2>/dev/null
R_SERIAL=$(certtool -i --infile "$T/r.leaf.pem" 2>/dev/null |
    sed -n '/Serial Number (hex):/{s/.*: *//p;q}' | tr -d ':' | tr 'A-F' 'a-f' | sed 's/^0*//')
R_CERT="SELECT c.id FROM certificates c JOIN orders o ON o.id = c.order_id
    WHERE o.uid = '$(sed 's|.*/||' "$T/r.url" 2>/dev/null)'"
RV=$MAIN_URL/up/revoke-cert
STATUS=
[ -s "$T/r.der" ] && spost "$RV" "$(sjws "$RV" r --payload \
    "{\"certificate\":\"$(basenc --base64url < "$T/r.der" | tr -d '=\n')\",\"reason\":4}")" "$T/r.rv"
[ "$STATUS" = 200 ] && [ "$(sqlite3 "$DB" "SELECT status, reason FROM certificates
    WHERE id = ($R_CERT)")" = "revoked|4" ] &&
    t_ok "revoke: r's certificate revoked through acme-fcgi (200), recorded with reason 4" ||
    t_not_ok "revoke: $STATUS $(cat "$T/r.rv" 2>/dev/null)"
rj() {
	sqlite3 -cmd '.timeout 5000' "$DB" "SELECT state FROM jobs
	    WHERE kind = 'upstream_revoke' AND ref_id = ($R_CERT)" 2>/dev/null
}
i=0
until [ "$(rj)" = done ] || [ $i -ge 30 ]; do
	sleep 1
	i=$((i + 1))
done
[ "$(rj)" = done ] && t_ok "revoke: the upstream_revoke job is done (${i} s)" ||
    t_not_ok "revoke: job $(rj): $(sqlite3 "$DB" "SELECT last_error FROM jobs WHERE kind = 'upstream_revoke'")"
curl_ -o "$T/r.status.json" "https://127.0.0.1:$PAM/cert-status-by-serial/$R_SERIAL"
[ -n "$R_SERIAL" ] && [ "$(jq -r '.Status + " " + (.Reason | tostring)' "$T/r.status.json" 2>/dev/null)" = \
    "Revoked 4" ] && t_ok "revoke: Pebble has it revoked, reason 4" ||
    t_not_ok "revoke: Pebble says $(cat "$T/r.status.json" 2>/dev/null)"
t_done
