# admin.sh - the SQL of the administration scripts (sourced, POSIX sh).
#
# Like sql/db.c for the C code, this file is the only place where the shell
# scripts speak SQL.  Every value reaches SQL either checked against a strict
# pattern by the caller or through sql_quote; every multi-statement change is
# one BEGIN IMMEDIATE transaction that sqlite3 -bail abandons (rolls back) at
# the first error.

# The schema version these statements are written for; acme-fcgi creates and
# migrates the database, and a test checks the two agree.
ACME_SCHEMA_VERSION=1

# sql_quote TEXT - TEXT as an SQL string literal.
sql_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# sql_run SQL... - run statements on $ACME_DB_PATH; rows as "a|b|c" lines.
sql_run() {
	sqlite3 -batch -bail -noheader -list -separator '|' \
	    -cmd '.timeout 10000' -cmd 'PRAGMA foreign_keys = ON' \
	    "$ACME_DB_PATH" "$@"
}

# sql_table SQL - run a query, printed as aligned columns with a header.
sql_table() {
	sqlite3 -batch -bail -header -column \
	    -cmd '.timeout 10000' "$ACME_DB_PATH" "$1"
}

# sql_show SQL - run a query, one "column = value" line per field.
sql_show() {
	sqlite3 -batch -bail -line -cmd '.timeout 10000' "$ACME_DB_PATH" "$1"
}

sql_schema_version() {
	sql_run 'PRAGMA user_version;'
}

# --- endpoints -----------------------------------------------------------

sql_endpoint_exists() {	# NAME -> prints its status, nothing if unknown
	sql_run "SELECT status FROM endpoints WHERE name = $(sql_quote "$1");"
}

sql_endpoint_create() {	# NAME EAB_REQUIRED(0|1) NOW
	sql_run "INSERT INTO endpoints (name, eab_required, created)
	    VALUES ($(sql_quote "$1"), $2, $3);"
}

sql_endpoint_list() {
	sql_table "SELECT e.name, e.status,
	    CASE e.eab_required WHEN 1 THEN 'required' ELSE 'optional' END AS eab,
	    (SELECT count(*) FROM accounts a WHERE a.endpoint_id = e.id) AS accounts,
	    (SELECT count(*) FROM eab_keys k WHERE k.endpoint_id = e.id
	        AND k.status = 'active') AS eab_keys,
	    datetime(e.created, 'unixepoch') AS created
	    FROM endpoints e ORDER BY e.name;"
}

sql_endpoint_show() {	# NAME
	sql_show "SELECT e.name, e.status,
	    CASE e.eab_required WHEN 1 THEN 'required' ELSE 'optional' END AS eab,
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

sql_eab_create() {	# KID ENDPOINT HMAC REUSABLE(0|1) NOTE NOW
	sql_run "INSERT INTO eab_keys (kid, endpoint_id, hmac, reusable, note, created)
	    VALUES ($(sql_quote "$1"),
	        (SELECT id FROM endpoints WHERE name = $(sql_quote "$2") AND status = 'active'),
	        $(sql_quote "$3"), $4, $(sql_quote "$5"), $6);"
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
