# admin.sh - the SQL of the administration scripts (sourced, POSIX sh).
#
# Like sql/db.c for the C code, this file is the only place where the shell
# scripts speak SQL.  Every value reaches SQL either checked against a strict
# pattern by the caller or through sql_quote; every multi-statement change is
# one BEGIN IMMEDIATE transaction that sqlite3 -bail abandons (rolls back) at
# the first error.

# The schema version these statements are written for; acme-fcgi creates and
# migrates the database, and a test checks the two agree.
ACME_SCHEMA_VERSION=4

# sql_quote TEXT - TEXT as an SQL string literal.
sql_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# The SQL goes to sqlite3 on standard input, never on its command line,
# where other users could read secrets (EAB MAC keys) in ps(1).

# sql_run SQL - run statements on $ACME_DB_PATH; rows as "a|b|c" lines.
sql_run() {
	printf '%s\n' "$1" | sqlite3 -batch -bail -noheader -list -separator '|' \
	    -cmd '.timeout 10000' -cmd 'PRAGMA foreign_keys = ON' "$ACME_DB_PATH"
}

# sql_table SQL - run a query, printed as aligned columns with a header.
sql_table() {
	printf '%s\n' "$1" | sqlite3 -batch -bail -header -column \
	    -cmd '.timeout 10000' "$ACME_DB_PATH"
}

# sql_show SQL - run a query, one "column = value" line per field.
sql_show() {
	printf '%s\n' "$1" | sqlite3 -batch -bail -line -cmd '.timeout 10000' "$ACME_DB_PATH"
}

sql_schema_version() {
	sql_run 'PRAGMA user_version;'
}

# --- endpoints -----------------------------------------------------------

sql_endpoint_exists() {	# NAME -> prints its status, nothing if unknown
	sql_run "SELECT status FROM endpoints WHERE name = $(sql_quote "$1");"
}

# NAME EAB_REQUIRED(0|1) NOW [APPLICATION TEMPLATE [TAG]]
sql_endpoint_create() {
	_app=NULL _tpl=NULL
	if [ -n "${4:-}" ]; then
		_app="(SELECT id FROM applications WHERE name = $(sql_quote "$4"))"
		_tpl="(SELECT id FROM templates WHERE name = $(sql_quote "$5"))"
	fi
	sql_run "INSERT INTO endpoints (name, eab_required, created, application_id,
	        template_id, tag)
	    VALUES ($(sql_quote "$1"), $2, $3, $_app, $_tpl, $(sql_opt_text "${6:-}"));"
}

# Binds an existing endpoint: NAME APPLICATION TEMPLATE [TAG]
sql_endpoint_bind() {
	sql_run "UPDATE endpoints SET
	    application_id = (SELECT id FROM applications WHERE name = $(sql_quote "$2")),
	    template_id = (SELECT id FROM templates WHERE name = $(sql_quote "$3")),
	    tag = $(sql_opt_text "${4:-}")
	    WHERE name = $(sql_quote "$1") AND status = 'active';
	    SELECT changes();"
}

# NAME -> "ca|CA" or "upstream|UPSTREAM", the issuer of the endpoint's
# template; nothing if it has none.
sql_endpoint_issuer() {
	sql_run "SELECT CASE WHEN t.upstream_id IS NULL THEN 'ca|' || c.name
	        ELSE 'upstream|' || u.name END
	    FROM endpoints e JOIN templates t ON t.id = e.template_id
	    LEFT JOIN cas c ON c.id = t.ca_id LEFT JOIN upstreams u ON u.id = t.upstream_id
	    WHERE e.name = $(sql_quote "$1");"
}

sql_endpoint_list() {
	sql_table "SELECT e.name, e.status,
	    CASE e.eab_required WHEN 1 THEN 'required' ELSE 'optional' END AS eab,
	    coalesce((SELECT name FROM applications WHERE id = e.application_id), '') AS application,
	    coalesce((SELECT name FROM templates WHERE id = e.template_id), '') AS template,
	    coalesce(e.tag, '') AS tag,
	    (SELECT count(*) FROM accounts a WHERE a.endpoint_id = e.id) AS accounts,
	    (SELECT count(*) FROM eab_keys k WHERE k.endpoint_id = e.id
	        AND k.status = 'active') AS eab_keys,
	    datetime(e.created, 'unixepoch') AS created
	    FROM endpoints e ORDER BY e.name;"
}

