#!/bin/sh
# rfc2136.sh - scripts/rfc2136-solver, the rfc2136 solver of managed
# challenges, against a real authoritative server: Knot on a loopback port
# with a zone and a TSIG key.  deploy publishes _acme-challenge.DOMAIN TXT
# (dig sees it), clean removes exactly that value, with nsupdate and with
# knsupdate, with and without --zone; the TSIG key reaches the tool on
# standard input only; a wrong key is refused; every invalid value is
# refused before anything is sent, and no value reaches a shell.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need knotd dig nsupdate knsupdate keymgr
e2e_init rfc2136
SOLVER=$top_srcdir/scripts/rfc2136-solver

t_plan 40

# --- the server ----------------------------------------------------------------
PORT=$(freeport)
# Knot, authoritative for example.test; the key in $T/knot.key and, as
# BIND writes it, in $T/bind.key.
start_knot "$PORT" example.test
# The same key as knsupdate -y takes it.
printf 'hmac-sha256:acme-update:%s\n' "$SECRET" > "$T/line.key"
# A key the server does not know (same name, another secret).
printf 'key "acme-update" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
    "$(keymgr -t x hmac-sha256 | sed -n 's/^[[:space:]]*secret:[[:space:]]*//p')" > "$T/wrong.key"
chmod 600 "$T"/*.key

# q NAME [TYPE] - what the server answers, sorted, one record a line.
q() { dig +short +norecurse +time=2 +tries=2 @127.0.0.1 -p "$PORT" "${2:-TXT}" "$1" | sort; }
serial() { q example.test SOA | awk '{ print $3 }'; }
i=0
until [ -n "$(serial)" ] || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
if [ -n "$(serial)" ]; then
	t_ok "knotd answers for example.test on 127.0.0.1 port $PORT"
else
	t_not_ok "knotd did not start"
	t_done
fi

# Digests as the job loop passes them: base64url(SHA-256(key authorization)).
V1=LoqXcYV8q5ONbJQx-mR7SCTNo3tiAXDfowyjxAjEu_0
V2=w-Vy3GuBE8ozyNTr7pGrEArWEvGvnNRNS5rIWW5ciHw
TOKEN=evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA
S() { "$SOLVER" --server 127.0.0.1 --port "$PORT" "$@"; }

# --- check-key -------------------------------------------------------------------
for f in bind knot line; do
	out=$("$SOLVER" check-key "$T/$f.key" 2>&1) && [ "$out" = "hmac-sha256 acme-update" ] &&
	    t_ok "check-key reads the $f format: algorithm and name" || t_not_ok "check-key $f: $out"
done
"$SOLVER" check-key "$T/bind.key" "$T/knot.key" > "$T/out" 2>&1
[ $? = 2 ] && t_ok "check-key takes one file (usage: exit 2)" || t_not_ok "check-key with two files"
printf 'key "a" { algorithm hmac-sha256; secret "YWJj"; };\nkey "b" { algorithm hmac-sha256; secret "YWJj"; };\n' > "$T/two.key"
printf 'key "a" { algorithm hmac-foo; secret "YWJjZA=="; };\n' > "$T/alg.key"
printf 'key "a" { algorithm hmac-sha256; secret "not base64!"; };\n' > "$T/secret.key"
for c in "two:exactly one key" "alg:unknown TSIG algorithm" "secret:no valid base64 secret"; do
	"$SOLVER" check-key "$T/${c%%:*}.key" > "$T/out" 2> "$T/err"
	[ $? = 1 ] && grep -q "${c#*:}" "$T/err" && t_ok "check-key refuses a key file with ${c#*:}" ||
	    t_not_ok "check-key ${c%%:*}: $(cat "$T/err")"
done

# --- deploy and clean, nsupdate ------------------------------------------------
W=_acme-challenge.www.example.test
S --tsig-key "$T/bind.key" --zone example.test --tool nsupdate deploy dns-01 www.example.test "$TOKEN" "$V1" \
    > "$T/out" 2> "$T/err" && [ "$(q $W)" = "\"$V1\"" ] &&
    t_ok "deploy (nsupdate, --zone): dig sees _acme-challenge.www.example.test TXT" ||
    t_not_ok "deploy: $(cat "$T/err") / $(q $W)"
grep -q "deploy $W TXT \"$V1\"" "$T/out" && t_ok "deploy says what it published" || t_not_ok "deploy output: $(cat "$T/out")"
S --tsig-key "$T/bind.key" --zone example.test --tool nsupdate deploy dns-01 WWW.Example.TEST "$TOKEN" "$V2" \
    2> "$T/err" > /dev/null && [ "$(q $W | tr '\n' ' ')" = "$(printf '"%s"\n"%s"\n' "$V1" "$V2" | sort | tr '\n' ' ')" ] &&
    t_ok "a second value is added beside the first (a name and its wildcard), the name in any case" ||
    t_not_ok "second deploy: $(cat "$T/err") / $(q $W)"
S --tsig-key "$T/bind.key" --zone example.test --tool nsupdate clean dns-01 www.example.test "$TOKEN" "$V1" \
    2> "$T/err" > /dev/null && [ "$(q $W)" = "\"$V2\"" ] &&
    t_ok "clean removes its own value only" || t_not_ok "clean V1: $(cat "$T/err") / $(q $W)"
S --tsig-key "$T/bind.key" --zone example.test --tool nsupdate clean dns-01 www.example.test "$TOKEN" "$V2" \
    2> "$T/err" > /dev/null && [ -z "$(q $W)" ] &&
    t_ok "clean of the last value: the name is gone" || t_not_ok "clean V2: $(cat "$T/err") / $(q $W)"
N=_acme-challenge.deep.sub.example.test
S --tsig-key "$T/bind.key" --tool nsupdate deploy dns-01 deep.sub.example.test "$TOKEN" "$V1" \
    2> "$T/err" > /dev/null && [ "$(q $N)" = "\"$V1\"" ] &&
    t_ok "deploy without --zone: nsupdate finds the zone from the server's SOA" ||
    t_not_ok "no zone: $(cat "$T/err") / $(q $N)"
S --tsig-key "$T/bind.key" --tool nsupdate clean dns-01 deep.sub.example.test "$TOKEN" "$V1" \
    2> "$T/err" > /dev/null && [ -z "$(q $N)" ] &&
    t_ok "clean without --zone" || t_not_ok "clean no zone: $(cat "$T/err") / $(q $N)"

# --- deploy and clean, knsupdate, Knot's key file --------------------------------
A=_acme-challenge.api.example.test
S --tsig-key "$T/knot.key" --zone example.test --tool knsupdate deploy dns-01 api.example.test "$TOKEN" "$V2" \
    2> "$T/err" > /dev/null && [ "$(q $A)" = "\"$V2\"" ] &&
    t_ok "deploy (knsupdate, Knot's key file)" || t_not_ok "knsupdate deploy: $(cat "$T/err") / $(q $A)"
S --tsig-key "$T/line.key" --zone example.test --tool knsupdate clean dns-01 api.example.test "$TOKEN" "$V2" \
    2> "$T/err" > /dev/null && [ -z "$(q $A)" ] &&
    t_ok "clean (knsupdate, a one-line key file)" || t_not_ok "knsupdate clean: $(cat "$T/err") / $(q $A)"
S --tsig-key "$T/knot.key" --tool knsupdate --zone example.test --port "$PORT" deploy dns-01 example.test "$TOKEN" "$V1" \
    2> "$T/err" > /dev/null && [ "$(q _acme-challenge.example.test)" = "\"$V1\"" ] &&
    S --tsig-key "$T/knot.key" --zone example.test --tool knsupdate clean dns-01 example.test "$TOKEN" "$V1" \
    2> "$T/err" > /dev/null && [ -z "$(q _acme-challenge.example.test)" ] &&
    t_ok "the zone's own name (the apex of a wildcard)" || t_not_ok "apex: $(cat "$T/err")"

# --- what the tool is given ---------------------------------------------------------
# A stand-in that records its arguments and its input.
mkdir "$T/fake"
cat > "$T/fake/nsupdate" <<'FAKE'
#!/bin/sh
printf '%s\n' "$@" > "$FAKE_DIR/argv"
cat > "$FAKE_DIR/stdin"
FAKE
chmod 755 "$T/fake/nsupdate"
FAKE_DIR=$T/fake PATH=$T/fake:$PATH S --tsig-key "$T/bind.key" --zone example.test --ttl 120 \
    deploy dns-01 www.example.test "$TOKEN" "$V1" > /dev/null 2>&1
if ! grep -q "$SECRET" "$T/fake/argv" && [ "$(cat "$T/fake/stdin")" = "server 127.0.0.1 $PORT
zone example.test.
key hmac-sha256:acme-update $SECRET
update add $W. 120 IN TXT \"$V1\"
send
quit" ]; then
	t_ok "the update, TSIG key included, goes on standard input; no argument holds the secret"
else
	t_not_ok "fake nsupdate got: $(cat "$T/fake/argv") / $(cat "$T/fake/stdin")"
fi

# --- refusals --------------------------------------------------------------------
before=$(serial)
S --tsig-key "$T/wrong.key" --zone example.test --tool nsupdate deploy dns-01 www.example.test "$TOKEN" "$V1" \
    > /dev/null 2> "$T/err"
rc=$?
[ $rc = 1 ] && [ -z "$(q $W)" ] && grep -q "could not deploy" "$T/err" &&
    t_ok "a key the server does not know: exit 1, nothing published" ||
    t_not_ok "wrong key: exit $rc, $(cat "$T/err") / $(q $W)"
S --tsig-key "$T/wrong.key" --zone example.test --tool knsupdate deploy dns-01 www.example.test "$TOKEN" "$V1" \
    > /dev/null 2> "$T/err"
rc=$?
[ $rc = 1 ] && [ -z "$(q $W)" ] &&
    t_ok "a key the server does not know (knsupdate): exit 1" || t_not_ok "wrong key knsupdate: exit $rc, $(cat "$T/err")"

# refused DESC RC PATTERN ARGS... - the solver exits RC saying PATTERN; no
# file appears (no value reached a shell) and the zone did not change.
refused() {
	_d=$1 _rc=$2 _p=$3
	shift 3
	rm -f "$T/pwned"
	_got=0
	(cd "$T" && "$SOLVER" "$@") > "$T/out" 2> "$T/err" || _got=$?
	if [ "$_got" = "$_rc" ] && grep -q -- "$_p" "$T/err" && [ ! -e "$T/pwned" ] &&
	    [ "$(serial)" = "$before" ]; then
		t_ok "$_d: exit $_rc, \"$_p\""
	else
		t_not_ok "$_d: exit $_got, $(cat "$T/err")"
	fi
}
B="--server 127.0.0.1 --port $PORT --tsig-key $T/bind.key --zone example.test"
refused "domain with a semicolon" 1 "invalid domain" $B deploy dns-01 'a;touch pwned' "$TOKEN" "$V1"
refused "domain with \$(...)" 1 "invalid domain" $B deploy dns-01 '$(touch pwned).example.test' "$TOKEN" "$V1"
refused "domain with a newline and an update command" 1 "invalid domain" $B deploy dns-01 \
    "$(printf 'x.example.test\nupdate add evil.example.test. 60 IN A 192.0.2.1')" "$TOKEN" "$V1"
refused "domain with a space" 1 "invalid domain" $B deploy dns-01 'a b.example.test' "$TOKEN" "$V1"
refused "wildcard domain" 1 "without" $B deploy dns-01 '*.example.test' "$TOKEN" "$V1"
refused "label with a leading hyphen" 1 "hyphen" $B deploy dns-01 '-a.example.test' "$TOKEN" "$V1"
refused "TXT with a quote" 1 "not base64url" $B deploy dns-01 www.example.test "$TOKEN" "$V1\" \"x"
refused "TXT in base64 (not base64url)" 1 "not base64url" $B deploy dns-01 www.example.test "$TOKEN" \
    "$(printf '%s' "$V1" | tr -- '-_' '+/')"
refused "TXT of the wrong length" 1 "43 characters" $B deploy dns-01 www.example.test "$TOKEN" abc
refused "token with a backtick" 1 "invalid token" $B deploy dns-01 www.example.test 'a`touch pwned`' "$V1"
refused "name outside the zone" 1 "not in zone" $B deploy dns-01 www.example.org "$TOKEN" "$V1"
refused "http-01" 1 "dns-01 only" $B deploy http-01 www.example.test "$TOKEN" "$V1"
refused "server with a semicolon" 1 "invalid server" --server '127.0.0.1;touch pwned' \
    --tsig-key "$T/bind.key" deploy dns-01 www.example.test "$TOKEN" "$V1"
refused "port 0" 1 "from 1 to 65535" --server 127.0.0.1 --port 0 \
    --tsig-key "$T/bind.key" deploy dns-01 www.example.test "$TOKEN" "$V1"
refused "a missing key file" 1 "does not exist" --server 127.0.0.1 --port "$PORT" \
    --tsig-key "$T/none.key" deploy dns-01 www.example.test "$TOKEN" "$V1"
refused "no --server" 1 "--server HOST is needed" --tsig-key "$T/bind.key" \
    deploy dns-01 www.example.test "$TOKEN" "$V1"
refused "an unknown action" 2 "usage:" $B publish dns-01 www.example.test "$TOKEN" "$V1"
refused "a missing argument" 2 "usage:" $B deploy dns-01 www.example.test "$TOKEN"
[ "$(serial)" = "$before" ] && [ -z "$(q $W)" ] &&
    t_ok "after the refusals the zone is as it was (serial $before)" || t_not_ok "zone changed: $(serial)"
t_done
