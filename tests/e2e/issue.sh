#!/bin/sh
# issue.sh - real ACME clients obtain certificates, as they ship, from
# acme-fcgi behind each supported front:
#
#   lighttpd  mod_fastcgi bin-path (lighttpd spawns acme-fcgi)
#   nginx     fastcgi_pass to a standalone acme-fcgi on a UNIX socket
#   fcgid     Apache mod_fcgid spawns acme-fcgi
#   proxy     Apache mod_proxy_fcgi to a standalone acme-fcgi on TCP
#
# On each, certbot, lego and uacme register with External Account Binding
# and obtain a certificate.  The endpoint's template authorises the names,
# so no client solves a challenge (none is configured to be able to).  For
# each certificate: the chain the client saved verifies to the CA's root,
# its names, key type and validity are the template's and the request's,
# and acme-cert(8) lists it for its endpoint, application and tag.
#
# uacme uses libcurl-gnutls, which reads only the system trust store: it
# runs in a private mount namespace where the store is the test CA.
#
# No request-handling process may hold the CA's private key: after the
# clients are done, the memory of every worker (standalone, and spawned by
# lighttpd) is searched for the issuing key's secret, and the signer that
# issued is searched too, to show that the search finds it (keymem.sh).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/keymem.sh"

need lighttpd nginx apache2 certbot lego uacme unshare curl jq sqlite3 certtool python3 pgrep
for m in mod_fcgid mod_proxy_fcgi; do
	[ -f "/usr/lib/apache2/modules/$m.so" ] || t_skip_all "Apache $m not installed"
done
[ "$(id -u)" = 0 ] || t_skip_all "uacme's trust store needs a mount namespace (root)"
e2e_init issue
make_tls

LP=$(freeport) NP=$(freeport) FP=$(freeport) PP=$(freeport) XP=$(freeport)
acme_setup "https://127.0.0.1:$LP/acme" || t_skip_all "acme-fcgi --init-db failed"
MAIN_CONF=$CONF
VALIDITY=45

# The policy: one CA, one application, one template, an endpoint per front.
export ACME_BUILDDIR="$top_builddir"
"$SCRIPTS/acme-ca" init e2e --key ec256 --subject "CN=acme-fcgi e2e,O=acme-fcgi" \
    --dir "$T/ca" >/dev/null 2>"$T/logs/acme-ca.log" || t_skip_all "acme-ca init failed"