sql_endpoint_show() {	# NAME
	sql_show "SELECT e.name, e.status,
	    CASE e.eab_required WHEN 1 THEN 'required' ELSE 'optional' END AS eab,
	    coalesce((SELECT name FROM applications WHERE id = e.application_id), '') AS application,
	    coalesce((SELECT name FROM templates WHERE id = e.template_id), '') AS template,
	    coalesce(e.tag, '') AS tag,
	    (SELECT count(*) FROM accounts a WHERE a.endpoint_id = e.id
	        AND a.status = 'valid') AS valid_accounts,
	    (SELECT count(*) FROM accounts a WHERE a.endpoint_id = e.id
	        AND a.status <> 'valid') AS inactive_accounts,
	    (SELECT count(*) FROM eab_keys k WHERE k.endpoint_id = e.id
	        AND k.status = 'active') AS active_eab_keys,
	    (SELECT count(*) FROM eab_keys k WHERE k.endpoint_id = e.id
	        AND k.status = 'revoked') AS revoked_eab_keys,
	    datetime(e.created, 'unixepoch') AS created,
	    datetime(e.deactivated, 'unixepoch') AS deactivated
	    FROM endpoints e WHERE e.name = $(sql_quote "$1");"
}

# Deactivates an endpoint, all of its accounts and all of its EAB keys, in
# one transaction; prints "ACCOUNTS|KEYS" (how many changed).
sql_endpoint_deactivate() {	# NAME NOW
	q=$(sql_quote "$1")
	sql_run "BEGIN IMMEDIATE;
	    CREATE TEMP TABLE counts AS SELECT
	        (SELECT count(*) FROM accounts WHERE status = 'valid' AND endpoint_id =
	            (SELECT id FROM endpoints WHERE name = $q)) AS accounts,
	        (SELECT count(*) FROM eab_keys WHERE status = 'active' AND endpoint_id =
	            (SELECT id FROM endpoints WHERE name = $q)) AS keys;
	    UPDATE endpoints SET status = 'deactivated', deactivated = $2
	        WHERE name = $q AND status = 'active';
	    UPDATE accounts SET status = 'deactivated'
	        WHERE status = 'valid' AND endpoint_id = (SELECT id FROM endpoints WHERE name = $q);
	    UPDATE eab_keys SET status = 'revoked', revoked = $2
	        WHERE status = 'active' AND endpoint_id = (SELECT id FROM endpoints WHERE name = $q);
	    COMMIT;
	    SELECT accounts || '|' || keys FROM temp.counts;"
}

# --- EAB keys ------------------------------------------------------------

# KID ENDPOINT HMAC REUSABLE(0|1) NOTE NOW [CHALLENGES] - CHALLENGES are the
# names of the managed challenges the key is limited to, one per line; the
# key and its list in one transaction.
sql_eab_create() {
	_mcs=
	while IFS= read -r r; do
		[ -n "$r" ] || continue
		_mcs="$_mcs INSERT INTO eab_key_challenges (eab_key_id, managed_challenge_id)
		    VALUES ((SELECT id FROM eab_keys WHERE kid = $(sql_quote "$1")),
		        (SELECT id FROM managed_challenges WHERE name = $(sql_quote "$r")));"
	done <<MCS
${7:-}
MCS
	sql_run "BEGIN IMMEDIATE;
	    INSERT INTO eab_keys (kid, endpoint_id, hmac, reusable, note, created)
	    VALUES ($(sql_quote "$1"),
	        (SELECT id FROM endpoints WHERE name = $(sql_quote "$2") AND status = 'active'),
	        $(sql_quote "$3"), $4, $(sql_quote "$5"), $6);
	    $_mcs
	    COMMIT;"
}

sql_eab_status() {	# KID -> prints its status, nothing if unknown
	sql_run "SELECT status FROM eab_keys WHERE kid = $(sql_quote "$1");"
}

