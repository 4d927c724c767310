#!/bin/sh
# fronts.sh - acme-fcgi behind every supported front, each from its shipped
# configuration snippet, with TLS on an ephemeral loopback port:
#
#   lighttpd  mod_fastcgi bin-path: lighttpd spawns acme-fcgi (socket on fd 0)
#   nginx     fastcgi_pass to a standalone acme-fcgi on a UNIX socket
#   fcgid     Apache mod_fcgid spawns acme-fcgi
#   proxy     Apache mod_proxy_fcgi to a standalone acme-fcgi on TCP
#   cgi       Apache mod_cgid runs acme-fcgi as a plain CGI program
#   spawn     spawn-fcgi spawns acme-fcgi on a UNIX socket, nginx in front
#
# Through each: directory and newNonce, certbot registers an account with
# External Account Binding (trusting the test CA, no --no-verify-ssl) and
# the database holds it bound to that key, then curl-level refusals (replayed
# nonce, wrong Content-Type, oversized body, bad EAB MAC) that must come back
# as acme-fcgi's own problem documents and change nothing.  Then the
# standalone supervisor: a worker killed with SIGKILL is replaced, and
# SIGTERM lets an in-flight request finish before the supervisor exits.
# Finally acme-fcgi as a CGI program run directly: its Status lines.
#
# Certificate issuance by certbot, lego and uacme through the FastCGI fronts
# is issue.sh's; here certbot and uacme obtain certificates through the CGI
# front, where each request is a process and so is each signer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need lighttpd nginx apache2 spawn-fcgi certbot uacme unshare curl jq sqlite3 certtool python3 pgrep ps
for m in mod_fcgid mod_proxy_fcgi mod_cgid; do
	[ -f "/usr/lib/apache2/modules/$m.so" ] || t_skip_all "Apache $m not installed"
done
e2e_init fronts
make_tls
# A front that never answers fails its checks within seconds, not minutes.
CURL_MAX_TIME=${CURL_MAX_TIME:-10}

LP=$(freeport) NP=$(freeport) AP=$(freeport) SP=$(freeport) FP=$(freeport)
TOS='"termsOfServiceAgreed":true'
# Below every front's own limit (nginx 64k in the snippet, mod_fcgid 128k,
# lighttpd and Apache core far higher), so acme-fcgi itself answers 413.
acme_setup "https://127.0.0.1:$LP/acme" terms_of_service=https://example.test/tos \
    max_body=32768 || t_skip_all "acme-fcgi --init-db failed"
MAIN_CONF=$CONF
KID='' HMAC='' ACCT='' SPAWN_PIDS=''
BIG=$(head -c 40000 /dev/zero | tr '\0' 'a')

# front_conf NAME PORT - a configuration for the front NAME on PORT (same
# database, its own base_url) and an endpoint named NAME; sets CONF and
# BASE_URL.
front_conf() {
	BASE_URL=https://127.0.0.1:$2/acme
	CONF=$T/acme-$1.conf
	sed "s|^base_url = .*|base_url = $BASE_URL|" "$MAIN_CONF" > "$CONF"
	endpoint "$1"
}

