#!/bin/sh
# cert-admin.sh - scripts/acme-cert, the certificate inventory: list with
# each filter alone and combined, show by any spelling of a serial with the
# PEM and its chain; every refusal says why, exits non-zero and leaves the
# database as it was, and nothing the script does changes it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need sqlite3 certtool
e2e_init cert-admin
acme_setup "https://127.0.0.1:1/acme" >/dev/null
CERT="$SCRIPTS/acme-cert --db $DB"
q() { sqlite3 "$DB" "$1"; }
utc() { sqlite3 :memory: "SELECT datetime($1, 'unixepoch')"; }

t_plan 54

# --- the fixture: real CA, application, template and endpoints; accounts,
# orders and certificates (signed by the CA's issuing key) inserted as
# acme-fcgi would --------------------------------------------------------------
NOW=$(date +%s)
DAY=86400
fixture() {
	"$SCRIPTS/acme-ca" --db "$DB" init main > /dev/null &&
	"$SCRIPTS/acme-app" --db "$DB" create shop > /dev/null &&
	"$SCRIPTS/acme-app" --db "$DB" create intra > /dev/null &&
	"$SCRIPTS/acme-template" --db "$DB" create web --ca main \
	    --allow '*.example.com' example.com '*.example.net' > /dev/null &&
	endpoint shop --application shop --template web --tag prod &&
	endpoint stage --application shop --template web --tag stage &&
	endpoint intra --application intra --template web --tag prod &&
	endpoint misc --application intra --template web &&
	q "SELECT issuing_pem FROM cas WHERE name = 'main'" > "$T/issuing.pem" &&
	q "SELECT root_pem FROM cas WHERE name = 'main'" > "$T/root.pem" &&
	CA_KEY=$(q "SELECT issuing_key FROM cas WHERE name = 'main'")
}

# cert ID SERIAL ENDPOINT CREATED NOT_AFTER KEY_TYPE NAME... - a leaf
# certificate for the NAMEs, signed by the CA, issued to an account of
# ENDPOINT through a valid order, recorded as the endpoint's binding says.
cert() {
	id=$1 serial=$2 ep=$3 nb=$4 na=$5 kt=$6
	shift 6
	case $kt in
	rsa2048) kopt="--key-type=rsa --bits=2048" ;;
	*) kopt="--key-type=ecdsa" ;;
	esac
	{
		echo "cn = \"$1\""
		for n in "$@"; do echo "dns_name = \"$n\""; done
		echo "serial = 0x$serial"
		echo "activation_date = \"$(utc "$nb")\""
		echo "expiration_date = \"$(utc "$na")\""
		echo "tls_www_server"
		echo "signing_key"
	} > "$T/$id.tmpl"
	names=$(printf '"%s",' "$@")
	certtool --generate-privkey $kopt --outfile "$T/$id.key" 2>/dev/null &&
	TZ=UTC certtool --generate-certificate --load-privkey "$T/$id.key" \
	    --load-ca-certificate "$T/issuing.pem" --load-ca-privkey "$CA_KEY" \
	    --template "$T/$id.tmpl" --outfile "$T/$id.pem" 2>/dev/null &&
	q "PRAGMA foreign_keys = ON;
	    INSERT INTO accounts (uid, endpoint_id, jwk, thumbprint, created)
	        VALUES ('acct-$id', (SELECT id FROM endpoints WHERE name = '$ep'),
	            '{}', 'tp-$id', $nb);
	    INSERT INTO orders (uid, account_id, status, identifiers, expires, created)
	        VALUES ('order-$id', (SELECT id FROM accounts WHERE uid = 'acct-$id'),
	            'valid', '[]', $na, $nb);
	    INSERT INTO certificates (uid, serial, order_id, account_id, endpoint_id,
	        application_id, template_id, tag, ca_id, names, key_type, not_before,
	        not_after, pem, created)
	        SELECT 'cert-$id', '$serial', o.id, a.id, e.id, e.application_id,
	            e.template_id, e.tag, (SELECT id FROM cas WHERE name = 'main'),
	            '[${names%,}]', '$kt', $nb, $na, CAST(readfile('$T/$id.pem') AS TEXT), $nb
	        FROM orders o JOIN accounts a ON a.id = o.account_id
	        JOIN endpoints e ON e.id = a.endpoint_id WHERE o.uid = 'order-$id';"
}