# Never selects the MAC key.
sql_eab_list() {	# [ENDPOINT]
	where=
	[ -n "${1:-}" ] && where="WHERE e.name = $(sql_quote "$1")"
	sql_table "SELECT k.kid, e.name AS endpoint, k.status,
	    CASE k.reusable WHEN 1 THEN 'yes' ELSE 'no' END AS reusable,
	    (SELECT count(*) FROM accounts a WHERE a.eab_key_id = k.id) AS accounts,
	    datetime(k.created, 'unixepoch') AS created, coalesce(k.note, '') AS note
	    FROM eab_keys k JOIN endpoints e ON e.id = k.endpoint_id $where
	    ORDER BY e.name, k.created, k.kid;"
}

sql_eab_show() {	# KID
	sql_show "SELECT k.kid, e.name AS endpoint, k.status,
	    CASE k.reusable WHEN 1 THEN 'yes' ELSE 'no' END AS reusable,
	    (SELECT count(*) FROM accounts a WHERE a.eab_key_id = k.id) AS accounts,
	    (SELECT group_concat(a.uid, ' ') FROM accounts a WHERE a.eab_key_id = k.id)
	        AS bound_accounts,
	    coalesce(k.note, '') AS note,
	    coalesce((SELECT group_concat(m.name || CASE m.status WHEN 'active' THEN ''
	            ELSE ' (removed)' END, ' ')
	        FROM eab_key_challenges x JOIN managed_challenges m
	            ON m.id = x.managed_challenge_id
	        WHERE x.eab_key_id = k.id), 'all') AS managed_challenges,
	    datetime(k.created, 'unixepoch') AS created,
	    datetime(k.revoked, 'unixepoch') AS revoked
	    FROM eab_keys k JOIN endpoints e ON e.id = k.endpoint_id
	    WHERE k.kid = $(sql_quote "$1");"
}

sql_eab_revoke() {	# KID NOW
	sql_run "UPDATE eab_keys SET status = 'revoked', revoked = $2
	    WHERE kid = $(sql_quote "$1") AND status = 'active';
	    SELECT changes();"
}

# --- certificate authorities ----------------------------------------------

sql_ca_exists() {	# NAME -> prints its status, nothing if unknown
	sql_run "SELECT status FROM cas WHERE name = $(sql_quote "$1");"
}

# NAME KEY_TYPE ROOT_KEY_TYPE SUBJECT ROOT_PEM ISSUING_PEM ROOT_KEY
# ISSUING_KEY NOT_AFTER NOW
sql_ca_create() {
	sql_run "INSERT INTO cas (name, key_type, root_key_type, subject, root_pem,
	    issuing_pem, root_key, issuing_key, not_after, created)
	    VALUES ($(sql_quote "$1"), $(sql_quote "$2"), $(sql_quote "$3"),
	        $(sql_quote "$4"), $(sql_quote "$5"), $(sql_quote "$6"),
	        $(sql_quote "$7"), $(sql_quote "$8"), $9, ${10});"
}

sql_ca_list() {
	sql_table "SELECT name, status, key_type, subject,
	    datetime(not_after, 'unixepoch') AS expires,
	    datetime(created, 'unixepoch') AS created
	    FROM cas ORDER BY name;"
}

# Never selects a certificate's PEM (sql_ca_certs does) nor, there being
# none, a private key: the key columns are references.
sql_ca_show() {	# NAME
	sql_show "SELECT name, status, key_type, root_key_type, subject,
	    issuing_key, root_key,
	    datetime(not_after, 'unixepoch') AS expires,
	    datetime(created, 'unixepoch') AS created
	    FROM cas WHERE name = $(sql_quote "$1");"
}

sql_ca_certs() {	# NAME -> the issuing certificate, then the root, as PEM
	sql_run "SELECT issuing_pem || char(10) || root_pem FROM cas
	    WHERE name = $(sql_quote "$1");"
}

# --- applications ----------------------------------------------------------

sql_app_exists() {	# NAME -> prints its id, nothing if unknown
	sql_run "SELECT id FROM applications WHERE name = $(sql_quote "$1");"
}

# An empty text is stored as NULL.
sql_opt_text() {
	if [ -n "$1" ]; then sql_quote "$1"; else printf 'NULL'; fi
}

sql_app_create() {	# NAME OWNER DESCRIPTION NOW
	sql_run "INSERT INTO applications (name, owner, description, created)
	    VALUES ($(sql_quote "$1"), $(sql_opt_text "$2"), $(sql_opt_text "$3"), $4);"
}

