## Unit tests (cmocka), one program per core module, and a TAP script that
## checks the admin scripts and the program agree on the schema version.
## Each program runs one cmocka group, which prints TAP when
## CMOCKA_MESSAGE_OUTPUT=TAP (see AM_TESTS_ENVIRONMENT).

if ENABLE_TESTS

UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = $(LIBACME) $(CMOCKA_LIBS)

# Shared assertions; fixture.c holds the temporary-file helpers and is the
# only test code that speaks SQL.
EXTRA_DIST += tests/unit/testutil.h

check_PROGRAMS += tests/unit/test_b64url
TESTS += tests/unit/test_b64url
tests_unit_test_b64url_SOURCES = tests/unit/test_b64url.c
tests_unit_test_b64url_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_b64url_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_json
TESTS += tests/unit/test_json
tests_unit_test_json_SOURCES = tests/unit/test_json.c
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_jwk
TESTS += tests/unit/test_jwk
tests_unit_test_jwk_SOURCES = tests/unit/test_jwk.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_jwk_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jwk_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_jws
TESTS += tests/unit/test_jws
tests_unit_test_jws_SOURCES = tests/unit/test_jws.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_jws_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jws_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_eab
TESTS += tests/unit/test_eab
tests_unit_test_eab_SOURCES = tests/unit/test_eab.c
tests_unit_test_eab_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_eab_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_nonce
TESTS += tests/unit/test_nonce
tests_unit_test_nonce_SOURCES = tests/unit/test_nonce.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_nonce_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_nonce_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_problem
TESTS += tests/unit/test_problem
tests_unit_test_problem_SOURCES = tests/unit/test_problem.c
tests_unit_test_problem_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_problem_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_resource
TESTS += tests/unit/test_resource
tests_unit_test_resource_SOURCES = tests/unit/test_resource.c
tests_unit_test_resource_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_resource_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_contact
TESTS += tests/unit/test_contact
tests_unit_test_contact_SOURCES = tests/unit/test_contact.c
tests_unit_test_contact_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_contact_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_db
TESTS += tests/unit/test_db
tests_unit_test_db_SOURCES = tests/unit/test_db.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_db_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_db_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_acme
TESTS += tests/unit/test_acme
tests_unit_test_acme_SOURCES = tests/unit/test_acme.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_acme_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_acme_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_identifier
TESTS += tests/unit/test_identifier
tests_unit_test_identifier_SOURCES = tests/unit/test_identifier.c
tests_unit_test_identifier_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_identifier_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_ca
TESTS += tests/unit/test_ca
tests_unit_test_ca_SOURCES = tests/unit/test_ca.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_ca_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ca_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_order
TESTS += tests/unit/test_order
tests_unit_test_order_SOURCES = tests/unit/test_order.c
tests_unit_test_order_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_order_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_upstream
TESTS += tests/unit/test_upstream
tests_unit_test_upstream_SOURCES = tests/unit/test_upstream.c
tests_unit_test_upstream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_upstream_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_policy
TESTS += tests/unit/test_policy
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_policy_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_acme_client
TESTS += tests/unit/test_acme_client
tests_unit_test_acme_client_SOURCES = tests/unit/test_acme_client.c
tests_unit_test_acme_client_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_acme_client_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_job
TESTS += tests/unit/test_job
tests_unit_test_job_SOURCES = tests/unit/test_job.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_job_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_job_LDADD = $(UNIT_LDADD)

TESTS += tests/unit/schema-version.sh
EXTRA_DIST += tests/unit/schema-version.sh

endif

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test_signer
TESTS += tests/unit/test_signer
tests_unit_test_signer_SOURCES = tests/unit/test_signer.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_signer_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_signer_LDADD = $(UNIT_LDADD)
endif

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test_csr
TESTS += tests/unit/test_csr
tests_unit_test_csr_SOURCES = tests/unit/test_csr.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_csr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_csr_LDADD = $(UNIT_LDADD)
endif

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test_solver
TESTS += tests/unit/test_solver
tests_unit_test_solver_SOURCES = tests/unit/test_solver.c
tests_unit_test_solver_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_solver_LDADD = $(UNIT_LDADD)
endif

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test_ari
TESTS += tests/unit/test_ari
tests_unit_test_ari_SOURCES = tests/unit/test_ari.c
tests_unit_test_ari_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ari_LDADD = $(UNIT_LDADD)
endif

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test_revoke
TESTS += tests/unit/test_revoke
tests_unit_test_revoke_SOURCES = tests/unit/test_revoke.c
tests_unit_test_revoke_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_revoke_LDADD = $(UNIT_LDADD)
endif
