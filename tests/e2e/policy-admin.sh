#!/bin/sh
# policy-admin.sh - scripts/acme-app, scripts/acme-template and the binding
# of endpoints to them: what is made is recorded in normal form, every
# refusal says why, exits non-zero and leaves the database as it was.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

need sqlite3 certtool
e2e_init policy-admin
acme_setup "https://127.0.0.1:1/acme" >/dev/null
APP="$SCRIPTS/acme-app --db $DB"
TPL="$SCRIPTS/acme-template --db $DB"
EP="$SCRIPTS/acme-endpoint --db $DB"
q() { sqlite3 "$DB" "$1"; }

t_plan 43

"$SCRIPTS/acme-ca" --db "$DB" init main > /dev/null 2>&1 &&
    t_ok "a CA for the templates" || t_not_ok "acme-ca init main"

# --- applications ------------------------------------------------------------
$APP create shop --owner pki@example.com --description "The web shop" > "$T/out" &&
    [ "$(q "SELECT name, owner, description FROM applications")" = "shop|pki@example.com|The web shop" ] &&
    t_ok "acme-app create records name, owner and description" || t_not_ok "acme-app create"
$APP create bare > /dev/null &&
    [ "$(q "SELECT owner IS NULL AND description IS NULL FROM applications WHERE name = 'bare'")" = 1 ] &&
    t_ok "owner and description are optional (NULL)" || t_not_ok "acme-app create bare"
$APP list > "$T/out" && grep -q "^shop *pki@example.com" "$T/out" && grep -q "^bare" "$T/out" &&
    t_ok "acme-app list shows both" || t_not_ok "acme-app list: $(cat "$T/out")"
$APP show shop > "$T/out" && grep -q "description = The web shop" "$T/out" &&
    t_ok "acme-app show" || t_not_ok "acme-app show: $(cat "$T/out")"
cmd_refused "application that exists" 1 "already exists" $APP create shop
cmd_refused "bad application name" 1 "invalid application name" $APP create Shop
cmd_refused "owner that is not an address" 1 "not an e-mail address" $APP create a2 --owner nobody
cmd_refused "description with a control character" 1 "control characters" \
    $APP create a3 --description "$(printf 'a\tb')"
cmd_refused "show of an unknown application" 1 "no application" $APP show nope
cmd_refused "unknown option" 2 "unknown option" $APP create a4 --colour red

# --- templates ---------------------------------------------------------------
$TPL create web --ca main --allow '*.Example.COM' www.example.org --allow-ip 192.0.2.0/24 2001:DB8::/32 \
    --key-types ec256,rsa2048 --validity-days 30 --max-validity-days 90 --eku serverAuth,clientAuth > /dev/null &&
    t_ok "acme-template create" || t_not_ok "acme-template create: $(cat "$T/err" 2>/dev/null)"
[ "$(q "SELECT kind || ':' || rule FROM template_rules ORDER BY kind, rule" | tr '\n' ' ')" = \
    "dns:*.example.com dns:www.example.org ip:192.0.2.0/24 ip:2001:db8::/32 " ] &&
    t_ok "rules are stored in normal form (lower case, canonical addresses)" ||
    t_not_ok "rules: $(q "SELECT kind, rule FROM template_rules")"
[ "$(q "SELECT t.allow_wildcard, t.key_types, t.validity_days, t.max_validity_days, t.eku, c.name
    FROM templates t JOIN cas c ON c.id = t.ca_id WHERE t.name = 'web'")" = \
    "0|ec256,rsa2048|30|90|serverAuth,clientAuth|main" ] &&
    t_ok "template settings recorded" || t_not_ok "template row"
$TPL create defaults --ca main --allow host.example.net --allow-wildcard > /dev/null &&
    [ "$(q "SELECT allow_wildcard, key_types, validity_days, max_validity_days, eku FROM templates WHERE name = 'defaults'")" = \
    "1|ec256,ec384,rsa2048,rsa3072,rsa4096,ed25519|90|397|serverAuth" ] &&
    t_ok "defaults: all key types, 90 days, at most 397, serverAuth" || t_not_ok "defaults"
$TPL create long --ca main --allow long.example.net --validity-days 800 > /dev/null &&
    [ "$(q "SELECT max_validity_days FROM templates WHERE name = 'long'")" = 800 ] &&
    t_ok "the maximum follows a validity above 397 days" || t_not_ok "long validity"
