#!/bin/sh
# schema-version.sh - TAP test: the schema version the admin scripts are
# written for (ACME_SCHEMA_VERSION in sql/admin.sh) is the one acme-fcgi
# creates (PRAGMA user_version after --init-db).
set -eu

: "${top_srcdir:?}" "${top_builddir:?}"

echo "1..1"
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
