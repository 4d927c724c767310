#!/bin/sh
# quickstart.sh - the README's set-up command works: scripts/quickstart makes
# an instance behind lighttpd, the certbot and lego lines it prints each
# obtain a certificate that chains to ACME_ROOT_CA, a second run reuses the
# instance, --stop stops it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need lighttpd certbot lego curl jq sqlite3 certtool
e2e_init quickstart
t_plan 12

QS=$T/qs
PORT=$(freeport)
export ACME_BUILDDIR="$top_builddir"
"$top_srcdir/scripts/quickstart" --dir "$QS" --port "$PORT" > "$T/out1" 2> "$T/logs/quickstart1.log"
rc=$?
[ $rc -eq 0 ] && [ -f "$QS/quickstart.env" ] && t_ok "quickstart exits 0 and writes quickstart.env" ||
    { t_not_ok "quickstart: exit $rc"; t_diag "$(cat "$T/out1")"; }
echo "sh $top_srcdir/scripts/quickstart --dir $QS --stop" > "$T/stop-quickstart"

# The env file has exactly the four documented variables.
vars=$(sed 's/=.*//' "$QS/quickstart.env" | sort | tr '\n' ' ')
[ "$vars" = "ACME_CA_BUNDLE ACME_DIRECTORY ACME_EAB_HMAC ACME_EAB_KID ACME_ROOT_CA " ] &&
    t_ok "quickstart.env holds ACME_DIRECTORY, ACME_CA_BUNDLE, ACME_EAB_KID, ACME_EAB_HMAC, ACME_ROOT_CA" ||
    t_not_ok "quickstart.env: $vars"
. "$QS/quickstart.env"

[ "$ACME_DIRECTORY" = "https://127.0.0.1:$PORT/acme/demo/directory" ] &&
    [ "$(curl -s --cacert "$ACME_CA_BUNDLE" "$ACME_DIRECTORY" | jq -r .meta.externalAccountRequired)" = true ] &&
    t_ok "the directory answers over HTTPS with the printed CA bundle" ||
    t_not_ok "directory $ACME_DIRECTORY"

certtool --verify --load-ca-certificate "$ACME_ROOT_CA" --infile "$ACME_ROOT_CA" >/dev/null 2>&1 &&
    [ "$(sqlite3 "$QS/acme.db" "SELECT a.name || '/' || t.name || '/' || e.tag FROM endpoints e
        JOIN applications a ON a.id = e.application_id JOIN templates t ON t.id = e.template_id
        WHERE e.name = 'demo'")" = "demo/demo/quickstart" ] &&
    t_ok "the demo endpoint is bound to application and template demo; ACME_ROOT_CA is the CA root" ||
    t_not_ok "binding or root: $(sqlite3 "$QS/acme.db" "SELECT * FROM endpoints")"
grep -q "KID\|key ID" "$T/out1" && grep -q "$ACME_EAB_KID" "$T/out1" && grep -q "$ACME_EAB_HMAC" "$T/out1" &&
    t_ok "the EAB KID and HMAC are printed" || t_not_ok "EAB credentials not printed"

# Run the printed certbot and lego command lines as they stand.
line=$(sed -n '/certbot certonly/,/--logs-dir/p' "$T/out1" | sed 's/\\$//' | tr -d '\n')
sh -c "$line" > "$T/logs/certbot.log" 2>&1
rc=$?
n=$(sqlite3 "$QS/acme.db" "SELECT count(*) FROM accounts a JOIN eab_keys k ON a.eab_key_id = k.id
    WHERE k.kid = '$ACME_EAB_KID' AND a.status = 'valid'")
[ $rc -eq 0 ] && [ "$n" = 1 ] && t_ok "the printed certbot line registers an account bound to the EAB key" ||
    { t_not_ok "certbot: exit $rc, $n accounts"; t_diag "$(tail -n 5 "$T/logs/certbot.log")"; }
certtool --verify --load-ca-certificate "$ACME_ROOT_CA" \
    --infile "$QS/certbot/live/www.example.test/fullchain.pem" > "$T/verify" 2>&1 &&
    t_ok "and obtains a certificate for www.example.test that chains to ACME_ROOT_CA" ||
    { t_not_ok "certbot's certificate does not verify"; t_diag "$(cat "$T/verify")"; }
line=$(sed -n '/^  LEGO_CA_CERTIFICATES/,/--http run/p' "$T/out1" | sed 's/\\$//' | tr -d '\n')
sh -c "$line" > "$T/logs/lego.log" 2>&1
rc=$?
verify=$(sed -n '/certtool --verify/,/--infile/p' "$T/out1" | sed 's/\\$//' | tr -d '\n')
[ $rc -eq 0 ] && sh -c "$verify" > "$T/verify" 2>&1 &&
    t_ok "the printed lego line obtains a certificate, and the printed certtool line verifies it" ||
    { t_not_ok "lego: exit $rc"; t_diag "$(tail -n 5 "$T/logs/lego.log")"; t_diag "$(cat "$T/verify")"; }

# A second run reuses everything.
q_all="SELECT name FROM endpoints; SELECT kid FROM eab_keys; SELECT name FROM cas;
    SELECT name FROM templates; SELECT name FROM applications"
dump1=$(sqlite3 "$QS/acme.db" "$q_all")
"$top_srcdir/scripts/quickstart" --dir "$QS" --port "$PORT" > "$T/out2" 2> "$T/logs/quickstart2.log"
rc=$?
. "$QS/quickstart.env"
dump2=$(sqlite3 "$QS/acme.db" "$q_all")
[ $rc -eq 0 ] && [ "$dump1" = "$dump2" ] && grep -q "$ACME_EAB_KID" "$T/out2" &&
    t_ok "a second run reuses the endpoint, EAB key, CA, application and template" || t_not_ok "rerun: exit $rc"
curl -sf --cacert "$ACME_CA_BUNDLE" -o /dev/null "$ACME_DIRECTORY" &&
    t_ok "and the instance answers after it" || t_not_ok "no answer after the rerun"

"$top_srcdir/scripts/quickstart" --dir "$QS" --stop > /dev/null 2>&1
sleep 0.3
curl -s --cacert "$ACME_CA_BUNDLE" -o /dev/null "$ACME_DIRECTORY"
[ $? -eq 7 ] && [ ! -f "$QS/lighttpd.pid" ] && t_ok "--stop stops lighttpd and acme-fcgi" ||
    t_not_ok "still answering after --stop"

"$top_srcdir/scripts/quickstart" --dir "$QS" --port nope > /dev/null 2> "$T/err"
rc=$?
[ $rc -ne 0 ] && grep -q "port" "$T/err" && t_ok "a bad --port is refused with a message" ||
    t_not_ok "bad --port: exit $rc"
t_done
