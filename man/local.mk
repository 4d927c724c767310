## Manual pages (mdoc).

dist_man_MANS = man/acme-fcgi.8 man/acme-fcgi.conf.5
dist_man_MANS += man/acme-endpoint.8 man/acme-eab.8 man/acme-app.8 man/acme-template.8
dist_man_MANS += man/acme-ca.8 man/acme-cert.8
dist_man_MANS += man/acme-upstream.8 man/acme-managed-challenge.8

TESTS += man/lint.sh
EXTRA_DIST += man/lint.sh
