#!/bin/sh
# ca.sh - scripts/acme-ca: a CA of each key type is made, recorded, listed
# and shown; its chain verifies with certtool; every refusal says why on
# stderr, exits non-zero, and leaves the database byte for byte and the
# file system as they were.  With SoftHSM, keys in a PKCS #11 token.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need sqlite3 certtool date find stat
e2e_init ca
acme_setup "https://127.0.0.1:1/acme" >/dev/null
CA=$SCRIPTS/acme-ca
W=$T/w
mkdir -m 700 "$W"

t_plan 81

# run ARGS... - acme-ca on the test database; output in $T/out, $T/err.
run() {
	"$CA" --db "$DB" "$@" > "$T/out" 2> "$T/err"
}

# show_field NAME [N] - the N-th (default first) "NAME = value" of show.
show_field() {
	sed -n "s/^ *$1 = //p" "$T/out" | sed -n "${2:-1}p"
}

# epoch "YYYY-MM-DD HH:MM:SS" - UTC seconds.
epoch() {
	date -u -d "$1" +%s
}

# The files under the test's directories (not the transient SQLite ones).
snapshot() {
	find "$T/db" "$W" \( -name '*-wal' -o -name '*-shm' -o -name '*-journal' \) \
	    -prune -o -print | sort
}

# refused DESC RC PATTERN ARGS... - acme-ca ARGS exits with RC, says
# PATTERN on stderr, and changes neither the database nor the files.
REFUSED_SNAPSHOT=snapshot
refused() {
	_d=$1 _r=$2 _p=$3
	shift 3
	cmd_refused "$_d" "$_r" "$_p" "$CA" --db "$DB" "$@"
}

# sig_alg KEYTYPE - what certtool calls the signature of such a CA key.
sig_alg() {
	case $1 in
	ec256) echo ECDSA-SHA256 ;;
	ec384) echo ECDSA-SHA384 ;;
	ed25519) echo EdDSA-Ed25519 ;;
	*) echo RSA-SHA256 ;;
	esac
}