# Newest first: E D A B C.  A and B are valid (5 and 60 days left), C has
# expired, D is revoked 3 days before its end, E has no tag.
SA=1a2b3c4d5e6f708192a3b4c5d6e7f801
SB=0b1c2d3e4f5061728394a5b6c7d8e9fa
SC=3c4d5e6f708192a3b4c5d6e7f8091a2b
SD=4d5e6f708192a3b4c5d6e7f8091a2b3c
SE=5e6f708192a3b4c5d6e7f8091a2b3c4d
NA_A=$((NOW + 5 * DAY))
if fixture &&
    cert a $SA shop $((NOW - 10 * 3600)) $NA_A ec256 www.example.com example.com &&
    cert b $SB shop $((NOW - 20 * 3600)) $((NOW + 60 * DAY)) rsa2048 api.example.com &&
    cert c $SC stage $((NOW - 100 * DAY)) $((NOW - DAY)) ec256 old.example.com &&
    cert d $SD intra $((NOW - 5 * 3600)) $((NOW + 3 * DAY)) ec256 db.example.net &&
    cert e $SE misc $((NOW - 3600)) $((NOW + 200 * DAY)) ec256 wiki.example.net &&
    q "UPDATE certificates SET status = 'revoked', revoked = $NOW, reason = 1
        WHERE serial = '$SD'" &&
    [ "$(q "SELECT count(*) FROM certificates")" = 5 ]; then
	t_ok "fixture: a CA, 2 applications, 4 endpoints, 5 certificates"
else
	t_not_ok "fixture"
	t_done
fi

# serials [FILTERS] - the serials acme-cert list prints, in its order.
serials() {
	$CERT list "$@" > "$T/out" 2> "$T/err" || { echo "exit $?: $(cat "$T/err")"; return; }
	awk 'NR > 2 { printf "%s ", $1 }' "$T/out"
}

# listed DESC WANT FILTERS... - list with the filters prints WANT's serials.
listed() {
	_desc=$1 _want=$2
	shift 2
	_got=$(serials "$@")
	if [ "$_got" = "$_want" ]; then
		t_ok "$_desc"
	else
		t_not_ok "$_desc: got \"$_got\", want \"$_want\""
	fi
}

before_reads=$(db_dump)

# --- list --------------------------------------------------------------------
listed "list: every certificate, newest first" "$SE $SD $SA $SB $SC "
$CERT list > "$T/out" &&
    head -n 1 "$T/out" | grep -q "^serial  *status  *not_after  *endpoint  *application  *tag  *key_type  *names *$" &&
    t_ok "list: the columns" || t_not_ok "list header: $(head -n 1 "$T/out")"
grep -q "^$SA  *valid  *$(utc $NA_A)  *shop  *shop  *prod  *ec256  *www.example.com,example.com *$" "$T/out" &&
    t_ok "list: a row has serial, status, not_after (UTC), endpoint, application, tag, key type, names" ||
    t_not_ok "list row: $(grep "^$SA" "$T/out")"
grep -q "^$SC  *expired " "$T/out" && t_ok "list: past its notAfter is expired" ||
    t_not_ok "expired: $(grep "^$SC" "$T/out")"
grep -q "^$SD  *revoked " "$T/out" && t_ok "list: revoked is revoked" ||
    t_not_ok "revoked: $(grep "^$SD" "$T/out")"
grep -q "^$SE  *valid  *[0-9-]* [0-9:]*  *misc  *intra  *ec256  *wiki.example.net *$" "$T/out" &&
    t_ok "list: no tag, an empty column" || t_not_ok "no tag: $(grep "^$SE" "$T/out")"