# front_checks NAME - everything every front must do (15 checks).
front_checks() {
	ep=$1
	d=$BASE_URL/$ep

	# Directory and nonces.
	rm -f "$T/resp" "$T/resp.h"
	STATUS=$(curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' "$d/directory")
	[ "$STATUS" = 200 ] && [ "$(jq -r .newAccount "$T/resp")" = "$d/new-account" ] &&
	    [ "$(jq -r .newNonce "$T/resp")" = "$d/new-nonce" ] &&
	    [ "$(jq -r .meta.externalAccountRequired "$T/resp")" = true ] &&
	    [ "$(resp_header Content-Type)" = application/json ] &&
	    [ -n "$(resp_header Replay-Nonce)" ] &&
	    t_ok "$ep: directory" || t_not_ok "$ep: directory: $STATUS $(cat "$T/resp")"
	rm -f "$T/resp" "$T/resp.h"
	STATUS=$(curl_ -I -o /dev/null -D "$T/resp.h" -w '%{http_code}' "$d/new-nonce")
	[ "$STATUS" = 200 ] && [ "$(resp_header Replay-Nonce | wc -c)" -gt 40 ] &&
	    [ "$(resp_header Cache-Control)" = no-store ] &&
	    t_ok "$ep: HEAD new-nonce: 200 with Replay-Nonce" || t_not_ok "$ep: HEAD new-nonce: $STATUS"
	rm -f "$T/resp" "$T/resp.h"
	STATUS=$(curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' "$d/new-nonce")
	[ "$STATUS" = 204 ] && [ "$(resp_header Replay-Nonce | wc -c)" -gt 40 ] && [ ! -s "$T/resp" ] &&
	    t_ok "$ep: GET new-nonce: 204 with Replay-Nonce" || t_not_ok "$ep: GET new-nonce: $STATUS"

	# certbot registers with EAB, trusting the test CA.
	eab "$ep"
	cb=$T/certbot-$ep
	REQUESTS_CA_BUNDLE=$CA_BUNDLE timeout 120 certbot register --non-interactive --agree-tos \
	    --no-eff-email -m "ops@$ep.example.test" --eab-kid "$KID" --eab-hmac-key "$HMAC" \
	    --server "$d/directory" --config-dir "$cb/config" --work-dir "$cb/work" \
	    --logs-dir "$cb/logs" > "$T/logs/certbot-$ep.log" 2>&1
	rc=$?
	[ $rc = 0 ] && t_ok "$ep: certbot register with EAB" || t_not_ok "$ep: certbot register: exit $rc"
	regr=$(find "$cb/config/accounts" -name regr.json 2>/dev/null | head -n 1)
	uri=$(jq -r .uri "$regr" 2>/dev/null)
	cbkey=$(dirname "$regr")/private_key.json
	row=$(sqlite3 -separator ' ' "$DB" "SELECT a.status, a.contact, a.tos_agreed, a.jwk
	    FROM accounts a JOIN eab_keys k ON k.id = a.eab_key_id
	    JOIN endpoints e ON e.id = a.endpoint_id AND e.id = k.endpoint_id
	    WHERE k.kid = '$KID' AND e.name = '$ep' AND a.uid = '${uri##*/}'")
	case $uri in "$d/acct/"?*) ;; *) row= ;; esac
	cbn=$(jq -r .n "$cbkey" 2>/dev/null)
	[ "${row%% *}" = valid ] && [ "${#cbn}" -gt 300 ] &&
	    [ "$(echo "$row" | cut -d' ' -f2-3)" = "[\"mailto:ops@$ep.example.test\"] 1" ] &&
	    [ "$(echo "$row" | cut -d' ' -f4- | jq -r .n)" = "$cbn" ] &&
	    t_ok "$ep: certbot's account is in the database, bound to its EAB key, with its key" ||
	    t_not_ok "$ep: account of certbot (${uri:-no regr.json}) not found bound to $KID: $row"

	# curl-level: a good newAccount, then refusals that change nothing.
	HMAC_OLD=$HMAC
	"$PROBE" keygen ec256 "$T/$ep.key"
	"$PROBE" keygen ec256 "$T/$ep-2.key"
	eab "$ep"
	body=$(jws "$ep" "$d/new-account" "$T/$ep.key" --payload "{$TOS}" --eab-kid "$KID" --eab-hmac "$HMAC")
	post "$d/new-account" "$body"
	ACCT=$(resp_header Location)
	case $ACCT in "$d/acct/"?*) ;; *) STATUS="$STATUS (Location $ACCT)" ;; esac
	[ "$STATUS" = 201 ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM accounts a JOIN eab_keys k
	    ON k.id = a.eab_key_id WHERE k.kid = '$KID' AND a.uid = '${ACCT##*/}'")" = 1 ] &&
	    t_ok "$ep: newAccount with EAB: 201, recorded" || t_not_ok "$ep: newAccount: $STATUS $(cat "$T/resp")"
	cts=
	rejected "$ep: replayed nonce" 400 badNonce "$d/new-account" "$body"
	cts="$cts $(resp_header Content-Type)"
	rejected "$ep: wrong Content-Type" 415 malformed "$d/new-account" \
	    "$(jws "$ep" "$d/new-account" "$T/$ep-2.key" --payload "{$TOS}")" application/json
	cts="$cts $(resp_header Content-Type)"
	rejected "$ep: oversized body" 413 malformed "$d/new-account" "{\"protected\":\"$BIG\"}"
	cts="$cts $(resp_header Content-Type)"
	eab "$ep"
	rejected "$ep: EAB with a wrong MAC key" 403 unauthorized "$d/new-account" \
	    "$(jws "$ep" "$d/new-account" "$T/$ep-2.key" --payload "{$TOS}" --eab-kid "$KID" \
	        --eab-hmac "$HMAC_OLD")"
	cts="$cts $(resp_header Content-Type)"
	[ "$cts" = " application/problem+json application/problem+json application/problem+json application/problem+json" ] &&
	    t_ok "$ep: refusals are acme-fcgi's application/problem+json, not the front's" ||
	    t_not_ok "$ep: refusal content types:$cts"
}