ROOT=$T/ca/root.pem
[ -f "$ROOT" ] || ROOT=$(ls "$T"/ca/*root*.pem 2>/dev/null | head -n 1)
"$SCRIPTS/acme-app" create shop --owner pki@example.test >/dev/null
"$SCRIPTS/acme-template" create web --ca e2e --allow '*.example.test' \
    --key-types ec256,ec384,rsa2048,rsa3072 --validity-days $VALIDITY \
    --max-validity-days 90 --eku serverAuth >/dev/null || t_skip_all "acme-template failed"

t_plan 92

# front_conf NAME PORT - configuration for the front NAME (same database,
# its own base_url), and an endpoint NAME bound to the template.
front_conf() {
	BASE_URL=https://127.0.0.1:$2/acme
	CONF=$T/acme-$1.conf
	sed "s|^base_url = .*|base_url = $BASE_URL|" "$MAIN_CONF" > "$CONF"
	endpoint "$1" --application shop --template web --tag "front-$1"
}

# check_cert FRONT CLIENT CHAIN KEYTYPE NAME... - the certificate a client
# saved (leaf first, then the chain) is what the template says (6 checks).
check_cert() {
	f=$1 c=$2 chain=$3 want_key=$4
	shift 4
	d="$f: $c"
	if [ ! -s "$chain" ]; then
		for i in 1 2 3 4 5 6; do t_not_ok "$d: no certificate saved ($chain)"; done
		return
	fi
	certtool --verify --load-ca-certificate "$ROOT" --infile "$chain" \
	    > "$T/verify.out" 2>&1 &&
	    t_ok "$d: the chain verifies to the CA root" ||
	    { t_not_ok "$d: the chain does not verify"; t_diag "$(cat "$T/verify.out")"; }
	[ "$(grep -c 'BEGIN CERTIFICATE' "$chain")" -ge 2 ] &&
	    t_ok "$d: leaf and issuing CA" || t_not_ok "$d: $(grep -c 'BEGIN CERTIFICATE' "$chain") certificates"
	certtool -i < "$chain" > "$T/info" 2>/dev/null
	sed -n '1,/^-----BEGIN/p' "$T/info" > "$T/leaf.info"
	got=$(sed -n 's/^[[:space:]]*DNSname: //p' "$T/leaf.info" | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] && t_ok "$d: the names are the order's" ||
	    t_not_ok "$d: names '$got', want '$want'"
	alg=$(sed -n 's/^[[:space:]]*Subject Public Key Algorithm: //p' "$T/leaf.info" | head -n 1)
	bits=$(sed -n 's/^[[:space:]]*Algorithm Security Level: .*(\([0-9]*\) bits).*/\1/p' \
	    "$T/leaf.info" | head -n 1)
	case $want_key in
	ec256) ok_key=$( [ "$alg" = EC/ECDSA ] && grep -q 'Curve:[[:space:]]*SECP256R1' "$T/leaf.info" && echo y) ;;
	rsa2048) ok_key=$( [ "$alg" = RSA ] && grep -q 'Modulus (bits 2048)' "$T/leaf.info" && echo y) ;;
	esac
	[ "${ok_key:-}" = y ] && t_ok "$d: an $want_key key, as the client asked" ||
	    t_not_ok "$d: key '$alg' ($bits), want $want_key"
	nb=$(sed -n 's/^[[:space:]]*Not Before: //p' "$T/leaf.info" | head -n 1)
	na=$(sed -n 's/^[[:space:]]*Not After: //p' "$T/leaf.info" | head -n 1)
	span=$(( $(date -u -d "$na" +%s) - $(date -u -d "$nb" +%s) ))
	[ "$span" = $((VALIDITY * 86400 - 1)) ] &&
	    t_ok "$d: valid $VALIDITY days, the template's" ||
	    t_not_ok "$d: valid from '$nb' to '$na' ($span s)"
	serial=$(sed -n '/Serial Number (hex):/{s/.*: *//p;q}' "$T/leaf.info" | tr -d ':' |
	    tr 'A-F' 'a-f')
	"$SCRIPTS/acme-cert" list --endpoint "$f" --application shop --tag "front-$f" \
	    > "$T/list" 2>&1
	grep -q "$serial" "$T/list" &&
	    t_ok "$d: acme-cert lists it for its endpoint, application and tag" ||
	    { t_not_ok "$d: serial $serial not in acme-cert list"; t_diag "$(cat "$T/list")"; }
}

# clients FRONT - certbot, lego and uacme each obtain a certificate (21 checks).
clients() {
	f=$1
	dir=$BASE_URL/$f/directory

	# certbot: two names, ECDSA P-256 (its default).
	eab "$f"
	cb=$T/certbot-$f
	REQUESTS_CA_BUNDLE=$CA_BUNDLE timeout 180 certbot certonly --non-interactive \
	    --agree-tos --email "certbot@example.test" --server "$dir" \
	    --eab-kid "$KID" --eab-hmac-key "$HMAC" --standalone \
	    -d "www.$f.example.test" -d "api.$f.example.test" \
	    --config-dir "$cb" --work-dir "$cb" --logs-dir "$cb/logs" \
	    > "$T/logs/certbot-$f.log" 2>&1
	rc=$?
	[ $rc = 0 ] && t_ok "$f: certbot certonly with EAB" ||
	    { t_not_ok "$f: certbot certonly: exit $rc"; t_diag "$(tail -n 15 "$T/logs/certbot-$f.log")"; }
	check_cert "$f" certbot "$cb/live/www.$f.example.test/fullchain.pem" ec256 \
	    "www.$f.example.test" "api.$f.example.test"

	# lego: one name, RSA 2048.
	eab "$f"
	lg=$T/lego-$f
	LEGO_CA_CERTIFICATES=$CA_BUNDLE timeout 180 lego --server "$dir" \
	    --email "lego@example.test" --accept-tos --eab --kid "$KID" --hmac "$HMAC" \
	    --key-type rsa2048 --path "$lg" -d "lego.$f.example.test" --http run \
	    > "$T/logs/lego-$f.log" 2>&1
	rc=$?
	[ $rc = 0 ] && t_ok "$f: lego run with EAB" ||
	    { t_not_ok "$f: lego run: exit $rc"; t_diag "$(tail -n 15 "$T/logs/lego-$f.log")"; }
	check_cert "$f" lego "$lg/certificates/lego.$f.example.test.crt" rsa2048 \
	    "lego.$f.example.test"

	# uacme: one name, EC P-256; its hook would fail if it were ever called.
	eab "$f"
	ua=$T/uacme-$f
	mkdir -p "$ua"
	printf '#!/bin/sh\necho "uacme hook called: $*" >> %s\nexit 1\n' \
	    "$T/logs/uacme-hook-$f.log" > "$T/uacme-hook"
	chmod +x "$T/uacme-hook"
	unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift &&
	    "$@" new uacme@example.test && "$@" issue "$0"' "uacme.$f.example.test" \
	    "$CA_BUNDLE" timeout 180 uacme -y -v -c "$ua" -a "$dir" -e "$KID:$HMAC" -t EC \
	    -h "$T/uacme-hook" > "$T/logs/uacme-$f.log" 2>&1
	rc=$?
	[ $rc = 0 ] && [ ! -s "$T/logs/uacme-hook-$f.log" ] &&
	    t_ok "$f: uacme new + issue with EAB, no challenge hook called" ||
	    { t_not_ok "$f: uacme: exit $rc"; t_diag "$(tail -n 15 "$T/logs/uacme-$f.log")"; }
	cat "$ua/uacme.$f.example.test/cert.pem" > "$T/uacme-chain.pem" 2>/dev/null
	check_cert "$f" uacme "$T/uacme-chain.pem" ec256 "uacme.$f.example.test"
}

