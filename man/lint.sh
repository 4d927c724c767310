#!/bin/sh
# lint.sh - TAP: every manual page in man/ passes "mandoc -T lint -W warning".
#
# Without mandoc the test is skipped, except under CI=true, where every
# prerequisite must be installed and a skip would hide a broken page.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
mandir=$top_srcdir/man

if ! command -v mandoc >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - mandoc not installed (required when CI=true; Debian package mandoc)"
		exit 1
	fi
	echo "1..0 # SKIP mandoc not installed"
	exit 0
fi

set --
for page in "$mandir"/*.[1-9]; do
	[ -f "$page" ] && set -- "$@" "$page"
done
if [ $# -eq 0 ]; then
	echo "1..1"
	echo "not ok 1 - no manual pages in $mandir"
	exit 1
fi

echo "1..$#"
n=0
failed=0
for page in "$@"; do
	n=$((n + 1))
	msgs=$(mandoc -T lint -W warning "$page" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$msgs" ]; then
		echo "ok $n - ${page##*/}"
	else
		echo "not ok $n - ${page##*/}"
		[ -n "$msgs" ] || msgs="mandoc exited with status $rc"
		printf '%s\n' "$msgs" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