# front_down NAME N - the front did not start: its N checks fail.
front_down() {
	i=0
	while [ $i -lt "$2" ]; do
		t_not_ok "$1: front did not start"
		i=$((i + 1))
	done
}

# A FastCGI client, to hold a request in flight and to keep connections
# open (FCGI_KEEP_CONN) the way a web server's connection pool does.
#   fcgi-client inflight ADDR URI BODYFILE OUT
#       POST: parameters and the first 10 body bytes, then creates OUT.sent
#       and waits for OUT.go before the rest; FCGI_STDOUT to OUT, prints
#       "end APPSTATUS PROTOCOLSTATUS" (or "end none").
#   fcgi-client keep ADDR N URI
#       N connections with FCGI_KEEP_CONN, one GET on each (two on the
#       first), all kept open; prints one line per request: "C.R answered"
#       or "C.R unanswered" (no complete 200 within 5 s).
cat > "$T/fcgi-client" <<'PY'
import os, socket, struct, sys, time

def connect(addr, timeout):
    if addr.startswith('unix:'):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        s.connect(addr[5:])
        return s
    host, port = addr.rsplit(':', 1)
    return socket.create_connection((host, int(port)), timeout=timeout)

def rec(rtype, content):
    pad = -len(content) % 8
    return struct.pack('>BBHHBx', 1, rtype, 1, len(content), pad) + content + b'\0' * pad

def nv(k, v):
    k, v = k.encode(), v.encode()
    ln = lambda n: bytes([n]) if n < 128 else struct.pack('>I', n | 0x80000000)
    return ln(len(k)) + ln(len(v)) + k + v

def begin(method, uri, body, keep):
    p = [('GATEWAY_INTERFACE', 'CGI/1.1'), ('SERVER_PROTOCOL', 'HTTP/1.1'),
         ('REQUEST_METHOD', method), ('REQUEST_URI', uri), ('REMOTE_ADDR', '127.0.0.1')]
    if body is not None:
        p += [('CONTENT_TYPE', 'application/jose+json'), ('CONTENT_LENGTH', str(len(body)))]
    return (rec(1, struct.pack('>HB5x', 1, 1 if keep else 0)) +
            rec(4, b''.join(nv(k, v) for k, v in p)) + rec(4, b''))

def response(s):
    buf, out = b'', b''
    while True:
        while len(buf) >= 8:
            _, rtype, _, clen, plen = struct.unpack('>BBHHB', buf[:7])
            if len(buf) < 8 + clen + plen:
                break
            content, buf = buf[8:8 + clen], buf[8 + clen + plen:]
            if rtype == 6:
                out += content
            elif rtype == 3:
                return out, struct.unpack('>IB', content[:5])
        try:
            data = s.recv(65536)
        except OSError:
            return out, None
        if not data:
            return out, None
        buf += data

if sys.argv[1] == 'inflight':
    addr, uri, bodyfile, out = sys.argv[2:6]
    body = open(bodyfile, 'rb').read().rstrip(b'\n')
    s = connect(addr, 30)
    s.sendall(begin('POST', uri, body, False) + rec(5, body[:10]))
    open(out + '.sent', 'w').close()
    deadline = time.time() + 30
    while not os.path.exists(out + '.go') and time.time() < deadline:
        time.sleep(0.05)
    s.sendall(rec(5, body[10:]) + rec(5, b''))
    stdout, end = response(s)
    open(out, 'wb').write(stdout)
    print('end', *(end if end else ('none',)))
elif sys.argv[1] == 'keep':
    addr, n, uri = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    held = []
    for c in range(1, n + 1):
        s = connect(addr, 5)
        held.append(s)
        for r in range(1, 3 if c == 1 else 2):
            t0 = time.time()
            s.sendall(begin('GET', uri, None, True) + rec(5, b''))
            stdout, end = response(s)
            ok = end == (0, 0) and stdout.startswith(b'Status: 200 ')
            print('%d.%d %s' % (c, r, 'answered' if ok else 'unanswered'), flush=True)
            print('%d.%d %.3f s, end %s: %r' % (c, r, time.time() - t0, end, stdout[:40]),
                  file=sys.stderr, flush=True)
PY

t_plan 122