listed "--endpoint shop" "$SA $SB " --endpoint shop
listed "--application shop (two endpoints)" "$SA $SB $SC " --application shop
listed "--tag prod (two applications)" "$SD $SA $SB " --tag prod
listed "--expiring-within 30: valid ones only (not revoked D, not expired C)" "$SA " --expiring-within 30
listed "--expiring-within 90" "$SA $SB " --expiring-within 90
listed "--expiring-within 4: none, not even the revoked one" "" --expiring-within 4
listed "--application shop --tag prod" "$SA $SB " --application shop --tag prod
listed "--application intra --tag prod" "$SD " --application intra --tag prod
listed "--endpoint shop --tag stage: none" "" --endpoint shop --tag stage
listed "--endpoint shop --application shop --tag prod --expiring-within 30" "$SA " \
    --endpoint shop --application shop --tag prod --expiring-within 30
listed "--application shop --expiring-within 3650: not the expired one" "$SA $SB " \
    --application shop --expiring-within 3650
$CERT list --tag unused > "$T/out" 2> "$T/err" && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] &&
    t_ok "a tag nobody uses: nothing listed, exit 0" || t_not_ok "unused tag: $(cat "$T/out" "$T/err")"

# --- show --------------------------------------------------------------------
# shown DESC SERIAL - show SERIAL prints certificate A's details and chain.
shown() {
	_why=
	$CERT show "$2" > "$T/show" 2> "$T/err" || _why=" exit $?: $(cat "$T/err")"
	for l in "serial = $SA" "status = valid" "uid = cert-a" "endpoint = shop" \
	    "application = shop" "template = web" "tag = prod" "ca = main" \
	    "account = acct-a" "order = order-a" "names = www.example.com,example.com" \
	    "key_type = ec256" "not_before = $(utc $((NOW - 10 * 3600)))" \
	    "not_after = $(utc $NA_A)" "created = $(utc $((NOW - 10 * 3600)))"; do
		grep -qx " *$l" "$T/show" || _why="$_why no \"$l\";"
	done
	[ -z "$_why" ] && t_ok "$1" || { t_not_ok "$1:$_why"; t_diag "$(cat "$T/show")"; }
}
shown "show by lower-case serial" $SA
shown "show by upper-case serial" "$(echo $SA | tr a-f A-F)"
shown "show by colon-separated serial" "$(echo $SA | tr a-f A-F | sed 's/../&:/g; s/:$//')"
$CERT show $SA > "$T/show"
sed '1,/^$/d' "$T/show" > "$T/chain.pem"
awk '/^-----BEGIN/ { n++ } n == 1' "$T/chain.pem" > "$T/leaf.pem"
awk '/^-----BEGIN/ { n++ } n == 2' "$T/chain.pem" > "$T/ca.pem"
[ "$(grep -c '^-----BEGIN CERTIFICATE-----$' "$T/chain.pem")" = 2 ] &&
    [ "$(grep -c '^-----END CERTIFICATE-----$' "$T/chain.pem")" = 2 ] &&
    [ "$(grep -v '^-----[A-Z]* CERTIFICATE-----$' "$T/chain.pem" | grep -cv '^[A-Za-z0-9+/=]*$')" = 0 ] &&
    t_ok "show: after the details, two PEM certificates and nothing else" ||
    t_not_ok "show output: $(cat "$T/show")"
certtool -i --infile "$T/leaf.pem" > "$T/leaf.txt" 2>&1 &&
    grep -q "Serial Number (hex): $SA" "$T/leaf.txt" && cmp -s "$T/leaf.pem" "$T/a.pem" &&
    t_ok "show: the first is the certificate (certtool reads it, serial $SA)" ||
    t_not_ok "leaf: $(cat "$T/leaf.txt")"
