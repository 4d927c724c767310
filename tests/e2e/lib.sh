# lib.sh - shared code of the end-to-end tests (sourced, POSIX sh).
#
# Each test starts real servers on ephemeral loopback ports in its own
# temporary directory, speaks TAP, and cleans up after itself.  A missing
# prerequisite skips the test locally (TAP "1..0 # SKIP") but fails it when
# CI=true, where everything must be installed.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
ACME_FCGI=$top_builddir/acme-fcgi
PROBE=$top_builddir/tests/e2e/acme-probe
SCRIPTS=$top_srcdir/scripts

t_n=0
t_failed=0

t_plan() { echo "1..$1"; }

t_ok() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $*"
}

t_not_ok() {
	t_n=$((t_n + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_n - $*"
}

# t_diag TEXT... - a TAP comment, one "# " line per input line.
t_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# t_skip_all REASON - nothing can run here.
t_skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - prerequisite missing in CI: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

# need CMD... - skip unless every command exists.
need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || t_skip_all "$c not installed"
	done
}

t_done() {
	[ "$t_failed" -eq 0 ]
	exit $?
}

# --- the instance ----------------------------------------------------------

# e2e_init NAME - a fresh temporary directory $T, removed on exit.
e2e_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/acme-e2e-$1.XXXXXX")
	chmod 755 "$T"
	mkdir "$T/db" "$T/tls" "$T/run" "$T/logs"
	: > "$T/pids"
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM
}