sql_app_list() {
	sql_table "SELECT a.name, coalesce(a.owner, '') AS owner,
	    (SELECT count(*) FROM endpoints e WHERE e.application_id = a.id) AS endpoints,
	    datetime(a.created, 'unixepoch') AS created,
	    coalesce(a.description, '') AS description
	    FROM applications a ORDER BY a.name;"
}

sql_app_show() {	# NAME
	sql_show "SELECT a.name, coalesce(a.owner, '') AS owner,
	    coalesce(a.description, '') AS description,
	    coalesce((SELECT group_concat(e.name, ' ') FROM endpoints e
	        WHERE e.application_id = a.id), '') AS endpoints,
	    datetime(a.created, 'unixepoch') AS created
	    FROM applications a WHERE a.name = $(sql_quote "$1");"
}

# --- issuing templates -------------------------------------------------------

sql_template_exists() {	# NAME -> prints its id, nothing if unknown
	sql_run "SELECT id FROM templates WHERE name = $(sql_quote "$1");"
}

# NAME CA UPSTREAM WILDCARD KEY_TYPES VALIDITY MAX_VALIDITY EKU NOW DNS_RULES
# IP_RULES (the rules one per line, already in normal form); one
# transaction.  Either CA or UPSTREAM is given; an upstream template has no
# VALIDITY, MAX_VALIDITY nor EKU (empty: NULL).
sql_template_create() {
	_rules=
	while IFS= read -r r; do
		[ -n "$r" ] || continue
		_rules="$_rules INSERT INTO template_rules (template_id, kind, rule)
		    VALUES ((SELECT id FROM templates WHERE name = $(sql_quote "$1")), 'dns', $(sql_quote "$r"));"
	done <<RULES
${10}
RULES
	while IFS= read -r r; do
		[ -n "$r" ] || continue
		_rules="$_rules INSERT INTO template_rules (template_id, kind, rule)
		    VALUES ((SELECT id FROM templates WHERE name = $(sql_quote "$1")), 'ip', $(sql_quote "$r"));"
	done <<RULES
${11}
RULES
	_ca=NULL _up=NULL
	[ -z "$2" ] || _ca="(SELECT id FROM cas WHERE name = $(sql_quote "$2"))"
	[ -z "$3" ] || _up="(SELECT id FROM upstreams WHERE name = $(sql_quote "$3")
	    AND status = 'active')"
	sql_run "BEGIN IMMEDIATE;
	    INSERT INTO templates (name, ca_id, upstream_id, allow_wildcard, key_types,
	        validity_days, max_validity_days, eku, created)
	    VALUES ($(sql_quote "$1"), $_ca, $_up, $4, $(sql_quote "$5"),
	        ${6:-NULL}, ${7:-NULL}, $(sql_opt_text "$8"), $9);
	    $_rules
	    COMMIT;"
}

sql_template_list() {
	sql_table "SELECT t.name, coalesce(c.name, '') AS ca,
	    coalesce(u.name, '') AS upstream,
	    (SELECT count(*) FROM template_rules r WHERE r.template_id = t.id) AS rules,
	    CASE t.allow_wildcard WHEN 1 THEN 'yes' ELSE 'no' END AS wildcard,
	    coalesce(t.validity_days, '') AS days, coalesce(t.eku, '') AS eku,
	    (SELECT count(*) FROM endpoints e WHERE e.template_id = t.id) AS endpoints
	    FROM templates t LEFT JOIN cas c ON c.id = t.ca_id
	    LEFT JOIN upstreams u ON u.id = t.upstream_id ORDER BY t.name;"
}

sql_template_show() {	# NAME
	sql_show "SELECT t.name,
	    CASE WHEN t.upstream_id IS NULL THEN 'ca' ELSE 'upstream' END AS mode,
	    coalesce(c.name, '') AS ca, coalesce(u.name, '') AS upstream,
	    coalesce((SELECT group_concat(r.rule, ' ') FROM template_rules r
	        WHERE r.template_id = t.id AND r.kind = 'dns'), '') AS allow,
	    coalesce((SELECT group_concat(r.rule, ' ') FROM template_rules r
	        WHERE r.template_id = t.id AND r.kind = 'ip'), '') AS allow_ip,
	    CASE t.allow_wildcard WHEN 1 THEN 'yes' ELSE 'no' END AS allow_wildcard,
	    t.key_types,
	    coalesce(t.validity_days, 'set by the upstream') AS validity_days,
	    coalesce(t.max_validity_days, 'set by the upstream') AS max_validity_days,
	    coalesce(t.eku, 'set by the upstream') AS eku,
	    coalesce((SELECT group_concat(e.name, ' ') FROM endpoints e
	        WHERE e.template_id = t.id), '') AS endpoints,
	    datetime(t.created, 'unixepoch') AS created
	    FROM templates t LEFT JOIN cas c ON c.id = t.ca_id
	    LEFT JOIN upstreams u ON u.id = t.upstream_id
	    WHERE t.name = $(sql_quote "$1");"
}