# --- lighttpd, bin-path (16) ---------------------------------------------------
front_conf lighttpd "$LP"
start_lighttpd "$LP"
if wait_url "$BASE_URL/lighttpd/directory"; then
	front_checks lighttpd
	lpid=$(cat "$T/run/lighttpd.pid")
	n=0
	for p in $(pgrep -P "$lpid" -x acme-fcgi); do
		case $(readlink "/proc/$p/fd/0") in socket:*) n=$((n + 1)) ;; esac
	done
	[ $n = 2 ] && t_ok "lighttpd runs max-procs 2 acme-fcgi children with a socket on fd 0" ||
	    t_not_ok "lighttpd's acme-fcgi children: $n"
else
	front_down lighttpd 16
fi

# --- nginx, standalone acme-fcgi on a UNIX socket (16) ------------------------
front_conf nginx "$NP"
NSOCK=$T/run/acme-fcgi-nginx.sock
start_standalone "unix:$NSOCK" 2
SUP=$ACME_PID
NGINX_CONF=$CONF
NGINX_BASE=$BASE_URL
FCGI_ADDR=unix:$NSOCK start_nginx "$NP"
NGINX_ACCT=
if wait_url "$BASE_URL/nginx/directory"; then
	front_checks nginx
	NGINX_ACCT=$ACCT
	[ -S "$NSOCK" ] && [ "$(stat -c %a "$NSOCK")" = 660 ] &&
	    t_ok "nginx: the standalone UNIX socket is a socket of mode 0660" ||
	    t_not_ok "nginx: socket $NSOCK: $(ls -l "$NSOCK" 2>&1)"
else
	front_down nginx 16
fi