e2e_cleanup() {
	rc=$?
	for stop in "$T"/stop-*; do
		[ -f "$stop" ] && sh "$stop" >/dev/null 2>&1
	done
	while read -r pid; do
		kill "$pid" 2>/dev/null
	done < "$T/pids"
	sleep 0.2
	while read -r pid; do
		kill -9 "$pid" 2>/dev/null
	done < "$T/pids"
	if [ "$rc" -ne 0 ] || [ "$t_failed" -ne 0 ]; then
		for f in "$T"/logs/*; do
			[ -s "$f" ] || continue
			t_diag "--- $f (last 30 lines)"
			t_diag "$(tail -n 30 "$f")"
		done
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
	exit "$rc"
}

# make_tls - a CA and a server certificate for 127.0.0.1 and localhost.
make_tls() {
	cat > "$T/tls/ca.tmpl" <<TMPL
cn = "acme-fcgi e2e test CA"
ca
cert_signing_key
expiration_days = 2
TMPL
	cat > "$T/tls/server.tmpl" <<TMPL
cn = "localhost"
dns_name = "localhost"
ip_address = "127.0.0.1"
tls_www_server
signing_key
encryption_key
expiration_days = 2
TMPL
	certtool --generate-privkey --key-type=ecdsa --outfile "$T/tls/ca.key" 2>/dev/null &&
	certtool --generate-self-signed --load-privkey "$T/tls/ca.key" \
	    --template "$T/tls/ca.tmpl" --outfile "$T/tls/ca.pem" 2>/dev/null &&
	certtool --generate-privkey --key-type=ecdsa --outfile "$T/tls/server.key" 2>/dev/null &&
	certtool --generate-certificate --load-privkey "$T/tls/server.key" \
	    --load-ca-certificate "$T/tls/ca.pem" --load-ca-privkey "$T/tls/ca.key" \
	    --template "$T/tls/server.tmpl" --outfile "$T/tls/server.pem" 2>/dev/null ||
	    { echo "make_tls failed" >&2; return 1; }
	cat "$T/tls/server.pem" "$T/tls/server.key" > "$T/tls/server-combined.pem"
	chmod 644 "$T/tls/server.key" "$T/tls/server-combined.pem"
	CA_BUNDLE=$T/tls/ca.pem
}

freeport() { "$PROBE" freeport; }

# acme_setup BASE_URL [KEY=VALUE...] - configuration and database.
acme_setup() {
	BASE_URL=$1
	shift
	CONF=$T/acme.conf
	DB=$T/db/acme.db
	{
		echo "database = $DB"
		echo "base_url = $BASE_URL"
		echo "log_level = debug"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} > "$CONF"
	"$ACME_FCGI" -c "$CONF" --init-db || { echo "acme-fcgi --init-db failed" >&2; return 1; }
	export ACME_DB="$DB"
}

endpoint() { "$SCRIPTS/acme-endpoint" --db "$DB" create "$@" >/dev/null; }

# eab ENDPOINT [OPTS] - sets KID and HMAC.
eab() {
	out=$("$SCRIPTS/acme-eab" --db "$DB" create --endpoint "$@") || return 1
	KID=$(printf '%s\n' "$out" | sed -n 's/^kid=//p')
	HMAC=$(printf '%s\n' "$out" | sed -n 's/^hmac=//p')
}

# Files and sockets the web server's user must reach (Apache drops root).
give_to() {
	if [ "$(id -u)" = 0 ]; then
		chown -R "$1" "$T"
	fi
}

# wait_url URL - until the server answers (any HTTP status), up to 10 s.
wait_url() {
	i=0
	while [ $i -lt 100 ]; do
		code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' --cacert "$CA_BUNDLE" "$1" 2>/dev/null)
		case $code in
		000) ;;
		*) return 0 ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	echo "no answer from $1" >&2
	return 1
}

# start_standalone ADDR [WORKERS] [CONF] - acme-fcgi --listen in the background.
start_standalone() {
	"$ACME_FCGI" -c "${3:-$CONF}" --listen "$1" --workers "${2:-2}" \
	    >> "$T/logs/acme-fcgi.log" 2>&1 &
	echo $! >> "$T/pids"
	ACME_PID=$!
	"$PROBE" waitport "$1"
}

# snippet FILE - a shipped configuration snippet with the test's paths.
snippet() {
	sed -e "s|/usr/local/sbin/acme-fcgi|$ACME_FCGI|g" \
	    -e "s|/usr/local/sbin|$(dirname "$ACME_FCGI")|g" \
	    -e "s|/etc/acme-fcgi.conf|$CONF|g" \
	    -e "s|127.0.0.1:9000|${FCGI_ADDR:-127.0.0.1:9000}|g" \
	    -e "s|/run/lighttpd/acme-fcgi.socket|$T/run/acme-fcgi.socket|g" \
	    "$top_srcdir/$1"
}

# start_nginx PORT - nginx with TLS on PORT, the shipped snippet inside.
start_nginx() {
	n=$T/nginx-$1
	mkdir -p "$n"
	cp /etc/nginx/fastcgi_params "$n/fastcgi_params"
	snippet nginx-conf/acme-fcgi.conf > "$n/acme-fcgi.conf"
	cat > "$n/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
pid $n/nginx.pid;
error_log $T/logs/nginx-$1-error.log info;
events { worker_connections 256; }
http {
	access_log $T/logs/nginx-$1-access.log;
	client_body_temp_path $n/body;
	fastcgi_temp_path $n/fastcgi;
	proxy_temp_path $n/proxy;
	uwsgi_temp_path $n/uwsgi;
	scgi_temp_path $n/scgi;
	server {
		listen 127.0.0.1:$1 ssl;
		server_name localhost;
		ssl_certificate $T/tls/server.pem;
		ssl_certificate_key $T/tls/server.key;
		include $n/acme-fcgi.conf;
	}
}
CONF
	nginx -p "$n" -c "$n/nginx.conf" -g 'daemon off;' \
	    >> "$T/logs/nginx-$1.log" 2>&1 &
	echo $! >> "$T/pids"
}

# start_lighttpd PORT - lighttpd with TLS, spawning acme-fcgi (bin-path).
start_lighttpd() {
	mkdir -p "$T/lighttpd/www"
	snippet lighttpd-conf/acme-fcgi.conf > "$T/lighttpd/acme-fcgi.conf"
	cat > "$T/lighttpd/lighttpd.conf" <<CONF
server.modules = ( "mod_openssl" )
server.document-root = "$T/lighttpd/www"
server.bind = "127.0.0.1"
server.port = $1
server.errorlog = "$T/logs/lighttpd-error.log"
server.breakagelog = "$T/logs/lighttpd-stderr.log"
server.pid-file = "$T/run/lighttpd.pid"
ssl.engine = "enable"
ssl.pemfile = "$T/tls/server.pem"
ssl.privkey = "$T/tls/server.key"
include "$T/lighttpd/acme-fcgi.conf"
CONF
	lighttpd -D -f "$T/lighttpd/lighttpd.conf" >> "$T/logs/lighttpd.log" 2>&1 &
	echo $! >> "$T/pids"
}

# start_apache PORT fcgid|proxy|cgi - Apache httpd with TLS and one of the
# shipped snippets.  As root Apache serves as www-data, so the instance
# directory is handed over to www-data.
start_apache() {
	mods=/usr/lib/apache2/modules
	mkdir -p "$T/apache" "$T/run/fcgid"
	if [ "$(id -u)" = 0 ]; then
		# www-data may not reach the build tree (a clone in a 0700
		# directory): run a copy of the program from the instance.
		mkdir -p "$T/bin"
		cp "$ACME_FCGI" "$T/bin/acme-fcgi"
		ACME_FCGI=$T/bin/acme-fcgi
	fi
	snippet "apache-conf/acme-fcgi-$2.conf" > "$T/apache/acme-fcgi.conf"
	case $2 in
	fcgid) extra="LoadModule fcgid_module $mods/mod_fcgid.so
LoadModule headers_module $mods/mod_headers.so
FcgidIPCDir $T/run/fcgid
FcgidProcessTableFile $T/run/fcgid/table" ;;
	proxy) extra="LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_fcgi_module $mods/mod_proxy_fcgi.so" ;;
	cgi) extra="LoadModule cgid_module $mods/mod_cgid.so
LoadModule headers_module $mods/mod_headers.so
LoadModule env_module $mods/mod_env.so
ScriptSock $T/run/cgid.sock" ;;
	esac
	user=
	if [ "$(id -u)" = 0 ]; then
		user="User www-data
Group www-data"
		give_to www-data:www-data
	fi
	cat > "$T/apache/httpd.conf" <<CONF
ServerRoot $T/apache
ServerName localhost
Listen 127.0.0.1:$1
PidFile $T/run/apache.pid
Mutex file:$T/run default
ErrorLog $T/logs/apache-error.log
LogLevel warn
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
# Built into Debian's apache2 (apache2 -l); loading it again is an error.
<IfModule !unixd_module>
LoadModule unixd_module $mods/mod_unixd.so
</IfModule>
LoadModule alias_module $mods/mod_alias.so
LoadModule mime_module $mods/mod_mime.so
TypesConfig /dev/null
LoadModule ssl_module $mods/mod_ssl.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
$extra
$user
SSLSessionCache shmcb:$T/run/ssl_scache(512000)
DocumentRoot $T/apache
<VirtualHost 127.0.0.1:$1>
	SSLEngine on
	SSLCertificateFile $T/tls/server.pem
	SSLCertificateKeyFile $T/tls/server.key
	Include $T/apache/acme-fcgi.conf
</VirtualHost>
CONF
	apache2 -f "$T/apache/httpd.conf" -DFOREGROUND >> "$T/logs/apache.log" 2>&1 &
	echo $! >> "$T/pids"
}

# --- requests --------------------------------------------------------------

# The directory URL of an endpoint; $URL is the public base URL.
dir_url() { echo "$BASE_URL/$1/directory"; }

# A server that never answers fails the request after $CURL_MAX_TIME
# seconds (default 30) instead of hanging the test.
curl_() { curl -s -m "${CURL_MAX_TIME:-30}" --cacert "$CA_BUNDLE" "$@"; }

# nonce EP - a fresh nonce from HEAD new-nonce.
nonce() {
	curl_ -I "$BASE_URL/$1/new-nonce" | sed -n 's/^[Rr]eplay-[Nn]once: *//p' | tr -d '\r'
}

