#!/bin/sh
# schema-version.sh - TAP test: the schema version the admin scripts are
# written for (ACME_SCHEMA_VERSION in sql/admin.sh) is the one acme-fcgi
# creates (PRAGMA user_version after --init-db), and that databases of
# versions 1 (the first release: no orders), 2 (no upstreams; templates need
# a CA) and 3 (certificates need a CA; jobs of one kind) are migrated to
# exactly the schema a new database gets, keeping their rows and the
# references to them.
set -eu

: "${top_srcdir:?}" "${top_builddir:?}"

echo "1..4"
desc="sql/admin.sh ACME_SCHEMA_VERSION equals the version acme-fcgi --init-db creates"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "not ok 1 - $desc # sqlite3 not found (Debian package sqlite3)"
	exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/acme-schema.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

want=$(sed -n 's/^ACME_SCHEMA_VERSION=\([0-9][0-9]*\)$/\1/p' \
    "$top_srcdir/sql/admin.sh")
printf 'database = %s\nbase_url = https://example.test/acme\n' \
    "$dir/acme.db" > "$dir/acme-fcgi.conf"

got=
if "$top_builddir/acme-fcgi" -c "$dir/acme-fcgi.conf" --init-db \
    >"$dir/out" 2>&1; then
	got=$(sqlite3 "$dir/acme.db" 'PRAGMA user_version;')
fi

if [ -n "$want" ] && [ "$got" = "$want" ]; then
	echo "ok 1 - $desc ($got)"
else
	echo "not ok 1 - $desc"
	echo "# admin.sh says '${want}', acme-fcgi created '${got}'"
	sed 's/^/# /' "$dir/out"
fi

# The tables as versions before 4 (certificates, jobs) and 3 (templates) had them.
cat > "$dir/old-certificates.sql" <<'SQL'
CREATE TABLE certificates (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,
	serial		TEXT NOT NULL UNIQUE
			CHECK (length(serial) BETWEEN 2 AND 40 AND serial NOT GLOB '*[^0-9a-f]*'),
	order_id	INTEGER NOT NULL UNIQUE REFERENCES orders(id),
	account_id	INTEGER NOT NULL REFERENCES accounts(id),
	endpoint_id	INTEGER NOT NULL REFERENCES endpoints(id),
	application_id	INTEGER REFERENCES applications(id),
	template_id	INTEGER REFERENCES templates(id),
	tag		TEXT,
	ca_id		INTEGER NOT NULL REFERENCES cas(id),
	names		TEXT NOT NULL CHECK (json_valid(names)),
	key_type	TEXT NOT NULL,
	not_before	INTEGER NOT NULL,
	not_after	INTEGER NOT NULL,
	pem		TEXT NOT NULL CHECK (pem LIKE '-----BEGIN CERTIFICATE-----%'),
	status		TEXT NOT NULL DEFAULT 'valid'
			CHECK (status IN ('valid', 'revoked')),
	revoked		INTEGER,
	reason		INTEGER,
	created		INTEGER NOT NULL
);
CREATE INDEX certificates_endpoint ON certificates(endpoint_id);
CREATE INDEX certificates_not_after ON certificates(not_after);
SQL
cat > "$dir/old-jobs.sql" <<'SQL'
CREATE TABLE jobs (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('upstream_order')),
	ref_id		INTEGER NOT NULL,
	state		TEXT NOT NULL DEFAULT 'queued'
			CHECK (state IN ('queued', 'running', 'done', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts	INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 1000),
	next_run	INTEGER NOT NULL,
	lease_owner	TEXT CHECK (lease_owner IS NULL
			    OR length(lease_owner) BETWEEN 3 AND 128),
	lease_until	INTEGER,
	deadline	INTEGER NOT NULL,
	last_error	TEXT CHECK (last_error IS NULL OR length(last_error) <= 1024),
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL,
	UNIQUE (kind, ref_id),
	CHECK ((state = 'running') = (lease_owner IS NOT NULL)
	    AND (lease_owner IS NULL) = (lease_until IS NULL))
);
CREATE INDEX jobs_due ON jobs(state, next_run);
SQL
cat > "$dir/old-templates.sql" <<'SQL'
CREATE TABLE templates (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	ca_id		INTEGER NOT NULL REFERENCES cas(id),
	allow_wildcard	INTEGER NOT NULL DEFAULT 0 CHECK (allow_wildcard IN (0, 1)),
	key_types	TEXT NOT NULL
			CHECK (key_types <> '' AND key_types NOT GLOB '*[^a-z0-9,]*'),
	validity_days	INTEGER NOT NULL CHECK (validity_days BETWEEN 1 AND 3650),
	max_validity_days INTEGER NOT NULL
			CHECK (max_validity_days BETWEEN validity_days AND 3650),
	eku		TEXT NOT NULL
			CHECK (eku IN ('serverAuth', 'clientAuth', 'serverAuth,clientAuth',
			    'clientAuth,serverAuth')),
	created		INTEGER NOT NULL
);
SQL

