#!/bin/sh
# upstream-admin.sh - the administration of managed ACME: scripts/acme-upstream,
# scripts/acme-managed-challenge, acme-template --upstream and acme-eab
# --managed-challenge.  What is made is recorded as given, in normal form;
# the upstream account key is a file of mode 0600 that neither the database
# nor any output holds, and the EAB MAC key of an upstream is never printed
# again; every refusal says why, exits non-zero, leaves the database byte for
# byte as it was, and no name or pattern reaches a shell.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need sqlite3 certtool
e2e_init upstream-admin
acme_setup "https://127.0.0.1:1/acme" >/dev/null
make_tls
UP="$SCRIPTS/acme-upstream --db $DB"
MC="$SCRIPTS/acme-managed-challenge --db $DB"
TPL="$SCRIPTS/acme-template --db $DB"
EAB="$SCRIPTS/acme-eab --db $DB"
q() { sqlite3 "$DB" "$1"; }
mode_of() { stat -c %a "$1"; }
b64url() { head -c "$1" /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
# sq SQL - sqlite3 on the database; 1 if it refuses (its exit code varies).
sq() { sqlite3 "$DB" "$1" || return 1; }

t_plan 145

"$SCRIPTS/acme-ca" --db "$DB" init main > /dev/null 2>&1 &&
    "$SCRIPTS/acme-app" --db "$DB" create app > /dev/null &&
    t_ok "a CA and an application" || t_not_ok "acme-ca init main / acme-app create"

# --- acme-upstream add ------------------------------------------------------------
HMAC=$(b64url 32)
DIR_URL=https://acme.example.net:14000/dir
$UP add le --directory "$DIR_URL" --eab-kid kid-1.a_b --eab-hmac "$HMAC" \
    --ca-bundle "$CA_BUNDLE" --contact ops@example.com --profile shortlived \
    --preferred-chain "ISRG Root X1" > "$T/add.out" 2> "$T/err" &&
    t_ok "add with every option" || t_not_ok "add le: $(cat "$T/err")"
[ "$(q "SELECT directory, eab_kid, eab_hmac, ca_bundle, contact, profile, preferred_chain,
    key_type, account_key, account_url IS NULL, status, removed IS NULL FROM upstreams WHERE name = 'le'")" = \
    "$DIR_URL|kid-1.a_b|$HMAC|$CA_BUNDLE|mailto:ops@example.com|shortlived|ISRG Root X1|ec256|$T/db/upstreams/le/account.key|1|active|1" ] &&
    t_ok "recorded: directory, EAB, bundle, mailto: contact, profile, chain, ec256, key file; not registered" ||
    t_not_ok "row: $(q "SELECT * FROM upstreams WHERE name = 'le'")"
KEY=$T/db/upstreams/le/account.key
[ -f "$KEY" ] && [ "$(mode_of "$KEY")" = 600 ] && [ "$(mode_of "$T/db/upstreams/le")" = 700 ] &&
    [ "$(mode_of "$T/db/upstreams")" = 700 ] &&
    t_ok "the account key is a file of mode 0600 in directories of mode 0700 next to the database" ||
    t_not_ok "key modes: $(ls -la "$T/db/upstreams" "$T/db/upstreams/le" 2>&1)"
certtool -k --infile "$KEY" 2>/dev/null | grep -q "EC/ECDSA" && head -n 1 "$KEY" | grep -q "BEGIN PRIVATE KEY" &&
    t_ok "it is a P-256 key in PKCS#8 PEM" || t_not_ok "key: $(head -n 1 "$KEY")"
KEYLINE=$(sed -n 2p "$KEY")
sqlite3 "$DB" .dump > "$T/dump"
! grep -qF "$KEYLINE" "$T/dump" && ! grep -q "PRIVATE KEY" "$T/dump" &&
    t_ok "the database holds the key's file name, not the key" || t_not_ok "key material in the database"
! grep -qF "$KEYLINE" "$T/add.out" && ! grep -qF "$HMAC" "$T/add.out" &&
    grep -q "account key: $KEY (ec256, mode 0600)" "$T/add.out" &&
    t_ok "add prints where the key is, never the key nor the MAC key" || t_not_ok "add output: $(cat "$T/add.out")"
$UP list > "$T/list" 2>&1 && grep -q "^le  *active  *$DIR_URL  *kid-1.a_b  *ec256  *no  *0 " "$T/list" &&
    t_ok "list: name, status, directory, EAB key ID, key type, not registered, no template" ||
    t_not_ok "list: $(cat "$T/list")"
$UP show le > "$T/show" 2>&1 && grep -qx " *account_url = not registered yet" "$T/show" &&
    grep -qx " *eab_hmac = set (not shown)" "$T/show" && grep -qx " *account_key = $KEY" "$T/show" &&
    grep -qx " *contact = mailto:ops@example.com" "$T/show" &&
    t_ok "show: not registered yet, the MAC key set but not shown, the key's file name" ||
    t_not_ok "show: $(cat "$T/show")"
! grep -qF "$HMAC" "$T/list" "$T/show" && ! grep -qF "$KEYLINE" "$T/list" "$T/show" &&
    t_ok "neither list nor show prints the MAC key or the account key" || t_not_ok "secret printed"
# An account key others may read: acme-fcgi --check names it and fails.
chmod o+r "$KEY"
RC=0
"$ACME_FCGI" -c "$CONF" --check > "$T/check" 2>&1 || RC=$?
[ "$RC" = 1 ] && grep -q "upstream le: unsafe key file: $KEY" "$T/check" &&
    ! grep -qF "$KEYLINE" "$T/check" &&
    t_ok "--check: an account key others may read fails it, named, never printed" ||
    t_not_ok "--check with o+r: exit $RC: $(cat "$T/check")"
chmod o-rwx "$KEY"
"$ACME_FCGI" -c "$CONF" --check > "$T/check" 2>&1 &&
    t_ok "--check passes again after chmod o-rwx" || t_not_ok "--check after chmod: $(cat "$T/check")"

$UP add bare --directory https://acme.example.org/directory > /dev/null 2> "$T/err" &&
    [ "$(q "SELECT eab_kid IS NULL AND eab_hmac IS NULL AND ca_bundle IS NULL AND contact IS NULL
        AND profile IS NULL AND preferred_chain IS NULL, key_type FROM upstreams WHERE name = 'bare'")" = "1|ec256" ] &&
    t_ok "only --directory: no EAB, the system's trust anchors, ec256" || t_not_ok "bare: $(cat "$T/err")"
$UP show bare > "$T/show" && grep -qx " *eab_hmac = none" "$T/show" && grep -qx " *ca_bundle = the system's" "$T/show" &&
    t_ok "show says none and the system's" || t_not_ok "show bare: $(cat "$T/show")"
$UP add rsa --directory https://[2001:db8::1]:8443/acme/dir --key rsa2048 > /dev/null 2> "$T/err" &&
    [ "$(q "SELECT key_type FROM upstreams WHERE name = 'rsa'")" = rsa2048 ] &&
    certtool -k --infile "$T/db/upstreams/rsa/account.key" 2>/dev/null | grep -q "RSA" &&
    t_ok "--key rsa2048 makes an RSA key; an IPv6 literal with a port in the URL" || t_not_ok "rsa: $(cat "$T/err")"
HMAC2=$(b64url 32)=
printf '%s\n' "$HMAC2" | $UP add stdin --directory https://ca.example/dir --eab-kid k2 --eab-hmac - \
    > "$T/out" 2> "$T/err" && [ "$(q "SELECT eab_hmac FROM upstreams WHERE name = 'stdin'")" = "$HMAC2" ] &&
    ! grep -qF "$HMAC2" "$T/out" &&
    t_ok "--eab-hmac - reads the MAC key from standard input (padding allowed)" || t_not_ok "stdin: $(cat "$T/err")"
cp "$CA_BUNDLE" "$T/bundle.pem"
(cd "$T" && $UP add rel --directory https://ca.example/dir --ca-bundle bundle.pem > /dev/null 2> "$T/err") &&
    [ "$(q "SELECT ca_bundle FROM upstreams WHERE name = 'rel'")" = "$T/bundle.pem" ] &&
    t_ok "a relative --ca-bundle is recorded by its absolute name" || t_not_ok "rel: $(cat "$T/err")"

# refused_up DESC PATTERN ARGS... - acme-upstream add x refused, no key made.
refused_up() {
	_d=$1 _p=$2
	shift 2
	cmd_refused "$_d" 1 "$_p" $UP add x "$@"
	[ ! -e "$T/db/upstreams/x" ] || t_not_ok "$_d: a key directory was left behind"
}
refused_up "no --directory" "needs --directory"
refused_up "http:// directory" "not an https:// URL" --directory http://acme.example.net/dir
refused_up "directory that is not a URL" "not an https:// URL" --directory acme.example.net
refused_up "directory with a space" "characters a URL cannot have" --directory "https://acme.example.net/a b"
refused_up "directory with a quote" "characters a URL cannot have" --directory 'https://acme.example.net/"x'
refused_up "directory without a host" "has no host" --directory https:///dir
refused_up "directory with a user and password" "no user name" --directory https://u:p@acme.example.net/dir
refused_up "directory with port 99999" "invalid port" --directory https://acme.example.net:99999/dir
refused_up "directory with a bad host" "invalid host" --directory https://-a.example.net/dir
refused_up "--eab-kid without --eab-hmac" "go together" --directory "$DIR_URL" --eab-kid k
refused_up "--eab-hmac without --eab-kid" "go together" --directory "$DIR_URL" --eab-hmac "$HMAC"
refused_up "MAC key of 12 bytes" "shorter than 16 bytes" --directory "$DIR_URL" --eab-kid k --eab-hmac "$(b64url 12)"
refused_up "MAC key in base64 with + and /" "not base64url" --directory "$DIR_URL" --eab-kid k \
    --eab-hmac "ab+/cdefghijklmnopqrstuvwxyz0123"
refused_up "MAC key of an impossible length" "a length no encoding has" --directory "$DIR_URL" --eab-kid k \
    --eab-hmac "$(b64url 30)x"
refused_up "EAB key ID with a space" "--eab-kid" --directory "$DIR_URL" --eab-kid "a b" --eab-hmac "$HMAC"
refused_up "a CA bundle that does not exist" "does not exist" --directory "$DIR_URL" --ca-bundle "$T/none.pem"
printf 'not a certificate\n' > "$T/text.pem"
refused_up "a CA bundle that is not PEM" "not a PEM bundle" --directory "$DIR_URL" --ca-bundle "$T/text.pem"
cat "$CA_BUNDLE" "$T/tls/ca.key" > "$T/withkey.pem"
refused_up "a CA bundle with a private key" "private key" --directory "$DIR_URL" --ca-bundle "$T/withkey.pem"
refused_up "contact that is not an address" "--contact" --directory "$DIR_URL" --contact nobody
refused_up "contact with hfields" "hfields" --directory "$DIR_URL" --contact 'a@example.com?cc=b@example.com'
refused_up "profile with a space" "--profile" --directory "$DIR_URL" --profile "a b"
refused_up "preferred chain with a control character" "control characters" --directory "$DIR_URL" \
    --preferred-chain "$(printf 'a\tb')"
refused_up "key type ed25519" "--key" --directory "$DIR_URL" --key ed25519
cmd_refused "upstream that exists" 1 "already exists" $UP add le --directory "$DIR_URL"
cmd_refused "upstream name in capitals" 1 "invalid upstream name" $UP add LE --directory "$DIR_URL"
cmd_refused "upstream name with shell metacharacters" 1 "invalid upstream name" \
    $UP add 'x;touch pwned' --directory "$DIR_URL"
cmd_refused "show of an unknown upstream" 1 "no upstream nope" $UP show nope
cmd_refused "unknown option" 2 "unknown option" $UP add x --directory "$DIR_URL" --colour red
cmd_refused "list with an argument" 2 "usage:" $UP list le
cmd_refused "--purge with add" 2 "usage:" $UP add x --directory "$DIR_URL" --purge
[ "$(ls "$T/db/upstreams" | tr '\n' ' ')" = "bare le rel rsa stdin " ] && [ ! -e pwned ] && [ ! -e "$T/pwned" ] &&
    t_ok "refusals left no key directory and ran nothing" || t_not_ok "upstreams/: $(ls "$T/db/upstreams")"

# --- templates issuing from an upstream ------------------------------------------
$TPL create managed --upstream le --allow '*.Example.COM' example.com --allow-wildcard > "$T/out" 2> "$T/err" &&
    grep -q "template managed created (issued by upstream le)" "$T/out" &&
    t_ok "acme-template create --upstream" || t_not_ok "template: $(cat "$T/err")"
[ "$(q "SELECT t.ca_id IS NULL, u.name, t.allow_wildcard, t.key_types, t.validity_days IS NULL,
    t.max_validity_days IS NULL, t.eku IS NULL FROM templates t JOIN upstreams u ON u.id = t.upstream_id
    WHERE t.name = 'managed'")" = "1|le|1|ec256,ec384,rsa2048,rsa3072,rsa4096|1|1|1" ] &&
    t_ok "recorded: the upstream and no CA, no validity nor EKU, the key types public CAs take" ||
    t_not_ok "row: $(q "SELECT * FROM templates WHERE name = 'managed'")"
[ "$(q "SELECT rule FROM template_rules r JOIN templates t ON t.id = r.template_id
    WHERE t.name = 'managed' ORDER BY rule" | tr '\n' ' ')" = "*.example.com example.com " ] &&
    t_ok "its rules in normal form" || t_not_ok "rules"
$TPL create local --ca main --allow host.example.net > /dev/null &&
    $TPL create up2 --upstream bare --allow a.example.org --key-types ec256 > /dev/null &&
    [ "$(q "SELECT key_types FROM templates WHERE name = 'up2'")" = ec256 ] &&
    t_ok "a CA template beside it; --key-types with --upstream" || t_not_ok "local / up2"
$TPL list > "$T/out" && grep -q "^managed  *le  *2  *yes  *0 *$" "$T/out" &&
    grep -q "^local  *main  *1  *no  *90  *serverAuth  *0 *$" "$T/out" &&
    t_ok "list: an upstream template has an upstream and no CA, days nor EKU" || t_not_ok "list: $(cat "$T/out")"
$TPL show managed > "$T/out" && grep -qx " *mode = upstream" "$T/out" && grep -qx " *upstream = le" "$T/out" &&
    grep -qx " *validity_days = set by the upstream" "$T/out" &&
    $TPL show local > "$T/out2" && grep -qx " *mode = ca" "$T/out2" && grep -qx " *ca = main" "$T/out2" &&
    t_ok "show: the mode, ca or upstream" || t_not_ok "show: $(cat "$T/out" "$T/out2")"
$UP show le > "$T/out" && grep -qx " *templates = managed" "$T/out" &&
    t_ok "acme-upstream show names the templates that use it" || t_not_ok "show le: $(cat "$T/out")"
cmd_refused "unknown upstream in a template" 1 "no upstream nope" $TPL create t1 --upstream nope --allow a.example
cmd_refused "--ca with --upstream" 1 "exclude each other" $TPL create t1 --ca main --upstream le --allow a.example
cmd_refused "--validity-days with --upstream" 1 "does not apply to an upstream template" \
    $TPL create t1 --upstream le --allow a.example --validity-days 30
cmd_refused "--max-validity-days with --upstream" 1 "does not apply" \
    $TPL create t1 --upstream le --allow a.example --max-validity-days 30
cmd_refused "--eku with --upstream" 1 "does not apply" $TPL create t1 --upstream le --allow a.example --eku clientAuth
cmd_refused "--allow-ip with --upstream" 1 "names only" $TPL create t1 --upstream le --allow-ip 192.0.2.0/24
cmd_refused "invalid upstream name in a template" 1 "invalid upstream name" \
    $TPL create t1 --upstream 'le;touch pwned' --allow a.example
cmd_refused "pattern with shell metacharacters" 1 "invalid name rule" \
    $TPL create t1 --upstream le --allow '$(touch pwned).example.com'
cmd_refused "template without an issuer" 1 "needs --ca CA (a local CA) or --upstream" $TPL create t1 --allow a.example
cmd_refused "the schema: a template with both a CA and an upstream" 1 "CHECK constraint failed" \
    sq "INSERT INTO templates (name, ca_id, upstream_id, key_types, validity_days,
        max_validity_days, eku, created) VALUES ('both', 1, 1, 'ec256', 1, 1, 'serverAuth', 1)"
cmd_refused "the schema: an upstream template with a validity" 1 "CHECK constraint failed" \
    sq "INSERT INTO templates (name, upstream_id, key_types, validity_days, created)
        VALUES ('v', 1, 'ec256', 30, 1)"
cmd_refused "the schema: a template with no issuer" 1 "CHECK constraint failed" \
    sq "INSERT INTO templates (name, key_types, created) VALUES ('none', 'ec256', 1)"

# --- acme-managed-challenge ----------------------------------------------------------
mkdir -m 755 "$T/hooks" "$T/www"
printf '#!/bin/sh\nexit 0\n' > "$T/hooks/dns-hook"
chmod 755 "$T/hooks/dns-hook"
cp "$T/hooks/dns-hook" "$T/hooks/noexec" && chmod 644 "$T/hooks/noexec"
cp "$T/hooks/dns-hook" "$T/hooks/open" && chmod 757 "$T/hooks/open"
mkdir -m 777 "$T/open-dir" && cp "$T/hooks/dns-hook" "$T/open-dir/hook"
SECRET=$(head -c 32 /dev/urandom | base64)
printf 'key "acme-update" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$SECRET" > "$T/tsig.key"
printf 'key:\n  - id: knot-key\n    algorithm: hmac-sha512\n    secret: %s\n' "$SECRET" > "$T/knot.key"
printf 'key "acme-update" { algorithm hmac-sha256; secret "%s"; };\n' "$SECRET" > "$T/public.key"
printf 'this is not a key\n' > "$T/junk.key"
chmod 600 "$T/tsig.key" "$T/knot.key" "$T/junk.key"
chmod 644 "$T/public.key"

$MC add dns-hook --match '*.Example.COM' example.com --type dns-01 --solver hook --hook "$T/hooks/dns-hook" \
    --propagation-wait 30 --propagation-check > "$T/out" 2> "$T/err" &&
    [ "$(q "SELECT type, solver, hook, server IS NULL AND port IS NULL AND tsig_key IS NULL AND zone IS NULL
        AND webroot IS NULL, propagation_wait, propagation_check, status FROM managed_challenges WHERE name = 'dns-hook'")" = \
    "dns-01|hook|$T/hooks/dns-hook|1|30|1|active" ] &&
    t_ok "add a dns-01 hook with a propagation wait and check" || t_not_ok "dns-hook: $(cat "$T/err")"
[ "$(q "SELECT rule FROM managed_challenge_rules r JOIN managed_challenges m ON m.id = r.managed_challenge_id
    WHERE m.name = 'dns-hook' ORDER BY rule" | tr '\n' ' ')" = "*.example.com example.com " ] &&
    t_ok "its patterns in the normal form acme-check prints" || t_not_ok "mc rules"
$MC add rfc --match '*.Example.NET' --type dns-01 --solver rfc2136 --server NS1.example.net:5353 \
    --tsig-key "$T/tsig.key" --zone Example.NET. > "$T/out" 2> "$T/err" &&
    [ "$(q "SELECT solver, server, port, tsig_key, zone, hook IS NULL AND webroot IS NULL, propagation_wait,
        propagation_check FROM managed_challenges WHERE name = 'rfc'")" = \
    "rfc2136|ns1.example.net|5353|$T/tsig.key|example.net|1|0|0" ] &&
    grep -q "dns-01 by RFC 2136 updates to ns1.example.net port 5353, zone example.net" "$T/out" &&
    t_ok "add an rfc2136 challenge: server and port apart, zone in normal form" || t_not_ok "rfc: $(cat "$T/err")"
(cd "$T" && $MC add rfc6 --match host.example.org --type dns-01 --solver rfc2136 --server '[2001:db8::53]:53' \
    --tsig-key knot.key > /dev/null 2> "$T/err") &&
    $MC add rfc4 --match host4.example.org --type dns-01 --solver rfc2136 --server 192.0.2.53 \
    --tsig-key "$T/tsig.key" > /dev/null 2>> "$T/err" &&
    [ "$(q "SELECT name, server, port, tsig_key, zone IS NULL FROM managed_challenges
        WHERE name IN ('rfc6', 'rfc4') ORDER BY name" | tr '\n' ' ')" = \
    "rfc4|192.0.2.53|53|$T/tsig.key|1 rfc6|2001:db8::53|53|$T/knot.key|1 " ] &&
    t_ok "an IPv6 server in brackets, an IPv4 one with the default port 53, Knot's key format, a relative key file" ||
    t_not_ok "rfc6/rfc4: $(cat "$T/err")"
(cd "$T" && $MC add web --match www.example.org --type http-01 --solver webroot --webroot www \
    > /dev/null 2> "$T/err") &&
    [ "$(q "SELECT type, solver, webroot FROM managed_challenges WHERE name = 'web'")" = "http-01|webroot|$T/www" ] &&
    t_ok "add an http-01 webroot, recorded by its absolute name" || t_not_ok "web: $(cat "$T/err")"
$MC add web-hook --match '*.example.org' --type http-01 --solver hook --hook "$T/hooks/dns-hook" > /dev/null 2> "$T/err" &&
    t_ok "add an http-01 hook" || t_not_ok "web-hook: $(cat "$T/err")"
$MC list > "$T/out" && grep -q "^rfc  *active  *dns-01  *rfc2136  *ns1.example.net:5353  *\*.example.net  *0 *$" "$T/out" &&
    grep -q "^rfc6  *active  *dns-01  *rfc2136  *\[2001:db8::53\]:53 " "$T/out" &&
    grep -q "^dns-hook  *active  *dns-01  *hook  *$T/hooks/dns-hook  *\*.example.com,example.com  *0 *$" "$T/out" &&
    t_ok "list: name, status, type, solver, target, patterns, EAB keys" || t_not_ok "list: $(cat "$T/out")"
$MC show rfc > "$T/out" && grep -qx " *tsig_key = $T/tsig.key" "$T/out" && grep -qx " *port = 5353" "$T/out" &&
    grep -qx " *match = \*.example.net" "$T/out" && ! grep -qF "$SECRET" "$T/out" &&
    t_ok "show: the settings and the key's file name, never its secret" || t_not_ok "show: $(cat "$T/out")"

# refused_mc DESC PATTERN ARGS... - acme-managed-challenge add x refused.
refused_mc() {
	_d=$1 _p=$2
	shift 2
	cmd_refused "$_d" 1 "$_p" $MC add x "$@"
}
H="--type dns-01 --solver hook"
refused_mc "no --match" "needs --match" $H --hook "$T/hooks/dns-hook"
cmd_refused "--match without a pattern" 2 "at least one pattern" $MC add x $H --hook "$T/hooks/dns-hook" --match
refused_mc "no --type" "needs --type" --match a.example --solver hook --hook "$T/hooks/dns-hook"
refused_mc "--type tls-alpn-01" "use dns-01 or http-01" --match a.example --type tls-alpn-01 --solver hook --hook "$T/hooks/dns-hook"
refused_mc "no --solver" "needs --solver" --match a.example --type dns-01
refused_mc "--solver script" "use rfc2136, hook or webroot" --match a.example --type dns-01 --solver script
refused_mc "hook that is not executable" "not executable" --match a.example $H --hook "$T/hooks/noexec"
refused_mc "hook given by a relative name" "not an absolute" --match a.example $H --hook hooks/dns-hook
refused_mc "hook that does not exist" "does not exist" --match a.example $H --hook "$T/hooks/none"
refused_mc "hook writable by others" "writable by others" --match a.example $H --hook "$T/hooks/open"
refused_mc "hook in a directory writable by others" "writable by others" --match a.example $H --hook "$T/open-dir/hook"
refused_mc "--solver hook without --hook" "needs --hook" --match a.example $H
refused_mc "webroot with dns-01" "webroot answers http-01 only" --match a.example --type dns-01 \
    --solver webroot --webroot "$T/www"
refused_mc "rfc2136 with http-01" "dns-01 only" --match a.example --type http-01 --solver rfc2136 \
    --server 192.0.2.53 --tsig-key "$T/tsig.key"
refused_mc "--webroot with --solver hook" "does not go with --solver hook" --match a.example \
    --type http-01 --solver hook --hook "$T/hooks/dns-hook" --webroot "$T/www"
refused_mc "--zone with --solver hook" "does not go with" --match a.example $H --hook "$T/hooks/dns-hook" --zone example
refused_mc "webroot that is not a directory" "not a directory" --match a.example --type http-01 \
    --solver webroot --webroot "$T/hooks/dns-hook"
R="--type dns-01 --solver rfc2136"
refused_mc "rfc2136 without --server" "needs --server" --match a.example $R --tsig-key "$T/tsig.key"
refused_mc "rfc2136 without --tsig-key" "needs --tsig-key" --match a.example $R --server 192.0.2.53
refused_mc "server port 0" "port must be a number from 1 to 65535" --match a.example $R --server ns.example:0 \
    --tsig-key "$T/tsig.key"
refused_mc "server with a semicolon" "invalid --server" --match a.example $R --server 'ns;touch pwned' \
    --tsig-key "$T/tsig.key"
refused_mc "server address 192.0.2.300" "invalid --server address" --match a.example $R --server 192.0.2.300 \
    --tsig-key "$T/tsig.key"
refused_mc "TSIG key file that does not exist" "does not exist" --match a.example $R --server 192.0.2.53 \
    --tsig-key "$T/none.key"
refused_mc "TSIG key file readable by others" "readable by others" --match a.example $R --server 192.0.2.53 \
    --tsig-key "$T/public.key"
refused_mc "TSIG key file that is not one" "not a TSIG key file" --match a.example $R --server 192.0.2.53 \
    --tsig-key "$T/junk.key"
refused_mc "pattern outside the zone" "not in --zone example.net" --match a.example.org $R --server 192.0.2.53 \
    --tsig-key "$T/tsig.key" --zone example.net
refused_mc "--propagation-wait with http-01" "are for dns-01" --match a.example --type http-01 \
    --solver webroot --webroot "$T/www" --propagation-wait 10
refused_mc "--propagation-wait of a day" "from 0 to 3600" --match a.example $H --hook "$T/hooks/dns-hook" \
    --propagation-wait 86400
refused_mc "pattern with an empty label" "empty label" --match ok.example 'a..example' $H --hook "$T/hooks/dns-hook"
refused_mc "pattern with \$(...)" "invalid name rule" --match '$(touch pwned).example.com' $H --hook "$T/hooks/dns-hook"
refused_mc "pattern with a semicolon" "invalid name rule" --match 'a;touch pwned' $H --hook "$T/hooks/dns-hook"
refused_mc "pattern with a backtick" "invalid name rule" --match 'a`touch pwned`.example' $H --hook "$T/hooks/dns-hook"
cmd_refused "managed challenge name with shell metacharacters" 1 "invalid managed challenge name" \
    $MC add 'x$(touch pwned)' --match a.example $H --hook "$T/hooks/dns-hook"
cmd_refused "managed challenge that exists" 1 "already exists" $MC add rfc --match a.example $H --hook "$T/hooks/dns-hook"
cmd_refused "show of an unknown managed challenge" 1 "no managed challenge nope" $MC show nope
cmd_refused "--force with add" 2 "usage:" $MC add x --match a.example $H --hook "$T/hooks/dns-hook" --force
mkdir "$T/glob" && touch "$T/glob/a.example.org"
(cd "$T/glob" && $MC add globbed --match '*.example.org' $H --hook "$T/hooks/dns-hook" > /dev/null) &&
    [ "$(q "SELECT rule FROM managed_challenge_rules r JOIN managed_challenges m ON m.id = r.managed_challenge_id
        WHERE m.name = 'globbed'")" = "*.example.org" ] && [ ! -e pwned ] && [ ! -e "$T/pwned" ] &&
    [ ! -e "$T/glob/pwned" ] &&
    t_ok "patterns are not expanded as file names, and nothing ran" || t_not_ok "globbed"

# --- EAB keys limited to managed challenges ----------------------------------------
"$SCRIPTS/acme-endpoint" --db "$DB" create managed --application app --template managed > /dev/null &&
    "$SCRIPTS/acme-endpoint" --db "$DB" create local --application app --template local > /dev/null &&
    "$SCRIPTS/acme-endpoint" --db "$DB" create unbound > /dev/null &&
    t_ok "endpoints: one upstream, one CA, one unbound" || t_not_ok "endpoints"
$EAB create --endpoint managed --managed-challenge rfc dns-hook rfc --note limited > "$T/out" 2> "$T/err" &&
    [ "$(wc -l < "$T/out")" = 2 ] && KID=$(sed -n 's/^kid=//p' "$T/out") && [ -n "$KID" ] &&
    [ "$(q "SELECT m.name FROM eab_key_challenges x JOIN eab_keys k ON k.id = x.eab_key_id
        JOIN managed_challenges m ON m.id = x.managed_challenge_id WHERE k.kid = '$KID' ORDER BY m.name" | tr '\n' ' ')" = \
    "dns-hook rfc " ] &&
    t_ok "acme-eab create --managed-challenge records each once; prints kid and hmac only" ||
    t_not_ok "eab: $(cat "$T/out" "$T/err")"
$EAB show "$KID" > "$T/out" && grep -qx " *managed_challenges = dns-hook rfc" "$T/out" &&
    t_ok "acme-eab show lists them" || t_not_ok "show: $(cat "$T/out")"
$EAB create --endpoint managed > "$T/out" && KID_ALL=$(sed -n 's/^kid=//p' "$T/out") &&
    $EAB show "$KID_ALL" > "$T/out" && grep -qx " *managed_challenges = all" "$T/out" &&
    t_ok "a key without --managed-challenge may use all" || t_not_ok "all: $(cat "$T/out")"
$EAB create --endpoint unbound --managed-challenge=web > /dev/null 2> "$T/err" &&
    t_ok "--managed-challenge=NAME, on an endpoint not bound yet" || t_not_ok "unbound: $(cat "$T/err")"
$MC list > "$T/out" && grep -q "^rfc  *active .* 1 *$" "$T/out" && $MC show rfc > "$T/out" &&
    grep -qx " *eab_keys = $KID" "$T/out" &&
    t_ok "acme-managed-challenge list and show count and name the keys" || t_not_ok "mc keys: $(cat "$T/out")"
cmd_refused "unknown managed challenge in acme-eab" 1 "no managed challenge nope" \
    $EAB create --endpoint managed --managed-challenge rfc nope
cmd_refused "managed challenge for an endpoint of a CA" 1 "issues from CA main" \
    $EAB create --endpoint local --managed-challenge rfc
cmd_refused "managed challenge name with shell metacharacters in acme-eab" 1 "invalid managed challenge name" \
    $EAB create --endpoint managed --managed-challenge 'rfc;touch pwned'
cmd_refused "--managed-challenge without a name" 2 "at least one name" $EAB create --endpoint managed --managed-challenge
cmd_refused "--managed-challenge with list" 2 "usage:" $EAB list --managed-challenge rfc

# --- removal -----------------------------------------------------------------------
cmd_refused "removing an upstream a template uses" 1 "used by template(s) managed" $UP remove le
cmd_refused "the schema: an upstream a template uses cannot be removed" 1 "upstream is used by a template" \
    sq "UPDATE upstreams SET status = 'removed', removed = 1 WHERE name = 'le'"
$UP remove stdin > "$T/out" 2> "$T/err" &&
    [ "$(q "SELECT status, removed IS NOT NULL FROM upstreams WHERE name = 'stdin'")" = "removed|1" ] &&
    [ -f "$T/db/upstreams/stdin/account.key" ] && grep -q "stays in $T/db/upstreams/stdin/account.key" "$T/out" &&
    t_ok "remove marks it removed and keeps its key file" || t_not_ok "remove: $(cat "$T/out" "$T/err")"
$UP list > "$T/out" && grep -q "^stdin  *removed " "$T/out" && t_ok "list shows it removed" ||
    t_not_ok "list: $(cat "$T/out")"
cmd_refused "removing it again" 1 "already removed" $UP remove stdin
cmd_refused "a template with a removed upstream" 1 "upstream stdin was removed" \
    $TPL create t1 --upstream stdin --allow a.example
cmd_refused "adding a removed name again" 1 "already exists (removed)" $UP add stdin --directory "$DIR_URL"
cmd_refused "the schema: removal is permanent" 1 "upstream removal is permanent" \
    sq "UPDATE upstreams SET status = 'active', removed = NULL WHERE name = 'stdin'"
cmd_refused "the schema: a template with a removed upstream" 1 "upstream is removed" \
    sq "INSERT INTO templates (name, upstream_id, key_types, created)
        VALUES ('t2', (SELECT id FROM upstreams WHERE name = 'stdin'), 'ec256', 1)"
$UP remove stdin --purge > "$T/out" 2> "$T/err" && [ ! -e "$T/db/upstreams/stdin" ] &&
    t_ok "remove --purge of a removed upstream deletes its key and directory" || t_not_ok "purge: $(cat "$T/err")"
$UP remove rsa --purge > /dev/null 2> "$T/err" && [ ! -e "$T/db/upstreams/rsa" ] &&
    [ "$(q "SELECT status FROM upstreams WHERE name = 'rsa'")" = removed ] &&
    t_ok "remove --purge of an active upstream" || t_not_ok "purge rsa: $(cat "$T/err")"
cmd_refused "removing an unknown upstream" 1 "no upstream nope" $UP remove nope

cmd_refused "removing a managed challenge an EAB key lists" 1 "listed by 1 active EAB key" $MC remove rfc
$MC remove rfc --force > "$T/out" 2> "$T/err" && grep -q "1 EAB key(s) can no longer use it" "$T/out" &&
    [ "$(q "SELECT status, removed IS NOT NULL FROM managed_challenges WHERE name = 'rfc'")" = "removed|1" ] &&
    [ "$(q "SELECT count(*) FROM eab_key_challenges x JOIN managed_challenges m ON m.id = x.managed_challenge_id
        WHERE m.name = 'rfc'")" = 1 ] &&
    t_ok "--force removes it; the key's list keeps it, so the key does not fall back to all" ||
    t_not_ok "force: $(cat "$T/out" "$T/err")"
$EAB show "$KID" > "$T/out" && grep -qx " *managed_challenges = dns-hook rfc (removed)" "$T/out" &&
    t_ok "acme-eab show marks it removed" || t_not_ok "show: $(cat "$T/out")"
$MC remove web-hook > /dev/null 2> "$T/err" && t_ok "removing one no key lists" || t_not_ok "remove web-hook: $(cat "$T/err")"
cmd_refused "removing it again" 1 "already removed" $MC remove rfc
cmd_refused "a removed managed challenge in acme-eab" 1 "managed challenge rfc was removed" \
    $EAB create --endpoint managed --managed-challenge rfc
cmd_refused "the schema: a key cannot list a removed managed challenge" 1 "managed challenge is removed" \
    sq "INSERT INTO eab_key_challenges VALUES ((SELECT id FROM eab_keys WHERE kid = '$KID_ALL'),
        (SELECT id FROM managed_challenges WHERE name = 'rfc'))"
cmd_refused "the schema: managed challenge removal is permanent" 1 "removal is permanent" \
    sq "UPDATE managed_challenges SET status = 'active', removed = NULL WHERE name = 'rfc'"
cmd_refused "removing an unknown managed challenge" 1 "no managed challenge nope" $MC remove nope

# --- nothing printed it --------------------------------------------------------------
$UP list > "$T/o1"; $UP show le > "$T/o2"; $MC list > "$T/o3"; $MC show rfc > "$T/o4"
$TPL show managed > "$T/o5"; $EAB show "$KID" > "$T/o6"
! grep -qF -e "$HMAC" -e "$HMAC2" -e "$KEYLINE" -e "$SECRET" "$T"/o[1-6] && [ ! -e pwned ] && [ ! -e "$T/pwned" ] &&
    t_ok "at the end: no list or show printed a MAC key, an account key or a TSIG secret" ||
    t_not_ok "a secret was printed"
t_done