# post URL BODY [CONTENT-TYPE] - sets STATUS; body in $T/resp, headers in $T/resp.h.
post() {
	rm -f "$T/resp" "$T/resp.h"	# nothing stale if no answer comes
	STATUS=$(printf '%s' "$2" | curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' \
	    -H "Content-Type: ${3:-application/jose+json}" --data-binary @- "$1")
}

# jws EP URL KEY [probe options] - a signed body with a fresh nonce.
jws() {
	ep=$1 url=$2 key=$3
	shift 3
	"$PROBE" jws --key "$key" --url "$url" --nonce "$(nonce "$ep")" "$@"
}

# ids VALUE... - a newOrder payload: dns identifiers, ip for dotted quads.
ids() {
	printf '{"identifiers":['
	_sep=
	for _v in "$@"; do
		case $_v in
		*[!0-9.]*) _ty=dns ;;
		*) _ty=ip ;;
		esac
		printf '%s{"type":"%s","value":"%s"}' "$_sep" "$_ty" "$_v"
		_sep=,
	done
	printf ']}'
}

# hex_b64u HEX - the bytes HEX in unpadded base64url.
hex_b64u() { printf '%s' "$1" | tr a-f A-F | basenc --base16 -d | basenc --base64url -w0 | tr -d '='; }

