# debian-packages.sh - install missing Debian packages (sourced, POSIX sh).
#
# Used by scripts/check and scripts/quickstart.  As root, missing packages
# are installed with apt-get (after one "apt-get update"); as anyone else,
# the missing ones are named with the command that installs them.

# What building acme-fcgi needs.
PKGS_BUILD="gcc make autoconf automake pkgconf libc6-dev libfcgi-dev \
libgnutls28-dev libjson-c-dev libsqlite3-dev libcurl4-gnutls-dev libunbound-dev \
sqlite3 gnutls-bin"
# What the tests need on top: cmocka, the web servers (lighttpd's TLS module
# is only recommended, and recommends are not installed), the ACME clients.
PKGS_TEST="libcmocka-dev curl jq mandoc lighttpd lighttpd-mod-openssl nginx-light apache2 \
libapache2-mod-fcgid spawn-fcgi certbot lego uacme pebble softhsm2 procps python3 \
knot knot-dnsutils bind9-dnsutils"

# pkgs_missing PKG... - print the packages of the list not installed.
pkgs_missing() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || printf '%s ' "$p"
	done
}

# pkgs_install PKG... - make sure every package is installed; 1 if not.
pkgs_install() {
	command -v dpkg-query >/dev/null 2>&1 || {
		echo "$0: not a Debian system; install the equivalents of: $*" >&2
		return 1
	}
	missing=$(pkgs_missing "$@")
	[ -n "$missing" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "$0: missing Debian packages; as root run:" >&2
		echo "    apt-get install -y $missing" >&2
		return 1
	fi
	echo "$0: installing $missing" >&2
	# Installing a web server must not start it on port 80 (nor fail
	# when another already listens there): no service starts during
	# the installation, as in Debian's container images.
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
	fi
	rc=0
	# shellcheck disable=SC2086 # the list is split on purpose
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing >&2 || rc=1
	[ -z "$policy" ] || rm -f "$policy"
	[ $rc -eq 0 ] || echo "$0: apt-get failed" >&2
	return $rc
}
