/*
 * test_upstream.c - which managed challenge answers for an identifier on an
 * endpoint that orders from an upstream CA, and what newOrder refuses.
 * The upstream job itself is driven against Pebble by tests/e2e/proxy.sh.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "identifier.h"
#include "problem.h"
#include "testutil.h"
#include "upstream.h"

static char r_http[] = "web.example.com", r_dns[] = "*.example.com",
    r_other[] = "*.example.net";
static char *http_rules[] = { r_http, NULL };
static char *dns_rules[] = { r_dns, r_other, NULL };

/* As db_mchalls_usable() returns them: by name. */
static struct db_mchall mcs[2];

static int
setup(void **state)
{
	(void)state;
	memset(mcs, 0, sizeof(mcs));
	snprintf(mcs[0].name, sizeof(mcs[0].name), "a-http");
	snprintf(mcs[0].type, sizeof(mcs[0].type), "http-01");
	mcs[0].rules = http_rules;
	snprintf(mcs[1].name, sizeof(mcs[1].name), "b-dns");
	snprintf(mcs[1].type, sizeof(mcs[1].type), "dns-01");
	mcs[1].rules = dns_rules;
	return 0;
}

static struct identifier
id(const char *type, const char *value)
{
	struct identifier	i;
	struct problem		p = { 0 };

	assert_true(ident_parse(type, value, &i, &p));
	return i;
}

static void
test_mchall_for(void **state)
{
	struct identifier i;

	(void)state;
	/* The first by name whose rules match. */
	i = id("dns", "web.example.com");
	assert_ptr_equal(upstream_mchall_for(mcs, 2, &i), &mcs[0]);
	i = id("dns", "a.b.example.com");
	assert_ptr_equal(upstream_mchall_for(mcs, 2, &i), &mcs[1]);
	i = id("dns", "x.example.net");
	assert_ptr_equal(upstream_mchall_for(mcs, 2, &i), &mcs[1]);
	/* "*.S" is every name below S, not S. */
	i = id("dns", "example.com");
	assert_null(upstream_mchall_for(mcs, 2, &i));
	i = id("dns", "www.example.org");
	assert_null(upstream_mchall_for(mcs, 2, &i));
	/* A wildcard is answered by dns-01 only. */
	i = id("dns", "*.example.com");
	assert_ptr_equal(upstream_mchall_for(mcs, 2, &i), &mcs[1]);
	assert_null(upstream_mchall_for(mcs, 1, &i));
	i = id("dns", "*.sub.example.net");
	assert_ptr_equal(upstream_mchall_for(mcs, 2, &i), &mcs[1]);
	/* Never an IP address; nothing from no managed challenge. */
	i = id("ip", "192.0.2.1");
	assert_null(upstream_mchall_for(mcs, 2, &i));
	i = id("dns", "web.example.com");
	assert_null(upstream_mchall_for(mcs, 0, &i));
}

static void
test_authorize(void **state)
{
	struct identifier	ids[4];
	struct problem		p = { 0 };

	(void)state;
	ids[0] = id("dns", "web.example.com");
	ids[1] = id("dns", "*.example.com");
	assert_true(upstream_authorize(mcs, 2, ids, 2, &p));
	assert_int_equal(p.type, PROB_NONE);

	ids[2] = id("ip", "192.0.2.1");
	ids[3] = id("dns", "www.example.org");
	assert_false(upstream_authorize(mcs, 2, ids, 4, &p));
	assert_int_equal(p.type, PROB_REJECTED_IDENTIFIER);
	assert_string_equal(p.detail, "2 of 4 identifiers cannot be validated at "
	    "the upstream CA (see subproblems)");
	assert_int_equal(p.nsub, 2);
	assert_string_equal(p.sub[0].id_type, "ip");
	assert_string_equal(p.sub[0].id_value, "192.0.2.1");
	assert_string_equal(p.sub[0].detail, "this endpoint orders from an "
	    "upstream CA, which is asked for DNS names only");
	assert_string_equal(p.sub[1].id_value, "www.example.org");
	assert_string_equal(p.sub[1].detail, "no managed challenge this account "
	    "may use answers for this name");
	problem_clear(&p);

	/* A key limited to the http-01 one: no wildcard. */
	assert_false(upstream_authorize(mcs, 1, ids, 2, &p));
	assert_int_equal(p.nsub, 1);
	assert_string_equal(p.sub[0].id_value, "*.example.com");
	assert_string_equal(p.sub[0].detail, "no dns-01 managed challenge this "
	    "account may use answers for this wildcard's name");
	problem_clear(&p);

	/* None at all. */
	assert_false(upstream_authorize(mcs, 0, ids, 1, &p));
	assert_string_equal(p.detail, "1 of 1 identifier cannot be validated at "
	    "the upstream CA (see subproblems)");
	assert_string_equal(p.sub[0].detail,
	    "this account may use no managed challenge");
	problem_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mchall_for, setup),
		cmocka_unit_test_setup(test_authorize, setup),
	};

	return cmocka_run_group_tests_name("upstream", tests, NULL, NULL);
}