# info FILE - certtool's description of a certificate, in $T/info.
info() {
	certtool -i --infile "$1" > "$T/info" 2>/dev/null
}
has() { grep -q -- "$1" "$T/info"; }
ext_id() {	# "Subject Key Identifier" or "Authority Key Identifier"
	sed -n "/$1/{n;s/[[:space:]]//g;p;}" "$T/info" | head -n 1
}
# A positive serial of 16 bytes: 32 hex digits, the first byte 01..7f.
serial_ok() {
	s=$(sed -n 's/^[[:space:]]*Serial Number (hex): //p' "$T/info")
	[ ${#s} -eq 32 ] && case $s in [0-7][0-9a-f]*) [ "${s#00}" = "$s" ] ;; *) false ;; esac
}

# --- nothing yet ----------------------------------------------------------
run list && [ ! -s "$T/out" ] && t_ok "list with no CA prints nothing" ||
    t_not_ok "list with no CA: $(cat "$T/out" "$T/err")"

# --- one CA of each key type ----------------------------------------------
for k in ec256 ec384 rsa3072 rsa4096 ed25519; do
	n=t-$k
	d=$T/db/ca/$n
	if run init "$n" --key "$k" && grep -q "^CA $n created ($k)" "$T/out"; then
		t_ok "init $n --key $k"
	else
		t_not_ok "init $n --key $k: $(cat "$T/err")"
	fi

	modes=$(stat -c '%n %a' "$d" "$d/root.key" "$d/issuing.key" "$d/root.pem" \
	    "$d/issuing.pem" 2>&1 | sed "s|$d|D|" | tr '\n' ' ')
	[ "$modes" = "D 700 D/root.key 600 D/issuing.key 600 D/root.pem 644 D/issuing.pem 644 " ] &&
	    t_ok "$k: directory 0700, keys 0600, certificates 0644" || t_not_ok "$k: modes $modes"

	cat "$d/issuing.pem" "$d/root.pem" > "$T/chain.pem"
	certtool --verify-chain --infile "$T/chain.pem" > "$T/verify" 2>&1 &&
	    grep -q "Chain verification output: Verified" "$T/verify" &&
	    t_ok "$k: certtool --verify-chain accepts intermediate + root" ||
	    { t_not_ok "$k: certtool --verify-chain"; t_diag "$(cat "$T/verify")"; }

	info "$d/root.pem"
	root_ski=$(ext_id "Subject Key Identifier")
	has "Subject: CN=$n Root CA" && has "Issuer: CN=$n Root CA" && serial_ok &&
	    has "Basic Constraints (critical):" && has "Certificate Authority (CA): TRUE" &&
	    ! has "Path Length Constraint" && has "Key Usage (critical):" &&
	    has "Certificate signing." && has "CRL signing." && ! has "Digital signature." &&
	    [ -n "$root_ski" ] && has "Signature Algorithm: $(sig_alg "$k")" &&
	    t_ok "$k: root is self-signed, CA:TRUE and keyCertSign+cRLSign critical, SKI, 16-byte serial" ||
	    { t_not_ok "$k: root profile"; t_diag "$(cat "$T/info")"; }

	info "$d/issuing.pem"
	has "Subject: CN=$n Issuing CA" && has "Issuer: CN=$n Root CA" && serial_ok &&
	    has "Basic Constraints (critical):" && has "Certificate Authority (CA): TRUE" &&
	    has "Path Length Constraint: 0" && has "Key Usage (critical):" &&
	    has "Certificate signing." && has "CRL signing." && has "Digital signature." &&
	    [ -n "$(ext_id "Subject Key Identifier")" ] &&
	    [ "$(ext_id "Authority Key Identifier")" = "$root_ski" ] &&
	    has "Signature Algorithm: $(sig_alg "$k")" &&
	    t_ok "$k: intermediate has CA:TRUE pathlen:0, keyCertSign+cRLSign+digitalSignature, SKI, AKI = root SKI" ||
	    { t_not_ok "$k: intermediate profile"; t_diag "$(cat "$T/info")"; }

	fp=$(certtool -i --infile "$d/issuing.pem" | sed -n 's/^[[:space:]]*sha256:\([0-9a-f]\{64\}\)$/\1/p' | head -n 1)
	run show "$n"
	mine=$(show_field sha256 | tr -d ':' | tr 'A-F' 'a-f')
	[ "$(show_field name)" = "$n" ] && [ "$(show_field key_type)" = "$k" ] &&
	    [ "$(show_field key_type 2)" = "$k" ] && [ "$(show_field key_type 3)" = "$k" ] &&
	    [ "$(show_field issuing_key)" = "$d/issuing.key" ] &&
	    [ "$(show_field root_key)" = "$d/root.key" ] &&
	    [ "$(show_field certificate)" = intermediate ] &&
	    [ "$(show_field certificate 2)" = root ] &&
	    [ "$(show_field issuer 1)" = "CN=$n Root CA" ] &&
	    [ -n "$fp" ] && [ "$mine" = "$fp" ] &&
	    t_ok "$k: show gives key types, key locations, both certificates and the SHA-256 fingerprint" ||
	    { t_not_ok "$k: show"; t_diag "$(cat "$T/out" "$T/err")"; }

	row=$(sqlite3 "$DB" "SELECT key_type, root_key_type, status, subject, root_key, issuing_key,
	    root_pem || char(10) = CAST(readfile('$d/root.pem') AS TEXT),
	    issuing_pem || char(10) = CAST(readfile('$d/issuing.pem') AS TEXT)
	    FROM cas WHERE name = '$n'")
	[ "$row" = "$k|$k|active|CN=$n Issuing CA|$d/root.key|$d/issuing.key|1|1" ] &&
	    t_ok "$k: the cas row records types, status, subject, key locations and both PEMs" ||
	    t_not_ok "$k: row $row"
done

# --- defaults -------------------------------------------------------------
run init dflt
run show dflt
[ "$(show_field key_type)" = ec384 ] && [ "$(show_field subject 2)" = "CN=dflt Issuing CA" ] &&
    [ "$(show_field subject 3)" = "CN=dflt Root CA" ] &&
    t_ok "default: ec384 keys, CN=NAME Issuing CA under CN=NAME Root CA" ||
    { t_not_ok "defaults"; t_diag "$(cat "$T/out" "$T/err")"; }
inb=$(epoch "$(show_field not_before 1)") ina=$(epoch "$(show_field not_after 1)")
rnb=$(epoch "$(show_field not_before 2)") rna=$(epoch "$(show_field not_after 2)")
created=$(sqlite3 "$DB" "SELECT created FROM cas WHERE name = 'dflt'")
[ $((rna - rnb + 1)) -eq $((3650 * 86400)) ] && [ $((ina - inb + 1)) -eq $((1825 * 86400)) ] &&
    [ "$rnb" = "$inb" ] && [ $((created - rnb)) -ge 3600 ] && [ $((created - rnb)) -le 3605 ] &&
    t_ok "default validity: root 3650 days, intermediate 1825, from one hour ago" ||
    t_not_ok "default validity: root $rnb-$rna intermediate $inb-$ina created $created"
[ -f "$T/db/ca/dflt/issuing.key" ] && [ "$(show_field issuing_key)" = "$T/db/ca/dflt/issuing.key" ] &&
    t_ok "default directory: ca/NAME next to the database" || t_not_ok "default directory"

run init named --subject 'CN=Exämple,O=Example Org,C=DE' --days 30 --dir "$W/named"
run show named
[ "$(show_field subject 2)" = "CN=Exämple Issuing CA,O=Example Org,C=DE" ] &&
    [ "$(show_field subject 3)" = "CN=Exämple Root CA,O=Example Org,C=DE" ] &&
    [ "$(show_field issuer 1)" = "CN=Exämple Root CA,O=Example Org,C=DE" ] &&
    t_ok "--subject: UTF-8 common name with Root CA / Issuing CA appended, other attributes kept" ||
    { t_not_ok "--subject"; t_diag "$(cat "$T/out" "$T/err")"; }
inb=$(epoch "$(show_field not_before 1)") ina=$(epoch "$(show_field not_after 1)")
rnb=$(epoch "$(show_field not_before 2)") rna=$(epoch "$(show_field not_after 2)")
[ $((rna - rnb + 1)) -eq $((30 * 86400)) ] && [ $((ina - inb + 1)) -eq $((15 * 86400)) ] &&
    [ "$(stat -c %a "$W/named")" = 700 ] &&
    t_ok "--days 30: root 30 days, intermediate 15; --dir made with mode 0700" ||
    t_not_ok "--days 30: root $rnb-$rna intermediate $inb-$ina"

run list
names=$(sed -n '3,$p' "$T/out" | awk '{ print $1 }' | tr '\n' ' ')
head -n 1 "$T/out" | grep -q "^name *status *key_type *subject *expires *created" &&
    [ "$names" = "dflt named t-ec256 t-ec384 t-ed25519 t-rsa3072 t-rsa4096 " ] &&
    t_ok "list: every CA, sorted, with status, key type, subject, expiry" ||
    { t_not_ok "list: $names"; t_diag "$(cat "$T/out")"; }

key_b64=$(sed -n 2p "$T/db/ca/dflt/issuing.key")
root_b64=$(sed -n 2p "$T/db/ca/dflt/root.key")
run show dflt
! grep -q "PRIVATE KEY" "$T/out" && ! grep -qF "$key_b64" "$T/out" && ! grep -qF "$root_b64" "$T/out" &&
    ! sqlite3 "$DB" .dump | grep -q "PRIVATE KEY" &&
    t_ok "no private key in show's output or in the database" || t_not_ok "a private key leaked"

# --- existing keys --------------------------------------------------------
certtool --generate-privkey --key-type=ecdsa --curve=secp384r1 --outfile "$W/mine.key" 2>/dev/null
chmod 600 "$W/mine.key"
(cd "$W" && "$CA" --db "$DB" init mine --key-file mine.key --dir "$W/mine") > "$T/out" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(sqlite3 "$DB" "SELECT issuing_key FROM cas WHERE name = 'mine'")" = "$W/mine.key" ] &&
    [ ! -e "$W/mine/issuing.key" ] && [ -f "$W/mine/root.key" ] &&
    t_ok "--key-file FILE: recorded by its absolute name, no issuing.key written" ||
    { t_not_ok "--key-file: exit $rc"; t_diag "$(cat "$T/err")"; }
want=$(certtool -k --infile "$W/mine.key" 2>/dev/null | sed -n '/Public Key ID/,/sha256/s/^[[:space:]]*sha256://p')
got=$(certtool -i --infile "$W/mine/issuing.pem" | sed -n '/Public Key ID/,/sha256/s/^[[:space:]]*sha256://p')
[ -n "$want" ] && [ "$want" = "$got" ] && t_ok "the intermediate certifies the given key" ||
    t_not_ok "given key $want, certificate key $got"

# --- refusals -------------------------------------------------------------
certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$W/rsa2048.key" 2>/dev/null
: > "$W/afile"
mkdir -m 777 "$W/open"
chmod 777 "$W/open"
mkdir -m 700 "$W/busy"
echo "not ours" > "$W/busy/root.pem"

refused "an existing name" 1 "CA t-ec256 already exists" init t-ec256
refused "an upper-case name" 1 'invalid CA name "Bad"' init Bad
refused "a name of 64 characters" 1 "at most 63 characters" \
    init aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
refused "key type rsa2048" 1 'invalid key type "rsa2048"' init x --key rsa2048
refused "an unknown key type" 1 'invalid key type "foo"' init x --key foo
refused "--days 1" 1 'invalid --days "1"' init x --days 1
refused "--days 36501" 1 'invalid --days "36501"' init x --days 36501
refused "--days abc" 1 'invalid --days "abc"' init x --days abc
refused "--days -5" 1 'invalid --days "-5"' init x --days -5
refused "a directory under a regular file" 1 "cannot create directory $W/afile/sub" \
    init x --dir "$W/afile/sub"
refused "a directory that cannot be made" 1 "cannot create directory /proc/acme-ca-test" \
    init x --dir /proc/acme-ca-test/x
refused "a directory others may write to" 1 "$W/open is writable by group or others" \
    init x --dir "$W/open"
refused "a directory holding root.pem (the keys written first are removed)" 1 \
    "cannot create $W/busy/root.pem" init x --dir "$W/busy"
[ "$(cat "$W/busy/root.pem")" = "not ours" ] || t_diag "the existing root.pem was changed"
refused "a missing database" 1 "database $T/db/none.db does not exist" \
    --db "$T/db/none.db" init x
refused "a pkcs11: URL that cannot be loaded" 1 "cannot load the issuing key pkcs11:" \
    init x --key-file "pkcs11:token=acme-fcgi-no-such-token;object=none;type=private"
refused "a pkcs11: URL with the PIN in it" 1 "use pin-source=FILE" \
    init x --root-key "pkcs11:token=t;object=o;type=private?pin-value=1234"
refused "a missing key file" 1 "cannot load the root key $W/none.key" \
    init x --root-key "$W/none.key"
refused "an RSA-2048 key file" 1 "is of type rsa2048" init x --key-file "$W/rsa2048.key"
refused "a key file of another type than --key" 1 "it must be the type given with --key" \
    init x --key ec256 --key-file "$W/mine.key"
refused "one key for root and intermediate" 1 "need two different keys" \
    init x --root-key "$W/mine.key" --key-file "$W/mine.key"
refused "a subject with two CNs" 1 "invalid --subject" init x --subject 'CN=a,CN=b'
refused "a subject that is no DN" 1 "invalid --subject" init x --subject 'O=a,=b'

# The database refuses the row: everything the helper made is removed,
# parent directories included.
sqlite3 "$DB" "CREATE TRIGGER refuse BEFORE INSERT ON cas BEGIN SELECT RAISE(ABORT, 'no'); END;"
refused "the database refusing the CA" 1 "its files were removed" \
    init x --dir "$W/new1/new2"
sqlite3 "$DB" "DROP TRIGGER refuse"

refused "init without a name" 2 "usage:" init
refused "an unknown option" 2 "unknown option --bogus" init x --bogus
refused "an extra argument" 2 "usage:" init x y
refused "show of an unknown CA" 1 "no CA nope" show nope
refused "show of an invalid name" 1 'invalid CA name "No"' show No

# --- keys in a PKCS #11 token (SoftHSM) -------------------------------------
if command -v softhsm2-util >/dev/null 2>&1 && command -v p11tool >/dev/null 2>&1 &&
    [ -f /usr/share/p11-kit/modules/softhsm2.module ]; then
	export SOFTHSM2_CONF="$T/softhsm2.conf"
	mkdir -m 700 "$T/tokens"
	echo "directories.tokendir = $T/tokens" > "$SOFTHSM2_CONF"
	printf 1234 > "$W/pin"
	chmod 600 "$W/pin"
	softhsm2-util --init-token --free --label acme-e2e --pin 1234 --so-pin 5678 >/dev/null 2>&1
	for l in issuing root; do
		GNUTLS_PIN=1234 p11tool --login --generate-privkey=ecdsa --curve=secp384r1 \
		    --label=$l "pkcs11:token=acme-e2e" >/dev/null 2>&1
	done
	url="pkcs11:token=acme-e2e;object=issuing;type=private?pin-source=$W/pin"
	rurl="pkcs11:token=acme-e2e;object=root;type=private?pin-source=$W/pin"

	run init hsm --key-file "$url"
	rc=$?
	cat "$T/db/ca/hsm/issuing.pem" "$T/db/ca/hsm/root.pem" > "$T/chain.pem" 2>/dev/null
	[ $rc -eq 0 ] && [ "$(sqlite3 "$DB" "SELECT issuing_key FROM cas WHERE name = 'hsm'")" = "$url" ] &&
	    [ ! -e "$T/db/ca/hsm/issuing.key" ] &&
	    certtool --verify-chain --infile "$T/chain.pem" 2>&1 | grep -q "output: Verified" &&
	    t_ok "SoftHSM: the issuing key stays in the token, its URL is recorded, the chain verifies" ||
	    { t_not_ok "SoftHSM issuing key: exit $rc"; t_diag "$(cat "$T/err")"; }

	run init hsm2 --root-key "$rurl" --key-file "$url" --dir "$W/hsm2"
	rc=$?
	cat "$W/hsm2/issuing.pem" "$W/hsm2/root.pem" > "$T/chain.pem" 2>/dev/null
	[ $rc -eq 0 ] && [ "$(ls "$W/hsm2" | tr '\n' ' ')" = "issuing.pem root.pem " ] &&
	    certtool --verify-chain --infile "$T/chain.pem" 2>&1 | grep -q "output: Verified" &&
	    t_ok "SoftHSM: the token's root key signs the root and the intermediate" ||
	    { t_not_ok "SoftHSM root key: exit $rc"; t_diag "$(cat "$T/err")"; }

	refused "a token URL without its PIN" 1 "add ?pin-source=FILE" \
	    init x --key-file "pkcs11:token=acme-e2e;object=issuing;type=private"
elif [ "${CI:-}" = true ]; then
	for i in 1 2 3; do t_not_ok "SoftHSM test $i: softhsm2 and p11tool are required in CI"; done
else
	for i in 1 2 3; do t_ok "# SKIP softhsm2 or p11tool not installed"; done
fi

# --- an issuing key file readable by others --------------------------------
# acme-fcgi --check names it and fails; the signer will not sign with it.
IK=$T/db/ca/dflt/issuing.key
chmod o+r "$IK"
"$ACME_FCGI" -c "$CONF" --check > "$T/out" 2> "$T/err"
rc=$?
[ $rc -ne 0 ] && grep -qF "CA dflt: unsafe key file: $IK is readable or writable by others; run chmod o-rwx on it" "$T/err" &&
    ! grep -q "PRIVATE KEY" "$T/out" "$T/err" &&
    t_ok "--check: an issuing key file readable by others is named, with the fix; exit $rc" ||
    { t_not_ok "--check with an unsafe key file: exit $rc"; t_diag "$(cat "$T/out" "$T/err")"; }
chmod o-rwx "$IK"
"$ACME_FCGI" -c "$CONF" --check > "$T/out" 2> "$T/err" &&
    t_ok "--check: passes again after chmod o-rwx" ||
    { t_not_ok "--check after chmod o-rwx"; t_diag "$(cat "$T/out" "$T/err")"; }

DEMO=$top_builddir/tests/e2e/acme-client-demo
if command -v nginx >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 && [ -x "$DEMO" ]; then
	make_tls
	NP=$(freeport) FP=$(freeport)
	BASE_URL=https://127.0.0.1:$NP/acme
	sed "s|^base_url = .*|base_url = $BASE_URL|" "$CONF" > "$T/srv.conf"
	CONF=$T/srv.conf
	"$SCRIPTS/acme-app" --db "$DB" create kapp > /dev/null &&
	    "$SCRIPTS/acme-template" --db "$DB" create kt --ca dflt --allow '*.example.test' \
	    --key-types ec256 > /dev/null &&
	    endpoint ke --application kapp --template kt &&
	    start_standalone "127.0.0.1:$FP" 1 &&
	    FCGI_ADDR=127.0.0.1:$FP start_nginx "$NP" &&
	    wait_url "$BASE_URL/ke/directory" && eab ke ||
	    { echo "Bail out! the server for the key file tests did not start"; exit 1; }
	ncerts() { sqlite3 "$DB" "SELECT count(*) FROM certificates"; }
	n0=$(ncerts)
	chmod o+r "$IK"
	"$DEMO" -d "$BASE_URL/ke/directory" -r "$CA_BUNDLE" -a "$T/k1.key" -k "$KID" -m "$HMAC" \
	    -o "$T/k1.pem" www.example.test > "$T/out" 2> "$T/err"
	rc=$?
	[ $rc -ne 0 ] && grep -q "serverInternal (500)" "$T/err" &&
	    grep -q "the CA key file is unsafe" "$T/err" && ! grep -qF "$IK" "$T/err" &&
	    t_ok "finalize with an unsafe CA key file: serverInternal, the key file is unsafe" ||
	    { t_not_ok "finalize with an unsafe CA key file: exit $rc"; t_diag "$(cat "$T/out" "$T/err")"; }
	[ "$(ncerts)" = "$n0" ] && [ ! -s "$T/k1.pem" ] &&
	    t_ok "finalize with an unsafe CA key file: nothing issued" ||
	    t_not_ok "finalize with an unsafe CA key file: $(ncerts) certificates, $n0 before"
	chmod o-rwx "$IK"
	"$DEMO" -d "$BASE_URL/ke/directory" -r "$CA_BUNDLE" -a "$T/k1.key" -e \
	    -o "$T/k2.pem" www.example.test > "$T/out" 2> "$T/err"
	rc=$?
	[ $rc -eq 0 ] && [ "$(ncerts)" = $((n0 + 1)) ] && [ -s "$T/k2.pem" ] &&
	    t_ok "after chmod o-rwx: finalize issues" ||
	    { t_not_ok "after chmod o-rwx: exit $rc, $(ncerts) certificates"; t_diag "$(cat "$T/out" "$T/err")"; }
else
	for i in 1 2 3; do t_ok "# SKIP nginx, curl or acme-client-demo missing"; done
fi

t_done