# --- Apache mod_fcgid, spawning acme-fcgi (17) --------------------------------
front_conf fcgid "$AP"
start_apache "$AP" fcgid
if wait_url "$BASE_URL/fcgid/directory"; then
	front_checks fcgid
	pids=$(procs_with_conf "$CONF")
	users=$(for p in $pids; do ps -o user= -p "$p"; done | sort -u)
	# The workers mod_fcgid started, without their signers (children
	# of a worker, with /dev/null on fd 0).
	workers= n=0
	for p in $pids; do
		echo "$pids" | grep -qx "$(ps -o ppid= -p "$p" | tr -d ' ')" && continue
		workers="$workers $p"
		case $(readlink "/proc/$p/fd/0") in socket:*) n=$((n + 1)) ;; esac
	done
	[ -n "$workers" ] && [ "$users" = www-data ] && [ $n = "$(echo $workers | wc -w)" ] &&
	    t_ok "fcgid: acme-fcgi spawned by mod_fcgid, as www-data, socket on fd 0" ||
	    t_not_ok "fcgid: processes '$pids' workers '$workers' users '$users' sockets $n"
	stop_apache
	i=0
	while [ -n "$(procs_with_conf "$CONF")" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$pids" ] && [ -z "$(procs_with_conf "$CONF")" ] &&
	    t_ok "fcgid: stopping Apache stops its acme-fcgi processes" ||
	    t_not_ok "fcgid: left behind: $(procs_with_conf "$CONF")"
else
	front_down fcgid 17
fi
stop_apache

# --- Apache mod_proxy_fcgi to a standalone acme-fcgi on TCP (16) --------------
front_conf proxy "$AP"
start_standalone "127.0.0.1:$FP" 2
FCGI_ADDR=127.0.0.1:$FP start_apache "$AP" proxy
if wait_url "$BASE_URL/proxy/directory"; then
	front_checks proxy
	# The snippet has enablereuse=on: Apache keeps FastCGI connections
	# open in per-process pools, more of them than acme-fcgi has workers.
	seq 24 | xargs -P 8 -I{} curl -s -m 10 --cacert "$CA_BUNDLE" -o /dev/null \
	    -w '%{http_code} %{time_total}\n' "$BASE_URL/proxy/directory" > "$T/logs/proxy-burst.log"
	codes=$(cut -d' ' -f1 "$T/logs/proxy-burst.log" | sort | uniq -c | tr -s ' \n' ' ')
	[ "$codes" = " 24 200 " ] &&
	    t_ok "proxy: 24 requests, 8 at a time, all answered 200 (connection reuse)" ||
	    t_not_ok "proxy: 24 requests, 8 at a time: status counts:$codes"
else
	front_down proxy 16
fi
stop_apache

# --- Apache mod_cgid, acme-fcgi as a CGI program (21) -------------------------
front_conf cgi "$AP"
export ACME_BUILDDIR="$top_builddir"
"$SCRIPTS/acme-ca" init cgi --key ec256 --dir "$T/ca" >/dev/null 2>"$T/logs/acme-ca.log" &&
    "$SCRIPTS/acme-app" create cgi >/dev/null &&
    "$SCRIPTS/acme-template" create cgi --ca cgi --allow '*.cgi.example.test' >/dev/null &&
    "$SCRIPTS/acme-endpoint" bind cgi --application cgi --template cgi >/dev/null ||
    echo "fronts.sh: the CGI front's CA, application or template failed" >&2
start_apache "$AP" cgi
if wait_url "$BASE_URL/cgi/directory"; then
	front_checks cgi
	rm -f "$T/resp" "$T/resp.h"
	STATUS=$(curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' -X DELETE "$BASE_URL/cgi/directory")
	[ "$STATUS" = 405 ] && [ "$(resp_header Allow)" = "GET, HEAD" ] && [ -z "$(resp_header Status)" ] &&
	    [ "$(resp_type)" = malformed ] && [ "$(resp_header Content-Type)" = application/problem+json ] &&
	    t_ok "cgi: Status 405 becomes the HTTP status, with Allow and a problem document" ||
	    t_not_ok "cgi: DELETE: $STATUS $(cat "$T/resp.h" "$T/resp")"
	rm -f "$T/resp" "$T/resp.h"
	STATUS=$(curl_ -o "$T/resp" -D "$T/resp.h" -w '%{http_code}' "$BASE_URL/nowhere/directory")
	[ "$STATUS" = 404 ] && [ "$(resp_type)" = malformed ] && [ -z "$(resp_header Status)" ] &&
	    t_ok "cgi: unknown endpoint: HTTP 404 with acme-fcgi's problem document" ||
	    t_not_ok "cgi: unknown endpoint: $STATUS $(cat "$T/resp")"

	# Issuance: the CGI process that finalizes starts a signer, which
	# ends with it.
	eab cgi
	cb=$T/certbot-cgi-issue
	REQUESTS_CA_BUNDLE=$CA_BUNDLE timeout 180 certbot certonly --non-interactive \
	    --agree-tos --email c@example.test --server "$BASE_URL/cgi/directory" \
	    --eab-kid "$KID" --eab-hmac-key "$HMAC" --standalone -d www.cgi.example.test \
	    --config-dir "$cb" --work-dir "$cb" --logs-dir "$cb/logs" \
	    > "$T/logs/certbot-cgi-issue.log" 2>&1
	rc=$?
	[ $rc = 0 ] && certtool --verify --load-ca-certificate "$T/ca/root.pem" \
	    --infile "$cb/live/www.cgi.example.test/fullchain.pem" > "$T/verify" 2>&1 &&
	    t_ok "cgi: certbot obtains a certificate that chains to the CA root" ||
	    { t_not_ok "cgi: certbot certonly: exit $rc"; t_diag "$(tail -n 5 "$T/logs/certbot-cgi-issue.log")"; }
	eab cgi
	ua=$T/uacme-cgi
	mkdir -p "$ua"
	# uacme asks for its account with onlyReturnExisting: a 200 with
	# Location, which mod_cgid would make a redirect but for the snippet.
	unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift &&
	    "$@" new u@example.test && "$@" issue uacme.cgi.example.test' sh "$CA_BUNDLE" \
	    timeout 180 uacme -y -v -c "$ua" -a "$BASE_URL/cgi/directory" -e "$KID:$HMAC" \
	    -t EC -h /bin/false > "$T/logs/uacme-cgi.log" 2>&1
	rc=$?
	[ $rc = 0 ] && certtool --verify --load-ca-certificate "$T/ca/root.pem" \
	    --infile "$ua/uacme.cgi.example.test/cert.pem" > "$T/verify" 2>&1 &&
	    t_ok "cgi: uacme (which fetches its account with onlyReturnExisting) obtains one too" ||
	    { t_not_ok "cgi: uacme: exit $rc"; t_diag "$(tail -n 8 "$T/logs/uacme-cgi.log")"; }
	n=$(sqlite3 "$DB" "SELECT count(*) FROM certificates c JOIN endpoints e
	    ON e.id = c.endpoint_id WHERE e.name = 'cgi'")
	[ "$n" = 2 ] && t_ok "cgi: both certificates are recorded for the endpoint" ||
	    t_not_ok "cgi: $n certificates recorded"
	sleep 0.5
	left=$(procs_with_conf "$CONF")
	[ -z "$left" ] && t_ok "cgi: no acme-fcgi process (CGI or signer) outlives its request" ||
	    t_not_ok "cgi: still running: $left"
else
	front_down cgi 21
fi
stop_apache

# --- spawn-fcgi, nginx in front (16) ------------------------------------------
front_conf spawn "$SP"
SSOCK=$T/run/spawn-fcgi.sock
start_spawn_fcgi "$SSOCK" 2
FCGI_ADDR=unix:$SSOCK start_nginx "$SP"
if wait_url "$BASE_URL/spawn/directory"; then
	front_checks spawn
	n=0
	for p in $SPAWN_PIDS; do
		alive "$p" && [ "$(ps -o comm= -p "$p")" = acme-fcgi ] &&
		    case $(readlink "/proc/$p/fd/0") in socket:*) true ;; *) false ;; esac &&
		    n=$((n + 1))
	done
	[ $n = 2 ] && t_ok "spawn: the 2 acme-fcgi processes spawn-fcgi started serve the socket on fd 0" ||
	    t_not_ok "spawn: spawn-fcgi processes '$SPAWN_PIDS': $n usable"
else
	front_down spawn 16
fi

# --- the standalone supervisor (11) ---------------------------------------------
# The nginx front's acme-fcgi: supervisor $SUP, 2 workers on $NSOCK.
CONF=$NGINX_CONF
BASE_URL=$NGINX_BASE
workers() { pgrep -P "$SUP" -x acme-fcgi | sort; }
w1=$(workers)
[ "$(echo $w1 | wc -w)" = 2 ] && t_ok "supervisor runs 2 workers" || t_not_ok "workers: '$w1'"
victim=$(echo "$w1" | head -n 1)
kill -KILL "$victim"
i=0
while [ $i -lt 50 ]; do
	w2=$(workers)
	[ "$(echo $w2 | wc -w)" = 2 ] && ! echo "$w2" | grep -qx "$victim" && break
	sleep 0.1
	i=$((i + 1))
done
[ "$(echo $w2 | wc -w)" = 2 ] && ! echo "$w2" | grep -qx "$victim" &&
    t_ok "a worker killed with SIGKILL is replaced" || t_not_ok "after SIGKILL of $victim: '$w2'"
grep -q "worker $victim died (signal 9)" "$T/logs/acme-fcgi.log" &&
    t_ok "the supervisor logs the worker's death" || t_not_ok "no log line for worker $victim"
codes=$(for i in 1 2 3 4 5 6; do curl_ -o /dev/null -w '%{http_code} ' "$BASE_URL/nginx/directory"; done)
[ "$codes" = "200 200 200 200 200 200 " ] && t_ok "requests are served after the restart" ||
    t_not_ok "after the restart: $codes"
# The job runner (acme-fcgi-jobs) is the supervisor's too, and replaced alike.
r1=$(pgrep -P "$SUP" -x acme-fcgi-jobs)
[ "$(echo $r1 | wc -w)" = 1 ] && t_ok "supervisor runs one job runner" ||
    t_not_ok "job runners: '$r1'"
kill -KILL $r1
i=0
while [ $i -lt 50 ]; do
	r2=$(pgrep -P "$SUP" -x acme-fcgi-jobs)
	[ -n "$r2" ] && [ "$r2" != "$r1" ] && break
	sleep 0.1
	i=$((i + 1))
done
[ -n "$r2" ] && [ "$r2" != "$r1" ] && grep -q "job runner $r1 died" "$T/logs/acme-fcgi.log" &&
    t_ok "a job runner killed with SIGKILL is replaced, and its death logged" ||
    t_not_ok "after SIGKILL of runner $r1: '$r2'"

# Three kept connections (FCGI_KEEP_CONN) on 2 workers: a worker waiting
# for the next request on an idle kept connection must still let a new
# connection be served.
python3 "$T/fcgi-client" keep "unix:$NSOCK" 3 /acme/nginx/directory > "$T/keep.out" \
    2> "$T/logs/fcgi-client-keep.log"
[ "$(tr '\n' ' ' < "$T/keep.out")" = "1.1 answered 1.2 answered 2.1 answered 3.1 answered " ] &&
    t_ok "3 kept FastCGI connections on 2 workers are all served" ||
    t_not_ok "kept connections: $(tr '\n' ' ' < "$T/keep.out")"

# FCGI_WEB_SERVER_ADDRS (libfcgi's allow-list) holds for the connections
# acme-fcgi accepts itself: a peer not listed is refused, a listed one served.
for allowed in 192.0.2.1 127.0.0.1; do
	WP=$(freeport)
	FCGI_WEB_SERVER_ADDRS="$allowed" "$ACME_FCGI" -c "$CONF" --listen "127.0.0.1:$WP" --workers 1 \
	    >> "$T/logs/acme-fcgi-allow.log" 2>&1 &
	apid=$!
	echo "$apid" >> "$T/pids"
	"$PROBE" waitport "127.0.0.1:$WP"
	python3 "$T/fcgi-client" keep "127.0.0.1:$WP" 1 /acme/nginx/directory > "$T/allow-$allowed.out" \
	    2>> "$T/logs/fcgi-client-allow.log"
	kill "$apid"; wait "$apid" 2>/dev/null
done
[ "$(head -n 1 "$T/allow-192.0.2.1.out")" = "1.1 unanswered" ] &&
    grep -q "not in FCGI_WEB_SERVER_ADDRS" "$T/logs/acme-fcgi-allow.log" &&
    t_ok "FCGI_WEB_SERVER_ADDRS: a peer not listed is refused and logged" ||
    t_not_ok "allow-list: $(cat "$T/allow-192.0.2.1.out")"
[ "$(tr '\n' ' ' < "$T/allow-127.0.0.1.out")" = "1.1 answered 1.2 answered " ] &&
    t_ok "FCGI_WEB_SERVER_ADDRS: a listed peer is served" ||
    t_not_ok "allow-list: $(tr '\n' ' ' < "$T/allow-127.0.0.1.out")"

# SIGTERM while a request is in flight: the request completes, then the
# supervisor exits.  A worker holding a connection has two sockets, the
# listening one and that connection; first wait until the kept connections
# of the client above are gone.
sockets() {
	c=0
	for f in "/proc/$1/fd"/*; do
		case $(readlink "$f" 2>/dev/null) in socket:*) c=$((c + 1)) ;; esac
	done
	echo "$c"
}
busy() {
	for w in $(workers); do
		[ "$(sockets "$w")" -ge 2 ] && return 0
	done
	return 1
}
i=0
while busy && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
"$PROBE" jws --key "$T/nginx.key" --url "$BASE_URL/nginx/new-account" --nonce "$(nonce nginx)" \
    --payload '{"onlyReturnExisting":true}' > "$T/inflight.body"
python3 "$T/fcgi-client" inflight "unix:$NSOCK" /acme/nginx/new-account "$T/inflight.body" \
    "$T/inflight" > "$T/inflight.end" 2>&1 &
client=$!
i=0
while ! { [ -e "$T/inflight.sent" ] && busy; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.2
kill -TERM "$SUP"
sleep 1
alive "$SUP" && t_ok "SIGTERM: the supervisor waits for the request in flight" ||
    t_not_ok "the supervisor exited with a request in flight"
touch "$T/inflight.go"
wait "$client"
[ "$(cat "$T/inflight.end")" = "end 0 0" ] && [ "$(head -n 1 "$T/inflight" | tr -d '\r')" = "Status: 200 OK" ] &&
    [ "$(sed -n 's/^Content-Length: *//p' "$T/inflight" | tr -d '\r')" = "$(sed '1,/^\r$/d' "$T/inflight" | wc -c)" ] &&
    [ "$(sed -n 's/^Location: *//p' "$T/inflight" | tr -d '\r')" = "$NGINX_ACCT" ] &&
    [ "$(sed '1,/^\r$/d' "$T/inflight" | jq -r .status)" = valid ] &&
    t_ok "the request in flight at SIGTERM gets its complete 200 response" ||
    t_not_ok "in-flight request: $(cat "$T/inflight.end") $(cat "$T/inflight" 2>/dev/null)"
if wait_gone "$SUP" 50; then
	wait "$SUP"
	rc=$?
else
	rc=timeout
fi
[ "$rc" = 0 ] && t_ok "then the supervisor exits, status 0, within 5 s" ||
    t_not_ok "supervisor after SIGTERM: $rc"
[ ! -e "$NSOCK" ] && [ -z "$(procs_with_conf "$NGINX_CONF")" ] &&
    t_ok "no worker is left and the UNIX socket is removed" ||
    t_not_ok "left behind: socket $(ls "$NSOCK" 2>&1), workers $(procs_with_conf "$NGINX_CONF")"

# --- acme-fcgi as a CGI program, run directly (7) ------------------------------
CONF=$T/acme-cgi.conf
BASE_URL=https://127.0.0.1:$AP/acme
# cgi METHOD [VAR=VALUE...] - one CGI request; the output in $T/cgi.out.
cgi() {
	m=$1
	shift
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
	    REQUEST_METHOD="$m" REMOTE_ADDR=127.0.0.1 ACME_FCGI_CONFIG="$CONF" "$@" "$ACME_FCGI" \
	    < "${CGI_IN:-/dev/null}" > "$T/cgi.out" 2>> "$T/logs/cgi-direct.log"
}
cgi_status() { head -n 1 "$T/cgi.out"; }
cgi_header() { sed -n '1,/^\r$/p' "$T/cgi.out" | sed -n "s/^$1: *//Ip" | tr -d '\r' | head -n 1; }
cgi_body() { sed '1,/^\r$/d' "$T/cgi.out"; }
CR=$(printf '\r')

cgi GET REQUEST_URI=/acme/cgi/directory
[ "$(cgi_status)" = "Status: 200 OK$CR" ] && [ "$(cgi_header Content-Type)" = application/json ] &&
    [ "$(cgi_header Content-Length)" = "$(cgi_body | wc -c)" ] &&
    [ "$(cgi_body | jq -r .newAccount)" = "$BASE_URL/cgi/new-account" ] &&
    t_ok "CGI: directory: Status: 200 OK first, Content-Length right" || t_not_ok "CGI directory: $(cat "$T/cgi.out")"
cgi GET REQUEST_URI=/acme/cgi/new-nonce
[ "$(cgi_status)" = "Status: 204 No Content$CR" ] && [ -n "$(cgi_header Replay-Nonce)" ] &&
    [ -z "$(cgi_header Content-Type)" ] && [ "$(cgi_body | wc -c)" = 0 ] &&
    t_ok "CGI: GET new-nonce: Status: 204 No Content, no body" || t_not_ok "CGI GET new-nonce: $(cat "$T/cgi.out")"
cgi HEAD REQUEST_URI=/acme/cgi/new-nonce
[ "$(cgi_status)" = "Status: 200 OK$CR" ] && [ -n "$(cgi_header Replay-Nonce)" ] && [ "$(cgi_body | wc -c)" = 0 ] &&
    t_ok "CGI: HEAD new-nonce: Status: 200 OK, no body" || t_not_ok "CGI HEAD new-nonce: $(cat "$T/cgi.out")"
cgi DELETE REQUEST_URI=/acme/cgi/directory
[ "$(cgi_status)" = "Status: 405 Method Not Allowed$CR" ] && [ "$(cgi_header Allow)" = "GET, HEAD" ] &&
    [ "$(cgi_header Content-Type)" = application/problem+json ] &&
    [ "$(cgi_body | jq -r .type)" = urn:ietf:params:acme:error:malformed ] &&
    t_ok "CGI: DELETE: Status: 405 Method Not Allowed, Allow, problem document" || t_not_ok "CGI DELETE: $(cat "$T/cgi.out")"
printf '{"protected":"%s"}' "$BIG" > "$T/big.body"
before=$(db_dump)
CGI_IN=$T/big.body cgi POST REQUEST_URI=/acme/cgi/new-account CONTENT_TYPE=application/jose+json \
    CONTENT_LENGTH="$(wc -c < "$T/big.body")"
[ "$(cgi_status)" = "Status: 413 Payload Too Large$CR" ] &&
    [ "$(cgi_header Content-Type)" = application/problem+json ] &&
    [ "$(cgi_body | jq -r .type)" = urn:ietf:params:acme:error:malformed ] && [ "$(db_dump)" = "$before" ] &&
    t_ok "CGI: oversized POST: Status: 413 Payload Too Large, problem document, nothing changed" ||
    t_not_ok "CGI oversized: $(cat "$T/cgi.out")"
cgi GET REQUEST_URI=/elsewhere/cgi/directory
[ "$(cgi_status)" = "Status: 404 Not Found$CR" ] && [ "$(cgi_header Content-Type)" = application/problem+json ] &&
    t_ok "CGI: path outside base_url: Status: 404 Not Found" || t_not_ok "CGI outside: $(cat "$T/cgi.out")"
cgi GET SCRIPT_NAME=/acme PATH_INFO=/cgi/directory
[ "$(cgi_status)" = "Status: 200 OK$CR" ] && [ "$(cgi_body | jq -r .newNonce)" = "$BASE_URL/cgi/new-nonce" ] &&
    t_ok "CGI: without REQUEST_URI, SCRIPT_NAME + PATH_INFO name the resource" ||
    t_not_ok "CGI SCRIPT_NAME+PATH_INFO: $(cat "$T/cgi.out")"

[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || t_diag "database integrity_check failed"
t_done