# certid PEM - the ARI certID of the certificate (RFC 9773 §4.1), computed
# with certtool, not by acme-fcgi: base64url(AKI keyIdentifier) "."
# base64url(serial DER).
certid() {
	certtool -i --infile "$1" 2>/dev/null > "$T/certinfo"
	aki=$(sed -n '/Authority Key Identifier/{n;s/^[[:space:]]*//p;}' "$T/certinfo")
	ser=$(sed -n 's/^[[:space:]]*Serial Number (hex): //p' "$T/certinfo")
	[ -n "$aki" ] && [ -n "$ser" ] && printf '%s.%s\n' "$(hex_b64u "$aki")" "$(hex_b64u "$ser")"
}

resp_type() { jq -r '.type // empty' "$T/resp" 2>/dev/null | sed 's/^urn:ietf:params:acme:error://'; }
resp_header() { sed -n "s/^$1: *//Ip" "$T/resp.h" | tr -d '\r' | head -n 1; }

# db_dump - the whole database as SQL, to compare before and after; the
# record of spent nonces aside, since every request spends its nonce
# (RFC 8555 §6.5), refused or not.
db_dump() { sqlite3 "$DB" .dump | grep -v '^INSERT INTO nonces VALUES'; }

# expect_problem DESC STATUS TYPE - checks the last response.
expect_problem() {
	got=$(resp_type)
	if [ "$STATUS" = "$2" ] && [ "$got" = "$3" ]; then
		t_ok "$1 ($2 $3)"
	else
		t_not_ok "$1: expected $2 $3, got $STATUS ${got:-?}"
		t_diag "$(cat "$T/resp" 2>/dev/null)"
	fi
}

# rejected DESC STATUS TYPE URL BODY [CT] - posts, expects the problem, and
# that the database did not change at all.
rejected() {
	before=$(db_dump)
	post "$4" "$5" "${6:-application/jose+json}"
	expect_problem "$1" "$2" "$3"
	after=$(db_dump)
	if [ "$after" = "$before" ]; then
		t_ok "$1: database unchanged"
	else
		t_not_ok "$1: database changed"
		printf '%s\n' "$before" > "$T/dump.before"
		printf '%s\n' "$after" > "$T/dump.after"
		t_diag "$(diff "$T/dump.before" "$T/dump.after")"
	fi
}

# --- processes -------------------------------------------------------------

# alive PID - the process exists and is not a zombie.
alive() {
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $s in
	Z*|'') return 1 ;;
	esac
}