# old_db VERSION FILE - a database of VERSION made from a new one: the
# tables later migrations add are dropped, certificates is as it was before
# version 4 rebuilt it (jobs too, in version 3), orders without the index
# version 4 added, and templates as before version 3 did (version 3 has
# today's).  Then rows that refer to each other.
old_db() {
	cp "$dir/acme.db" "$2"
	drop="DROP TABLE upstream_orders; DROP TABLE certificates;"
	[ "$1" -ge 3 ] || drop="$drop DROP TABLE eab_key_challenges;
	    DROP TABLE managed_challenge_rules; DROP TABLE managed_challenges;
	    DROP TABLE templates; DROP TABLE upstreams; DROP TABLE jobs;"
	[ "$1" -ge 2 ] || drop="$drop DROP TABLE authorizations; DROP TABLE orders;"
	# Version 4 added the index orders_unfinished (max_pending_orders).
	[ "$1" -lt 2 ] || drop="$drop DROP INDEX orders_unfinished;"
	[ "$1" -lt 2 ] || drop="$drop
$(cat "$dir/old-certificates.sql")"
	[ "$1" -lt 3 ] || drop="$drop DROP TABLE jobs;
$(cat "$dir/old-jobs.sql")"
	[ "$1" -ge 3 ] || drop="$drop
$(cat "$dir/old-templates.sql")"
	sqlite3 "$2" "$drop
PRAGMA user_version = $1;
PRAGMA foreign_keys = ON;
INSERT INTO endpoints (name, created) VALUES ('kept', 1);
INSERT INTO cas (name, key_type, root_key_type, subject, root_pem, issuing_pem,
    root_key, issuing_key, not_after, created)
    VALUES ('ca', 'ec384', 'ec384', 'CN=x', '-----BEGIN CERTIFICATE-----',
        '-----BEGIN CERTIFICATE-----', '/k1', '/k2', 9, 1);
INSERT INTO applications (name, created) VALUES ('app', 1);
INSERT INTO templates (id, name, ca_id, key_types, validity_days,
    max_validity_days, eku, created)
    VALUES (7, 'web', 1, 'ec256', 30, 90, 'clientAuth', 2), (9, 'other', 1, 'ec384', 1, 1, 'serverAuth', 3);
INSERT INTO template_rules VALUES (7, 'dns', '*.example.com'), (9, 'ip', '192.0.2.0/24');
INSERT INTO endpoints (name, application_id, template_id, created) VALUES ('web', 1, 7, 1);" ||
	    return 1
	[ "$1" -ge 2 ] || return 0
	sqlite3 "$2" "PRAGMA foreign_keys = ON;
INSERT INTO accounts (uid, endpoint_id, jwk, thumbprint, created)
    VALUES ('a', (SELECT id FROM endpoints WHERE name = 'web'), '{}', 't', 1);
INSERT INTO orders (uid, account_id, status, identifiers, expires, created)
    VALUES ('o', 1, 'valid', '[]', 2, 1);
INSERT INTO certificates (uid, serial, order_id, account_id, endpoint_id,
    application_id, template_id, ca_id, names, key_type, not_before, not_after,
    pem, created)
    VALUES ('c', '0a0b', 1, 1, 2, 1, 9, 1, '[]', 'ec256', 1, 2,
        '-----BEGIN CERTIFICATE-----', 1);" || return 1
	[ "$1" -ge 3 ] || return 0
	sqlite3 "$2" "INSERT INTO jobs (id, kind, ref_id, max_attempts, next_run,
    deadline, created, updated) VALUES (5, 'upstream_order', 1, 3, 1, 2, 1, 1);"
}

