/*
 * test_policy.c - what an issuing template allows: identifiers, validity
 * and extended key usages.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ca.h"
#include "policy.h"
#include "problem.h"
#include "testutil.h"

#define DAY	86400
#define NOW	2000000000

static char r_suffix[] = "*.example.com", r_host[] = "host.example.net";
static char r_v4[] = "192.0.2.0/24", r_v6[] = "2001:db8::/32";
static char *dns_rules[] = { r_suffix, r_host, NULL };
static char *ip_rules[] = { r_v4, r_v6, NULL };

static struct db_policy
policy(void)
{
	struct db_policy pol;

	memset(&pol, 0, sizeof(pol));
	pol.dns_rules = dns_rules;
	pol.ip_rules = ip_rules;
	pol.validity_days = 90;
	pol.max_validity_days = 397;
	snprintf(pol.eku, sizeof(pol.eku), "serverAuth");
	return pol;
}

static struct identifier
id(const char *type, const char *value)
{
	struct identifier	i;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	if (!ident_parse(type, value, &i, &p))
		fail_msg("test identifier %s refused: %s", value, p.detail);
	return i;
}

static void
test_authorize(void **state)
{
	struct db_policy	pol = policy();
	struct identifier	ok[4], bad[4];
	struct problem		p;

	(void)state;
	memset(&p, 0, sizeof(p));
	ok[0] = id("dns", "a.example.com");
	ok[1] = id("dns", "a.b.example.com");
	ok[2] = id("dns", "host.example.net");
	ok[3] = id("ip", "192.0.2.200");
	assert_true(policy_authorize(&pol, ok, 4, &p));
	assert_int_equal(p.type, PROB_NONE);

	bad[0] = id("dns", "example.com");		/* not below itself */
	bad[1] = id("dns", "*.example.com");		/* no wildcards here */
	bad[2] = id("ip", "198.51.100.1");
	bad[3] = id("dns", "other.example.net");
	assert_false(policy_authorize(&pol, bad, 4, &p));
	assert_problem(&p, PROB_REJECTED_IDENTIFIER, "4 of 4 identifiers are not allowed");
	assert_int_equal(p.nsub, 4);
	assert_string_equal(p.sub[0].id_value, "example.com");
	assert_contains(p.sub[0].detail, "no name rule");
	assert_contains(p.sub[1].detail, "no wildcard names");
	assert_string_equal(p.sub[2].id_type, "ip");
	assert_contains(p.sub[2].detail, "no address rule");
	problem_clear(&p);

	/* Mixed: only the refused one is a subproblem. */
	bad[0] = ok[0];
	assert_false(policy_authorize(&pol, bad, 2, &p));
	assert_int_equal(p.nsub, 1);
	assert_string_equal(p.sub[0].id_value, "*.example.com");
	problem_clear(&p);

	pol.allow_wildcard = 1;
	assert_true(policy_authorize(&pol, bad, 2, &p));
	pol.ip_rules = NULL;
	assert_false(policy_authorize(&pol, &ok[3], 1, &p));
	assert_contains(p.sub[0].detail, "allows no IP addresses");
	problem_clear(&p);
}