# key_check FRONT PARENT - the acme-fcgi children of PARENT (workers) hold no
# issuing key; the signer that issued does (2 checks).
key_check() {
	key=$(sqlite3 "$DB" "SELECT issuing_key FROM cas WHERE name = 'e2e'")
	workers=$(pgrep -P "$2" -x acme-fcgi)
	held= free= issued=
	for w in $workers; do
		key_in_process "$w" "$key" 2>>"$T/logs/keymem.log"
		case $? in
		0) held="$held $w" ;;
		1) free="$free $w" ;;
		*) held="$held $w(unreadable)" ;;
		esac
		for sg in $(pgrep -P "$w" -x acme-fcgi); do
			key_in_process "$sg" "$key" 2>>"$T/logs/keymem.log" && issued="$issued $sg"
		done
	done
	[ -n "$free" ] && [ -z "$held" ] &&
	    t_ok "$1: no worker has the issuing key in memory ($(echo $free | wc -w) searched)" ||
	    t_not_ok "$1: workers with the key:${held:- none}; without:${free:- none}"
	[ -n "$issued" ] && t_ok "$1: the signer that issued has it (the search finds a loaded key)" ||
	    t_not_ok "$1: no signer found with the key"
}

front_down() {
	i=0
	while [ $i -lt 22 ]; do t_not_ok "$1: front did not start"; i=$((i + 1)); done
}

# --- lighttpd, bin-path ---------------------------------------------------------
front_conf lighttpd "$LP"
start_lighttpd "$LP"
if wait_url "$BASE_URL/lighttpd/directory"; then
	clients lighttpd
	t_ok "lighttpd: front up"
	key_check lighttpd "$(cat "$T/run/lighttpd.pid")"
else
	front_down lighttpd
	t_not_ok "lighttpd: key check"
	t_not_ok "lighttpd: key check"
fi

# --- nginx, standalone on a UNIX socket ----------------------------------------
front_conf nginx "$NP"
NSOCK=$T/run/acme-fcgi-nginx.sock
start_standalone "unix:$NSOCK" 2
FCGI_ADDR=unix:$NSOCK start_nginx "$NP"
if wait_url "$BASE_URL/nginx/directory"; then
	clients nginx
	t_ok "nginx: front up"
	key_check nginx "$ACME_PID"
else
	front_down nginx
	t_not_ok "nginx: key check"
	t_not_ok "nginx: key check"
fi

# --- Apache mod_fcgid ----------------------------------------------------------
front_conf fcgid "$FP"
start_apache "$FP" fcgid
if wait_url "$BASE_URL/fcgid/directory"; then
	clients fcgid
	t_ok "fcgid: front up"
else
	front_down fcgid
fi
stop_apache

# --- Apache mod_proxy_fcgi to a standalone acme-fcgi on TCP -------------------
front_conf proxy "$PP"
start_standalone "127.0.0.1:$XP" 2
FCGI_ADDR=127.0.0.1:$XP start_apache "$PP" proxy
if wait_url "$BASE_URL/proxy/directory"; then
	clients proxy
	t_ok "proxy: front up"
else
	front_down proxy
fi
stop_apache

t_done