# --- certificates ------------------------------------------------------------

# The status a certificate has at NOW: revoked, expired (past its notAfter,
# which RFC 5280 §4.1.2.5 counts as valid through that second) or valid.
sql_cert_status() {	# NOW -> an SQL expression on "c"
	printf "CASE WHEN c.status = 'revoked' THEN 'revoked'
	    WHEN c.not_after < %s THEN 'expired' ELSE 'valid' END" "$1"
}

sql_cert_exists() {	# SERIAL (lower-case hex) -> prints its id, nothing if unknown
	sql_run "SELECT id FROM certificates WHERE serial = $(sql_quote "$1");"
}

# NOW [ENDPOINT] [APPLICATION] [TAG] [DAYS] - the certificates that match
# every filter given, newest first; DAYS keeps the valid ones whose notAfter
# is at most DAYS days after NOW.  Names and days are checked by the caller.
sql_cert_list() {
	_where="WHERE 1"
	[ -z "${2:-}" ] || _where="$_where AND e.name = $(sql_quote "$2")"
	[ -z "${3:-}" ] || _where="$_where AND c.application_id =
	    (SELECT id FROM applications WHERE name = $(sql_quote "$3"))"
	[ -z "${4:-}" ] || _where="$_where AND c.tag = $(sql_quote "$4")"
	[ -z "${5:-}" ] || _where="$_where AND c.status = 'valid'
	    AND c.not_after BETWEEN $1 AND $1 + $5 * 86400"
	sql_table "SELECT c.serial, $(sql_cert_status "$1") AS status,
	    datetime(c.not_after, 'unixepoch') AS not_after,
	    e.name AS endpoint,
	    coalesce((SELECT name FROM applications WHERE id = c.application_id), '') AS application,
	    coalesce(c.tag, '') AS tag, c.key_type,
	    coalesce((SELECT group_concat(j.value, ',') FROM json_each(c.names) j), '') AS names
	    FROM certificates c JOIN endpoints e ON e.id = c.endpoint_id
	    $_where ORDER BY c.created DESC, c.id DESC;"
}

# Never selects a PEM (sql_cert_pem does).  The reason is named as in
# RFC 5280 §5.3.1.
sql_cert_show() {	# SERIAL NOW
	sql_show "SELECT c.serial, $(sql_cert_status "$2") AS status, c.uid,
	    e.name AS endpoint,
	    coalesce((SELECT name FROM applications WHERE id = c.application_id), '') AS application,
	    coalesce((SELECT name FROM templates WHERE id = c.template_id), '') AS template,
	    coalesce(c.tag, '') AS tag,
	    coalesce((SELECT name FROM cas WHERE id = c.ca_id),
	        'upstream ' || (SELECT name FROM upstreams WHERE id = c.upstream_id)) AS ca,
	    (SELECT uid FROM accounts WHERE id = c.account_id) AS account,
	    (SELECT uid FROM orders WHERE id = c.order_id) AS 'order',
	    coalesce((SELECT group_concat(j.value, ',') FROM json_each(c.names) j), '') AS names,
	    c.key_type,
	    datetime(c.not_before, 'unixepoch') AS not_before,
	    datetime(c.not_after, 'unixepoch') AS not_after,
	    datetime(c.created, 'unixepoch') AS created,
	    datetime(c.revoked, 'unixepoch') AS revoked,
	    CASE c.reason WHEN 0 THEN 'unspecified' WHEN 1 THEN 'keyCompromise'
	        WHEN 2 THEN 'cACompromise' WHEN 3 THEN 'affiliationChanged'
	        WHEN 4 THEN 'superseded' WHEN 5 THEN 'cessationOfOperation'
	        WHEN 6 THEN 'certificateHold' WHEN 8 THEN 'removeFromCRL'
	        WHEN 9 THEN 'privilegeWithdrawn' WHEN 10 THEN 'aACompromise'
	        ELSE c.reason END || ' (' || c.reason || ')' AS reason
	    FROM certificates c JOIN endpoints e ON e.id = c.endpoint_id
	    WHERE c.serial = $(sql_quote "$1");"
}

