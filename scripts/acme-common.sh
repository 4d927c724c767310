# acme-common.sh - shared code of the acme-fcgi administration scripts
# (sourced, POSIX sh).  Sets ACME_DB_PATH and loads the SQL in admin.sh.
#
# Exit codes of every script: 0 success, 1 refused or failed (message on
# stderr, database unchanged), 2 usage error.

: "${ACME_SHARE:?}"
if [ -r "$ACME_SHARE/admin.sh" ]; then
	. "$ACME_SHARE/admin.sh"
else
	. "$ACME_SHARE/../sql/admin.sh"
fi

ACME_DB_PATH=${ACME_DB:-}
acme_config=${ACME_FCGI_CONFIG:-}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

usage_die() {
	usage >&2
	exit 2
}

# opt_value OPTION VALUE - fails unless an option has its value.
opt_value() {
	[ -n "${2+x}" ] && [ -n "$2" ] || { printf '%s: %s needs a value\n' "$prog" "$1" >&2; exit 2; }
}

# Handles the options every script takes; returns 1 if $1 is not one.
# Callers shift by $common_shift afterwards.
common_opt() {
	common_shift=0
	case $1 in
	--db) opt_value "$1" "${2-}"; ACME_DB_PATH=$2; common_shift=2 ;;
	--db=*) ACME_DB_PATH=${1#--db=}; common_shift=1 ;;
	--config) opt_value "$1" "${2-}"; acme_config=$2; common_shift=2 ;;
	--config=*) acme_config=${1#--config=}; common_shift=1 ;;
	-h|--help) usage; exit 0 ;;
	*) return 1 ;;
	esac
	return 0
}

# Finds the database (--db, $ACME_DB, or "database" in the acme-fcgi
# configuration) and checks it is one of ours, at our schema version.
open_db() {
	if [ -z "$ACME_DB_PATH" ]; then
		conf=${acme_config:-/etc/acme-fcgi.conf}
		if [ -r "$conf" ]; then
			ACME_DB_PATH=$(sed -n 's/^[[:space:]]*database[[:space:]]*=[[:space:]]*//p' "$conf" |
			    sed 's/[[:space:]]*$//' | tail -n 1)
		fi
	fi
	[ -n "$ACME_DB_PATH" ] ||
	    die "no database: give --db PATH, set ACME_DB, or --config FILE"
	command -v sqlite3 >/dev/null 2>&1 ||
	    die "the sqlite3 program is needed (Debian package sqlite3)"
	[ -f "$ACME_DB_PATH" ] ||
	    die "database $ACME_DB_PATH does not exist (acme-fcgi --init-db creates it)"
	[ -r "$ACME_DB_PATH" ] && [ -w "$ACME_DB_PATH" ] ||
	    die "database $ACME_DB_PATH is not readable and writable by $(id -un)"
	v=$(sql_schema_version 2>/dev/null) || die "$ACME_DB_PATH is not an SQLite database"
	[ "$v" = "$ACME_SCHEMA_VERSION" ] ||
	    die "$ACME_DB_PATH has schema version ${v:-?}; these scripts need $ACME_SCHEMA_VERSION (run acme-fcgi --init-db to migrate)"
}

check_name() {	# WHAT VALUE - endpoint, application, template, CA names
	case $2 in
	''|[!a-z0-9]*|*[!a-z0-9_-]*) die "invalid $1 name \"$2\": use [a-z0-9][a-z0-9_-]*, at most 63 characters" ;;
	esac
	[ ${#2} -le 63 ] || die "invalid $1 name \"$2\": at most 63 characters"
}

check_kid() {
	case $1 in
	''|*[!A-Za-z0-9_-]*) die "invalid key identifier \"$1\": use [A-Za-z0-9_-], at most 128 characters" ;;
	esac
	[ ${#1} -le 128 ] || die "invalid key identifier \"$1\": at most 128 characters"
}

check_text() {	# WHAT VALUE MAXLEN - free text: printable, bounded
	[ ${#2} -le "$3" ] || die "$1 is longer than $3 characters"
	case $2 in
	*[[:cntrl:]]*) die "$1 contains control characters" ;;
	esac
}

now() {
	date +%s
}

# find_tool NAME - sets $tool to the C helper NAME: installed in
# $ACME_LIBEXEC (each script sets it to its @pkglibexecdir@), else built in
# tools/ of a build tree (the tests' top_builddir, quickstart's
# ACME_BUILDDIR, or the tree the script is in).
find_tool() {
	tool=${ACME_LIBEXEC:-}/$1
	[ -n "${ACME_LIBEXEC:-}" ] && [ -x "$tool" ] && return 0
	here=$(dirname -- "$0")
	for d in "${top_builddir:-}" "${ACME_BUILDDIR:-}" "$here" "$here/.."; do
		tool=$d/tools/$1
		[ -n "$d" ] && [ -x "$tool" ] && return 0
	done
	die "$1 not found (make builds it in tools/; make install puts it in ${ACME_LIBEXEC:-the libexec directory})"
}

# random_b64url BYTES - BYTES random bytes, base64url without padding.
random_b64url() {
	head -c "$1" /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

# random_hex BYTES
random_hex() {
	od -An -tx1 -N "$1" /dev/urandom | tr -d ' \n'
}
