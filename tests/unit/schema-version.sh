#!/bin/sh
# schema-version.sh - TAP test: the schema version the admin scripts are
# written for (ACME_SCHEMA_VERSION in sql/admin.sh) is the one acme-fcgi
# creates (PRAGMA user_version after --init-db), and a version 1 database
# (the first release: no orders) is migrated to exactly the schema a new
# database gets, keeping its rows.
set -eu

: "${top_srcdir:?}" "${top_builddir:?}"

echo "1..2"
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

# A version 1 database: today's without the tables migration 002 adds.
desc="a version 1 database migrates to the schema of a new one, rows kept"
v1=$dir/v1.db
cp "$dir/acme.db" "$v1"
sqlite3 "$v1" "DROP TABLE certificates; DROP TABLE authorizations;
    DROP TABLE orders; PRAGMA user_version = 1;
    INSERT INTO endpoints (name, created) VALUES ('kept', 1);"
printf 'database = %s\nbase_url = https://example.test/acme\n' "$v1" > "$dir/v1.conf"
if "$top_builddir/acme-fcgi" -c "$dir/v1.conf" --init-db >"$dir/out" 2>&1 &&
    [ "$(sqlite3 "$v1" 'PRAGMA user_version;')" = "$want" ] &&
    [ "$(sqlite3 "$v1" "SELECT name FROM endpoints")" = kept ] &&
    [ "$(sqlite3 "$v1" "SELECT type, name, sql FROM sqlite_master ORDER BY name")" = \
      "$(sqlite3 "$dir/acme.db" "SELECT type, name, sql FROM sqlite_master ORDER BY name")" ]; then
	echo "ok 2 - $desc"
else
	echo "not ok 2 - $desc"
	sed 's/^/# /' "$dir/out"
fi