# SERIAL -> the certificate, then the issuing certificate of its CA (or the
# chain its upstream sent), as PEM (each ending in exactly one newline).
sql_cert_pem() {
	sql_run "SELECT rtrim(c.pem, char(10, 13)) || char(10)
	    || rtrim(coalesce(c.chain, ca.issuing_pem), char(10, 13))
	    FROM certificates c LEFT JOIN cas ca ON ca.id = c.ca_id
	    WHERE c.serial = $(sql_quote "$1");"
}

# --- upstream ACME CAs ------------------------------------------------------

sql_upstream_exists() {	# NAME -> prints its status, nothing if unknown
	sql_run "SELECT status FROM upstreams WHERE name = $(sql_quote "$1");"
}

# NAME DIRECTORY EAB_KID EAB_HMAC CA_BUNDLE CONTACT PROFILE PREFERRED_CHAIN
# KEY_TYPE ACCOUNT_KEY NOW (an empty optional value: NULL)
sql_upstream_create() {
	sql_run "INSERT INTO upstreams (name, directory, eab_kid, eab_hmac, ca_bundle,
	        contact, profile, preferred_chain, key_type, account_key, created)
	    VALUES ($(sql_quote "$1"), $(sql_quote "$2"), $(sql_opt_text "$3"),
	        $(sql_opt_text "$4"), $(sql_opt_text "$5"), $(sql_opt_text "$6"),
	        $(sql_opt_text "$7"), $(sql_opt_text "$8"), $(sql_quote "$9"),
	        $(sql_quote "${10}"), ${11});"
}

# Never selects the EAB MAC key; the account key is a file name.
sql_upstream_list() {
	sql_table "SELECT u.name, u.status, u.directory,
	    coalesce(u.eab_kid, '') AS eab_kid, u.key_type,
	    CASE WHEN u.account_url IS NULL THEN 'no' ELSE 'yes' END AS registered,
	    (SELECT count(*) FROM templates t WHERE t.upstream_id = u.id) AS templates,
	    datetime(u.created, 'unixepoch') AS created
	    FROM upstreams u ORDER BY u.name;"
}

sql_upstream_show() {	# NAME
	sql_show "SELECT u.name, u.status, u.directory,
	    coalesce(u.eab_kid, 'none') AS eab_kid,
	    CASE WHEN u.eab_hmac IS NULL THEN 'none' ELSE 'set (not shown)' END AS eab_hmac,
	    coalesce(u.ca_bundle, 'the system''s') AS ca_bundle,
	    coalesce(u.contact, '') AS contact, coalesce(u.profile, '') AS profile,
	    coalesce(u.preferred_chain, '') AS preferred_chain,
	    u.key_type, u.account_key,
	    coalesce(u.account_url, 'not registered yet') AS account_url,
	    coalesce((SELECT group_concat(t.name, ' ') FROM templates t
	        WHERE t.upstream_id = u.id), '') AS templates,
	    datetime(u.created, 'unixepoch') AS created,
	    datetime(u.removed, 'unixepoch') AS removed
	    FROM upstreams u WHERE u.name = $(sql_quote "$1");"
}

sql_upstream_templates() {	# NAME -> the templates issuing from it, one line
	sql_run "SELECT group_concat(t.name, ' ') FROM templates t
	    JOIN upstreams u ON u.id = t.upstream_id WHERE u.name = $(sql_quote "$1");"
}

sql_upstream_key() {	# NAME -> the account key's file name
	sql_run "SELECT account_key FROM upstreams WHERE name = $(sql_quote "$1");"
}

# Marks it removed, unless a template uses it (the trigger
# upstreams_removal_unused refuses too); prints how many rows changed.
sql_upstream_remove() {	# NAME NOW
	sql_run "UPDATE upstreams SET status = 'removed', removed = $2
	    WHERE name = $(sql_quote "$1") AND status = 'active';
	    SELECT changes();"
}