# migrated DESC VERSION - a database of VERSION migrates to the schema of a
# new one with its rows, templates and what refers to them intact.
migrated() {
	old=$dir/v$2.db
	why=
	old_db "$2" "$old" 2>"$dir/out" || why="$why cannot make it: $(cat "$dir/out");"
	printf 'database = %s\nbase_url = https://example.test/acme\n' "$old" > "$dir/v$2.conf"
	"$top_builddir/acme-fcgi" -c "$dir/v$2.conf" --init-db >"$dir/out" 2>&1 ||
	    why="$why --init-db failed;"
	[ "$(sqlite3 "$old" 'PRAGMA user_version;')" = "$want" ] || why="$why version;"
	[ "$(sqlite3 "$old" "SELECT group_concat(name) FROM endpoints")" = kept,web ] ||
	    why="$why endpoints;"
	[ "$(sqlite3 "$old" "SELECT t.id, t.name, c.name, t.upstream_id IS NULL,
	    t.key_types, t.validity_days, t.max_validity_days, t.eku, t.created
	    FROM templates t JOIN cas c ON c.id = t.ca_id ORDER BY t.id" | tr '\n' ' ')" = \
	    "7|web|ca|1|ec256|30|90|clientAuth|2 9|other|ca|1|ec384|1|1|serverAuth|3 " ] ||
	    why="$why templates: $(sqlite3 "$old" "SELECT * FROM templates");"
	[ "$(sqlite3 "$old" "SELECT t.name, r.rule FROM template_rules r
	    JOIN templates t ON t.id = r.template_id ORDER BY 1" | tr '\n' ' ')" = \
	    "other|192.0.2.0/24 web|*.example.com " ] || why="$why rules;"
	[ "$(sqlite3 "$old" "SELECT t.name FROM endpoints e
	    JOIN templates t ON t.id = e.template_id")" = web ] || why="$why binding;"
	[ "$2" -lt 2 ] || [ "$(sqlite3 "$old" "SELECT t.name FROM certificates c
	    JOIN templates t ON t.id = c.template_id")" = other ] || why="$why certificate;"
	[ "$2" -lt 3 ] || [ "$(sqlite3 "$old" "SELECT id, kind, ref_id, state,
	    max_attempts FROM jobs")" = "5|upstream_order|1|queued|3" ] || why="$why jobs;"
	[ -z "$(sqlite3 "$old" 'PRAGMA foreign_key_check;')" ] || why="$why foreign keys;"
	[ "$(sqlite3 "$old" "SELECT type, name, sql FROM sqlite_master ORDER BY name")" = \
	    "$(sqlite3 "$dir/acme.db" "SELECT type, name, sql FROM sqlite_master ORDER BY name")" ] ||
	    why="$why schema differs;"
	if [ -z "$why" ]; then
		echo "ok $3 - $1"
	else
		echo "not ok $3 - $1:$why"
		sed 's/^/# /' "$dir/out"
	fi
}

migrated "a version 1 database migrates to the schema of a new one, rows kept" 1 2
migrated "a version 2 database migrates to the schema of a new one, rows and references kept" 2 3
migrated "a version 3 database migrates to the schema of a new one, rows and references kept" 3 4