cmp -s "$T/ca.pem" "$T/issuing.pem" && t_ok "show: the second is the CA's issuing certificate" ||
    t_not_ok "chain: $(diff "$T/ca.pem" "$T/issuing.pem")"
certtool --verify --load-ca-certificate "$T/root.pem" --infile "$T/chain.pem" > "$T/verify" 2>&1 &&
    t_ok "show: the chain verifies against the CA's root" || t_not_ok "verify: $(cat "$T/verify")"
$CERT show "$(echo $SB | sed 's/../&:/g; s/:$//')" > "$T/show" &&
    grep -qx " *serial = $SB" "$T/show" && grep -qx " *key_type = rsa2048" "$T/show" &&
    t_ok "show: a serial with a leading zero, colon-separated" || t_not_ok "show B: $(cat "$T/show")"
$CERT show $SC > "$T/show" && grep -qx " *status = expired" "$T/show" &&
    t_ok "show: an expired certificate says so" || t_not_ok "show C: $(cat "$T/show")"
$CERT show $SD > "$T/show" && grep -qx " *status = revoked" "$T/show" &&
    grep -qx " *revoked = $(utc "$NOW")" "$T/show" && grep -qx " *reason = keyCompromise (1)" "$T/show" &&
    t_ok "show: a revoked certificate, with when and why" || t_not_ok "show D: $(cat "$T/show")"
$CERT show $SE > "$T/show" && grep -qx " *tag = " "$T/show" && grep -qx " *application = intra" "$T/show" &&
    t_ok "show: a certificate without a tag" || t_not_ok "show E: $(cat "$T/show")"

[ "$(db_dump)" = "$before_reads" ] && t_ok "list and show left the database as it was" ||
    t_not_ok "list or show changed the database"

# --- refusals ----------------------------------------------------------------
cmd_refused "show of an unknown serial" 1 "no certificate with serial 0123" $CERT show 0123
cmd_refused "serial that is not hex" 1 "invalid serial" $CERT show 1a2g
cmd_refused "serial with SQL in it" 1 "invalid serial" $CERT show "1a' OR '1'='1"
cmd_refused "serial with a one-digit byte" 1 "two-digit bytes" $CERT show 1a:2:3c
cmd_refused "serial with two colons in a row" 1 "two-digit bytes" $CERT show 1a::2b
cmd_refused "serial ending in a colon" 1 "two-digit bytes" $CERT show 1a:2b:
cmd_refused "serial of one digit" 1 "2 to 40" $CERT show a
cmd_refused "serial of 42 digits" 1 "2 to 40" $CERT show "${SA}${SA}ab"
cmd_refused "unknown endpoint" 1 "no endpoint nope" $CERT list --endpoint nope
cmd_refused "invalid endpoint name" 1 "invalid endpoint name" $CERT list --endpoint Shop
cmd_refused "unknown application" 1 "no application nope" $CERT list --application nope
cmd_refused "invalid application name" 1 "invalid application name" $CERT list --application "a;b"
cmd_refused "invalid tag" 1 "invalid tag" $CERT list --tag "prod' OR '1'='1"
cmd_refused "days that are not a number" 1 "number of days" $CERT list --expiring-within 2w
cmd_refused "negative days" 1 "number of days" $CERT list --expiring-within -5
cmd_refused "0 days" 1 "number of days" $CERT list --expiring-within 0
cmd_refused "too many days" 1 "number of days" $CERT list --expiring-within 36500
cmd_refused "--expiring-within without a value" 2 "needs a value" $CERT list --expiring-within
cmd_refused "show with a filter" 2 "usage:" $CERT show $SA --endpoint shop
cmd_refused "show without a serial" 2 "usage:" $CERT show
cmd_refused "list with an argument" 2 "usage:" $CERT list shop
cmd_refused "unknown option" 2 "unknown option" $CERT list --account x
cmd_refused "a database that does not exist" 1 "does not exist" \
    "$SCRIPTS/acme-cert" --db "$T/none.db" list
t_done