# wait_gone PID [TENTHS] - until the process has exited (default 10 s);
# 1 if it is still there.
wait_gone() {
	i=0
	while alive "$1"; do
		[ $i -ge "${2:-100}" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# procs_with_conf CONF - pids of acme-fcgi processes (job runners and job
# processes too) that use the configuration CONF (given with -c or in
# ACME_FCGI_CONFIG), so that tests running in parallel do not see each
# other's processes.
procs_with_conf() {
	for p in $(pgrep -x 'acme-fcgi(-jobs?)?'); do
		{ tr '\0' '\n' < "/proc/$p/cmdline"; tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null |
		    grep -qx -e "$1" -e "ACME_FCGI_CONFIG=$1" && echo "$p"
	done
}

# stop_apache - stops the Apache of start_apache and waits (10 s) until it
# is gone, so that start_apache can run again.
stop_apache() {
	[ -f "$T/run/apache.pid" ] || return 0
	apid=$(cat "$T/run/apache.pid")
	kill "$apid" 2>/dev/null
	wait_gone "$apid" 100 || { echo "apache $apid did not stop" >&2; return 1; }
	rm -f "$T/run/apache.pid"
}

# start_spawn_fcgi SOCKET [PROCS] - spawn-fcgi binds the UNIX socket and
# starts PROCS (default 2) acme-fcgi processes on it (spawned mode), with
# $CONF; their pids in $SPAWN_PIDS.
start_spawn_fcgi() {
	SPAWN_PIDS=
	spawn-fcgi -s "$1" -M 0660 -F "${2:-2}" -P "$T/run/spawn-fcgi.pid" \
	    -- "$ACME_FCGI" -c "$CONF" >> "$T/logs/spawn-fcgi.log" 2>&1 || return 1
	SPAWN_PIDS=$(cat "$T/run/spawn-fcgi.pid")
	printf '%s\n' $SPAWN_PIDS >> "$T/pids"
}

# cmd_refused DESC RC PATTERN CMD... - CMD exits RC, says PATTERN on stderr,
# and the database stays byte for byte as it was; so do the files that
# the command $REFUSED_SNAPSHOT lists, when it is set.
cmd_refused() {
	_desc=$1 _want=$2 _pat=$3
	shift 3
	sqlite3 "$DB" .dump > "$T/dump.before"
	${REFUSED_SNAPSHOT:-:} > "$T/files.before"
	_rc=0
	"$@" > "$T/out" 2> "$T/err" || _rc=$?
	sqlite3 "$DB" .dump > "$T/dump.after"
	${REFUSED_SNAPSHOT:-:} > "$T/files.after"
	_why=
	[ "$_rc" = "$_want" ] || _why="$_why exit $_rc (want $_want);"
	grep -q -- "$_pat" "$T/err" || _why="$_why stderr lacks \"$_pat\";"
	cmp -s "$T/dump.before" "$T/dump.after" || _why="$_why database changed;"
	cmp -s "$T/files.before" "$T/files.after" || _why="$_why files changed;"
	if [ -z "$_why" ]; then
		t_ok "$_desc: exit $_rc, \"$_pat\", nothing changed"
	else
		t_not_ok "$_desc:$_why"
		t_diag "stderr: $(cat "$T/err")"
		t_diag "$(diff "$T/files.before" "$T/files.after")"
	fi
}

# --- DNS ---------------------------------------------------------------------

# start_knot PORT ZONE [RECORD...] - knotd on 127.0.0.1 port PORT, its files
# in $K, authoritative for ZONE (SOA, NS ns, ns A 127.0.0.1, and the
# RECORDs, lines of the zone file), which the TSIG key acme-update
# (hmac-sha256) may update: the key as Knot writes it in $T/knot.key, as
# BIND writes it in $T/bind.key, its secret in $SECRET.  Does not wait
# until the zone is served.
start_knot() {
	_kport=$1 _kzone=$2
	shift 2
	K=$T/knot
	mkdir -p "$K/run" "$K/db" "$K/zones"
	keymgr -t acme-update hmac-sha256 > "$T/knot.key"
	SECRET=$(sed -n 's/^[[:space:]]*secret:[[:space:]]*//p' "$T/knot.key")
	printf 'key "acme-update" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$SECRET" > "$T/bind.key"
	chmod 600 "$T/knot.key" "$T/bind.key"
	cat > "$K/knot.conf" <<CONF
server:
    rundir: "$K/run"
    listen: 127.0.0.1@$_kport
log:
  - target: stderr
    any: info
database:
    storage: "$K/db"
control:
    listen: "$K/run/knot.sock"
$(sed -n '/^key:/,$p' "$T/knot.key")
acl:
  - id: acme-update
    key: acme-update
    action: update
template:
  - id: default
    storage: "$K/zones"
zone:
  - domain: $_kzone
    acl: acme-update
CONF
	{
		cat <<ZONE
\$ORIGIN $_kzone.
\$TTL 300
@	SOA	ns.$_kzone. hostmaster.$_kzone. 1 3600 900 604800 60
@	NS	ns
ns	A	127.0.0.1
ZONE
		for _r in "$@"; do
			printf '%s\n' "$_r"
		done
	} > "$K/zones/$_kzone.zone"
	knotd -c "$K/knot.conf" >> "$T/logs/knotd.log" 2>&1 &
	echo $! >> "$T/pids"
}