static void
test_validity(void **state)
{
	struct db_policy	pol = policy();
	struct problem		p;
	time_t			nb, na;

	(void)state;
	memset(&p, 0, sizeof(p));
	/* The template's default. */
	assert_true(policy_validity(&pol, NOW, 0, 0, VALIDITY_ORDER, &nb, &na, &p));
	assert_int_equal(nb, NOW - CA_BACKDATE);
	assert_int_equal(na, nb + 90 * DAY - 1);
	/* Asked for, within the maximum: exactly what was asked. */
	assert_true(policy_validity(&pol, NOW, NOW + DAY, NOW + 11 * DAY, VALIDITY_ORDER, &nb, &na, &p));
	assert_int_equal(nb, NOW + DAY);
	assert_int_equal(na, NOW + 11 * DAY);
	assert_true(policy_validity(&pol, NOW, 0, NOW + 300 * DAY, VALIDITY_ORDER, &nb, &na, &p));
	assert_int_equal(nb, NOW - CA_BACKDATE);
	/* Exactly the maximum span. */
	assert_true(policy_validity(&pol, NOW, NOW, NOW + 397 * DAY - 1, VALIDITY_ORDER, &nb, &na, &p));

	assert_false(policy_validity(&pol, NOW, NOW, NOW + 397 * DAY, VALIDITY_ORDER, &nb, &na, &p));
	assert_problem(&p, PROB_MALFORMED, "longer than the 397 days");
	assert_false(policy_validity(&pol, NOW, 0, NOW + 500 * DAY, VALIDITY_ORDER, &nb, &na, &p));
	assert_problem(&p, PROB_MALFORMED, "longer than the 397 days");
	assert_false(policy_validity(&pol, NOW, NOW - CA_BACKDATE - 1, 0, VALIDITY_ORDER, &nb, &na, &p));
	assert_problem(&p, PROB_MALFORMED, "\"notBefore\" is more than 60 minutes in the past");
	assert_false(policy_validity(&pol, NOW, NOW + 398 * DAY, 0, VALIDITY_ORDER, &nb, &na, &p));
	assert_problem(&p, PROB_MALFORMED, "\"notBefore\" is more than 397 days ahead");
	assert_false(policy_validity(&pol, NOW, 0, NOW - 2 * CA_BACKDATE, VALIDITY_ORDER, &nb, &na, &p));
	assert_problem(&p, PROB_MALFORMED, "\"notAfter\" is not after \"notBefore\"");

	/* A notAfter at the maximum from now: our backdating shrinks to fit. */
	assert_true(policy_validity(&pol, NOW, 0, NOW + 397 * DAY - 1, VALIDITY_ORDER,
	    &nb, &na, &p));
	assert_int_equal(nb, NOW);
	assert_int_equal(na, NOW + 397 * DAY - 1);
	assert_true(policy_validity(&pol, NOW, 0, NOW + 10 * DAY, VALIDITY_ORDER,
	    &nb, &na, &p));
	assert_int_equal(nb, NOW - CA_BACKDATE);
	assert_false(policy_validity(&pol, NOW, 0, NOW + 397 * DAY, VALIDITY_ORDER,
	    &nb, &na, &p));

	/* Never beyond the issuing CA's certificate. */
	pol.ca_not_after = NOW + 30 * DAY;
	assert_true(policy_validity(&pol, NOW, 0, 0, VALIDITY_ORDER, &nb, &na, &p));
	assert_int_equal(na, NOW + 30 * DAY);
	assert_true(policy_validity(&pol, NOW, 0, NOW + 30 * DAY, VALIDITY_ORDER,
	    &nb, &na, &p));
	assert_false(policy_validity(&pol, NOW, 0, NOW + 30 * DAY + 1, VALIDITY_ORDER,
	    &nb, &na, &p));
	assert_problem(&p, PROB_MALFORMED, "after the issuing CA's certificate expires");
	pol.ca_not_after = NOW - CA_BACKDATE;
	assert_false(policy_validity(&pol, NOW, 0, 0, VALIDITY_ORDER, &nb, &na, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "the issuing CA's certificate has expired");
	pol.ca_not_after = 0;

	/* At finalize, a notBefore the order was accepted with, now past. */
	assert_true(policy_validity(&pol, NOW, NOW - 2 * DAY, NOW + 20 * DAY,
	    VALIDITY_ISSUE, &nb, &na, &p));
	assert_int_equal(nb, NOW - CA_BACKDATE);
	assert_int_equal(na, NOW + 20 * DAY);
	assert_false(policy_validity(&pol, NOW, NOW - 2 * DAY, NOW + 20 * DAY,
	    VALIDITY_ORDER, &nb, &na, &p));
}

static void
test_eku(void **state)
{
	struct db_policy pol = policy();

	(void)state;
	assert_int_equal(policy_eku(&pol), CA_EKU_SERVER_AUTH);
	snprintf(pol.eku, sizeof(pol.eku), "clientAuth");
	assert_int_equal(policy_eku(&pol), CA_EKU_CLIENT_AUTH);
	snprintf(pol.eku, sizeof(pol.eku), "serverAuth,clientAuth");
	assert_int_equal(policy_eku(&pol), CA_EKU_ALL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authorize),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_eku),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
