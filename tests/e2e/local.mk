## End-to-end tests: real web servers, real ACME clients, curl probes.

check_PROGRAMS += tests/e2e/acme-probe
tests_e2e_acme_probe_SOURCES = tests/e2e/acme-probe.c
tests_e2e_acme_probe_LDADD = $(LIBACME)

# The ACME client (core/acme_client.h) obtaining certificates; client.sh.
check_PROGRAMS += tests/e2e/acme-client-demo
tests_e2e_acme_client_demo_SOURCES = tests/e2e/acme-client-demo.c
tests_e2e_acme_client_demo_LDADD = $(LIBACME)

E2E_TESTS = tests/e2e/protocol.sh tests/e2e/quickstart.sh
E2E_TESTS += tests/e2e/ca.sh
E2E_TESTS += tests/e2e/fronts.sh
E2E_TESTS += tests/e2e/issue.sh
E2E_TESTS += tests/e2e/policy-admin.sh
E2E_TESTS += tests/e2e/orders.sh
E2E_TESTS += tests/e2e/cert-admin.sh
E2E_TESTS += tests/e2e/upstream-admin.sh
E2E_TESTS += tests/e2e/rfc2136.sh
E2E_TESTS += tests/e2e/client.sh
E2E_TESTS += tests/e2e/proxy.sh
E2E_TESTS += tests/e2e/ari.sh
E2E_TESTS += tests/e2e/revoke.sh
E2E_TESTS += tests/e2e/chain.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += tests/e2e/lib.sh tests/e2e/keymem.sh tests/e2e/challtestsrv-hook $(E2E_TESTS)