# A pattern is not a file name glob, wherever the script is run.
mkdir "$T/glob" && touch "$T/glob/a.example.org"
(cd "$T/glob" && $TPL create globbed --ca main --allow '*.example.org' > /dev/null) &&
    [ "$(q "SELECT rule FROM template_rules r JOIN templates t ON t.id = r.template_id
        WHERE t.name = 'globbed'")" = "*.example.org" ] &&
    t_ok "patterns are not expanded as file names" || t_not_ok "globbed: $(q "SELECT * FROM template_rules")"
$TPL list > "$T/out" && grep -q "^web *main *4" "$T/out" && t_ok "acme-template list" ||
    t_not_ok "list: $(cat "$T/out")"
$TPL show web > "$T/out" && grep -q "allow = \*.example.com www.example.org" "$T/out" &&
    grep -q "allow_ip = 192.0.2.0/24 2001:db8::/32" "$T/out" && t_ok "acme-template show lists the rules" ||
    t_not_ok "show: $(cat "$T/out")"
cmd_refused "template that exists" 1 "already exists" $TPL create web --ca main --allow a.example
cmd_refused "template without --ca" 1 "needs --ca" $TPL create t1 --allow a.example
cmd_refused "template with an unknown CA" 1 "no CA nope" $TPL create t1 --ca nope --allow a.example
cmd_refused "template without rules" 1 "needs --allow" $TPL create t1 --ca main
cmd_refused "--allow without a pattern" 2 "at least one pattern" $TPL create t1 --ca main --allow
cmd_refused "rule with an empty label" 1 "empty label" $TPL create t1 --ca main --allow ok.example 'a..example'
cmd_refused "rule with a wildcard inside" 1 "wildcard" $TPL create t1 --ca main --allow 'a.*.example'
cmd_refused "rule with a trailing dot" 1 "dot" $TPL create t1 --ca main --allow 'a.example.'
cmd_refused "rule that is an IP address" 1 "numeric" $TPL create t1 --ca main --allow 192.0.2.1
cmd_refused "network with host bits" 1 "host bits" $TPL create t1 --ca main --allow-ip 192.0.2.1/24
cmd_refused "network that is not one" 1 "invalid address rule" $TPL create t1 --ca main --allow-ip example.com
cmd_refused "unknown key type" 1 "unknown \"ec521\"" $TPL create t1 --ca main --allow a.example --key-types ec256,ec521
cmd_refused "key type twice" 1 "given twice" $TPL create t1 --ca main --allow a.example --key-types ec256,ec256
cmd_refused "unknown EKU" 1 "unknown \"codeSigning\"" $TPL create t1 --ca main --allow a.example --eku codeSigning
cmd_refused "validity of 0 days" 1 "from 1 to 3650" $TPL create t1 --ca main --allow a.example --validity-days 0
cmd_refused "validity above the maximum" 1 "more than --max-validity-days" \
    $TPL create t1 --ca main --allow a.example --validity-days 100 --max-validity-days 90

# --- endpoints bound to an application and a template ----------------------
$EP create shop --application shop --template web --tag prod-eu > /dev/null &&
    [ "$(q "SELECT a.name, t.name, e.tag FROM endpoints e JOIN applications a ON a.id = e.application_id
        JOIN templates t ON t.id = e.template_id WHERE e.name = 'shop'")" = "shop|web|prod-eu" ] &&
    t_ok "acme-endpoint create --application --template --tag" || t_not_ok "bound endpoint"
$EP create lab > "$T/out" && grep -q "issues no certificates" "$T/out" &&
    [ "$(q "SELECT application_id IS NULL AND template_id IS NULL FROM endpoints WHERE name = 'lab'")" = 1 ] &&
    t_ok "create NAME alone makes an endpoint that issues nothing, and says so" || t_not_ok "unbound endpoint"
$EP bind lab --application bare --template defaults > /dev/null &&
    [ "$(q "SELECT t.name FROM endpoints e JOIN templates t ON t.id = e.template_id WHERE e.name = 'lab'")" = defaults ] &&
    t_ok "acme-endpoint bind binds an existing endpoint" || t_not_ok "bind"
cmd_refused "--application without --template" 1 "go together" $EP create e1 --application shop
cmd_refused "unknown template" 1 "no template" $EP create e1 --application shop --template nope
cmd_refused "unknown application" 1 "no application" $EP create e1 --application nope --template web
cmd_refused "bad tag" 1 "invalid tag" $EP create e1 --application shop --template web --tag "a b"
$EP deactivate lab > /dev/null
cmd_refused "bind a deactivated endpoint" 1 "deactivated" $EP bind lab --application shop --template web
t_done