# --- managed challenges -----------------------------------------------------

sql_mc_exists() {	# NAME -> prints its status, nothing if unknown
	sql_run "SELECT status FROM managed_challenges WHERE name = $(sql_quote "$1");"
}

# NAME TYPE SOLVER HOOK SERVER PORT TSIG_KEY ZONE WEBROOT WAIT CHECK(0|1) NOW
# RULES - the solver's settings given, the others empty (NULL); the rules
# one per line, in normal form; one transaction.
sql_mc_create() {
	_rules=
	while IFS= read -r r; do
		[ -n "$r" ] || continue
		_rules="$_rules INSERT INTO managed_challenge_rules (managed_challenge_id, rule)
		    VALUES ((SELECT id FROM managed_challenges WHERE name = $(sql_quote "$1")),
		        $(sql_quote "$r"));"
	done <<RULES
${13}
RULES
	sql_run "BEGIN IMMEDIATE;
	    INSERT INTO managed_challenges (name, type, solver, hook, server, port,
	        tsig_key, zone, webroot, propagation_wait, propagation_check, created)
	    VALUES ($(sql_quote "$1"), $(sql_quote "$2"), $(sql_quote "$3"),
	        $(sql_opt_text "$4"), $(sql_opt_text "$5"), ${6:-NULL},
	        $(sql_opt_text "$7"), $(sql_opt_text "$8"), $(sql_opt_text "$9"),
	        ${10}, ${11}, ${12});
	    $_rules
	    COMMIT;"
}

# What the solver is given: the program, the server or the directory.
sql_mc_target() {
	printf "CASE m.solver WHEN 'hook' THEN m.hook
	    WHEN 'webroot' THEN m.webroot
	    ELSE CASE WHEN instr(m.server, ':') > 0 THEN '[' || m.server || ']'
	        ELSE m.server END || ':' || m.port END"
}

sql_mc_list() {
	sql_table "SELECT m.name, m.status, m.type, m.solver,
	    $(sql_mc_target) AS target,
	    coalesce((SELECT group_concat(r.rule, ',') FROM managed_challenge_rules r
	        WHERE r.managed_challenge_id = m.id), '') AS match,
	    (SELECT count(*) FROM eab_key_challenges x JOIN eab_keys k ON k.id = x.eab_key_id
	        WHERE x.managed_challenge_id = m.id AND k.status = 'active') AS eab_keys
	    FROM managed_challenges m ORDER BY m.name;"
}

sql_mc_show() {	# NAME
	sql_show "SELECT m.name, m.status, m.type, m.solver,
	    coalesce((SELECT group_concat(r.rule, ' ') FROM managed_challenge_rules r
	        WHERE r.managed_challenge_id = m.id), '') AS match,
	    coalesce(m.hook, '') AS hook, coalesce(m.server, '') AS server,
	    coalesce(m.port, '') AS port, coalesce(m.tsig_key, '') AS tsig_key,
	    coalesce(m.zone, '') AS zone, coalesce(m.webroot, '') AS webroot,
	    m.propagation_wait,
	    CASE m.propagation_check WHEN 1 THEN 'yes' ELSE 'no' END AS propagation_check,
	    coalesce((SELECT group_concat(k.kid, ' ') FROM eab_key_challenges x
	        JOIN eab_keys k ON k.id = x.eab_key_id
	        WHERE x.managed_challenge_id = m.id AND k.status = 'active'), '') AS eab_keys,
	    datetime(m.created, 'unixepoch') AS created,
	    datetime(m.removed, 'unixepoch') AS removed
	    FROM managed_challenges m WHERE m.name = $(sql_quote "$1");"
}

sql_mc_keys() {	# NAME -> how many active EAB keys list it
	sql_run "SELECT count(*) FROM eab_key_challenges x
	    JOIN eab_keys k ON k.id = x.eab_key_id
	    JOIN managed_challenges m ON m.id = x.managed_challenge_id
	    WHERE m.name = $(sql_quote "$1") AND k.status = 'active';"
}

sql_mc_remove() {	# NAME NOW -> how many rows changed
	sql_run "UPDATE managed_challenges SET status = 'removed', removed = $2
	    WHERE name = $(sql_quote "$1") AND status = 'active';
	    SELECT changes();"
}
