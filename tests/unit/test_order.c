/*
 * test_order.c - the newOrder request (RFC 8555 §7.4), RFC 3339 dates and
 * the order and authorization state machine (§7.1.6).
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "order.h"
#include "problem.h"
#include "testutil.h"

/* Parses text as a newOrder payload with at most max identifiers. */
static int
parse(const char *text, size_t max, struct order_req *r, struct problem *p)
{
	struct json_object	*o;
	const char		*err;
	int			 ok;

	memset(p, 0, sizeof(*p));
	if ((o = json_parse(text, strlen(text), 10, &err)) == NULL)
		fail_msg("test JSON does not parse: %s", err);
	ok = order_req_parse(o, max, r, p);
	json_object_put(o);
	return ok;
}

#define refused(text, t, s) do {					\
	struct order_req	r_;					\
	struct problem		p_;					\
									\
	if (parse((text), 100, &r_, &p_))				\
		fail_msg("accepted: %s", (text));			\
	assert_problem(&p_, (t), (s));					\
	assert_null(r_.ids);						\
	problem_clear(&p_);						\
} while (0)

static void
test_parse_ok(void **state)
{
	struct order_req	r;
	struct problem		p;

	(void)state;
	assert_true(parse("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"WWW.Example.com\"},"
	    "{\"type\":\"dns\",\"value\":\"*.example.com\"},"
	    "{\"type\":\"ip\",\"value\":\"2001:DB8:0:0::1\"}],"
	    "\"notBefore\":\"2030-01-01T00:00:00Z\","
	    "\"notAfter\":\"2030-01-31T00:00:00+01:00\",\"extension\":1}", 100, &r, &p));
	assert_int_equal(r.nids, 3);
	assert_string_equal(r.ids[0].value, "www.example.com");
	assert_string_equal(r.ids[1].value, "*.example.com");
	assert_true(r.ids[1].wildcard);
	assert_int_equal(r.ids[2].type, IDENT_IP);
	assert_string_equal(r.ids[2].value, "2001:db8::1");
	assert_int_equal(r.not_before, 1893456000);
	assert_int_equal(r.not_after, 1893456000 + 30 * 86400 - 3600);
	order_req_free(&r);
	assert_null(r.ids);

	/* Dates are optional. */
	assert_true(parse("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"}]}",
	    1, &r, &p));
	assert_int_equal(r.nids, 1);
	assert_int_equal(r.not_before, 0);
	assert_int_equal(r.not_after, 0);
	order_req_free(&r);
}

static void
test_parse_shape(void **state)
{
	(void)state;
	refused("{}", PROB_MALFORMED, "\"identifiers\" is missing");
	refused("{\"identifiers\":{}}", PROB_MALFORMED, "not an array");
	refused("{\"identifiers\":[]}", PROB_MALFORMED, "is empty");
	refused("{\"identifiers\":[\"a.example\"]}", PROB_MALFORMED,
	    "identifiers[0] is not an object");
	refused("{\"identifiers\":[{\"value\":\"a.example\"}]}", PROB_MALFORMED,
	    "identifiers[0].type");
	refused("{\"identifiers\":[{\"type\":\"dns\"}]}", PROB_MALFORMED,
	    "identifiers[0].value");
	refused("{\"identifiers\":[{\"type\":\"dns\",\"value\":7}]}", PROB_MALFORMED,
	    "identifiers[0].value");
	refused("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"},"
	    "{\"type\":\"dns\",\"value\":\"A.Example\"}]}", PROB_MALFORMED,
	    "identifier dns \"a.example\" is listed twice");
	refused("{\"identifiers\":[{\"type\":\"ip\",\"value\":\"::1\"},"
	    "{\"type\":\"ip\",\"value\":\"0::1\"}]}", PROB_MALFORMED, "listed twice");
}

static void
test_parse_count(void **state)
{
	struct order_req	r;
	struct problem		p;
	char			buf[8192];
	size_t			n = 0;

	(void)state;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "{\"identifiers\":[");
	for (int i = 0; i < 101; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "%s{\"type\":\"dns\",\"value\":\"h%d.example\"}", i ? "," : "", i);
	snprintf(buf + n, sizeof(buf) - n, "]}");
	/* The configured maximum, and the hard one above any configuration. */
	assert_false(parse(buf, 5, &r, &p));
	assert_problem(&p, PROB_MALFORMED, "at most 5 identifiers");
	assert_false(parse(buf, 1000, &r, &p));
	assert_problem(&p, PROB_MALFORMED, "at most 100 identifiers");
	assert_true(parse("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"},"
	    "{\"type\":\"dns\",\"value\":\"b.example\"}]}", 2, &r, &p));
	order_req_free(&r);
}

static void
test_parse_rejected(void **state)
{
	struct order_req	r;
	struct problem		p;

	(void)state;
	/* Every identifier that cannot be issued is a subproblem. */
	assert_false(parse("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"ok.example\"},"
	    "{\"type\":\"dns\",\"value\":\"bad_name.example\"},"
	    "{\"type\":\"dns\",\"value\":\"a.*.example\"},"
	    "{\"type\":\"email\",\"value\":\"x@example.com\"}]}", 100, &r, &p));
	assert_problem(&p, PROB_REJECTED_IDENTIFIER, "3 of 4 identifiers cannot be issued");
	assert_int_equal(p.nsub, 3);
	assert_int_equal(p.sub[0].type, PROB_REJECTED_IDENTIFIER);
	assert_string_equal(p.sub[0].id_value, "bad_name.example");
	assert_string_equal(p.sub[1].id_value, "a.*.example");
	assert_int_equal(p.sub[2].type, PROB_UNSUPPORTED_IDENTIFIER);
	assert_string_equal(p.sub[2].id_type, "email");
	problem_clear(&p);
	/* Only unsupported types: that is the top-level type too. */
	assert_false(parse("{\"identifiers\":[{\"type\":\"email\",\"value\":\"x@example.com\"}]}",
	    100, &r, &p));
	assert_problem(&p, PROB_UNSUPPORTED_IDENTIFIER, "1 of 1 identifier cannot");
	problem_clear(&p);
}

static void
test_parse_dates(void **state)
{
	(void)state;
	refused("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"}],"
	    "\"notBefore\":\"yesterday\"}", PROB_MALFORMED, "\"notBefore\" is not an RFC 3339");
	refused("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"}],"
	    "\"notAfter\":17}", PROB_MALFORMED, "\"notAfter\" is not an RFC 3339");
	refused("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"}],"
	    "\"notBefore\":\"2030-01-02T00:00:00Z\",\"notAfter\":\"2030-01-01T00:00:00Z\"}",
	    PROB_MALFORMED, "\"notAfter\" is not after \"notBefore\"");
}

static void
test_rfc3339(void **state)
{
	time_t t;

	(void)state;
	assert_true(rfc3339_parse("1970-01-01T00:00:00Z", &t));
	assert_int_equal(t, 0);
	assert_true(rfc3339_parse("2016-01-01T00:04:00+04:00", &t));
	assert_int_equal(t, 1451592240);
	assert_true(rfc3339_parse("2016-01-01t00:04:00.123456-01:30z", &t) == 0);
	assert_true(rfc3339_parse("2016-01-01t00:04:00.123456-01:30", &t));
	assert_int_equal(t, 1451612040);
	assert_true(rfc3339_parse("2016-12-31T23:59:60Z", &t));	/* leap second */
	assert_int_equal(t, 1483228799);
	assert_false(rfc3339_parse("2016-02-30T00:00:00Z", &t));
	assert_false(rfc3339_parse("2016-13-01T00:00:00Z", &t));
	assert_false(rfc3339_parse("2016-01-01 00:00:00Z", &t));
	assert_false(rfc3339_parse("2016-01-01T00:00:00", &t));
	assert_false(rfc3339_parse("2016-01-01T00:00:00.Z", &t));
	assert_false(rfc3339_parse("2016-01-01T24:00:00Z", &t));
	assert_false(rfc3339_parse("2016-1-01T00:00:00Z", &t));
	assert_false(rfc3339_parse("+016-01-01T00:00:00Z", &t));
	assert_false(rfc3339_parse("2016-01-01T00:00:00+0100", &t));
	assert_false(rfc3339_parse("2016-01-01T00:00:00Z ", &t));
	assert_false(rfc3339_parse("1969-12-31T23:59:59Z", &t));
	assert_false(rfc3339_parse("", &t));
}

static void
test_ids_round_trip(void **state)
{
	struct order_req	 r;
	struct problem		 p;
	struct json_object	*j;
	struct identifier	*ids;
	size_t			 n;

	(void)state;
	assert_true(parse("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"*.Example.com\"},"
	    "{\"type\":\"ip\",\"value\":\"192.0.2.1\"}]}", 100, &r, &p));
	assert_non_null(j = order_ids_json(r.ids, r.nids));
	assert_string_equal(json_out_compact(j), "[{\"type\":\"dns\",\"value\":\"*.example.com\"},"
	    "{\"type\":\"ip\",\"value\":\"192.0.2.1\"}]");
	assert_non_null(ids = order_ids_parse(json_out(j), &n));
	assert_int_equal(n, 2);
	assert_true(ids[0].wildcard);
	assert_string_equal(ids[0].value, "*.example.com");
	assert_string_equal(ids[1].value, "192.0.2.1");
	free(ids);
	json_object_put(j);
	order_req_free(&r);
	assert_null(order_ids_parse("[]", &n));
	assert_null(order_ids_parse("not json", &n));
	assert_int_equal(n, 0);
}

static void
test_state_machine(void **state)
{
	enum authz_status s[3];

	(void)state;
	/* Expiry turns only unfinished orders invalid. */
	assert_int_equal(order_status_at(ORDER_READY, 100, 99), ORDER_READY);
	assert_int_equal(order_status_at(ORDER_READY, 100, 100), ORDER_INVALID);
	assert_int_equal(order_status_at(ORDER_PENDING, 100, 200), ORDER_INVALID);
	assert_int_equal(order_status_at(ORDER_VALID, 100, 200), ORDER_VALID);
	assert_int_equal(order_status_at(ORDER_PROCESSING, 100, 200), ORDER_PROCESSING);
	assert_int_equal(order_status_at(ORDER_INVALID, 100, 50), ORDER_INVALID);
	assert_int_equal(authz_status_at(AUTHZ_VALID, 100, 100), AUTHZ_EXPIRED);
	assert_int_equal(authz_status_at(AUTHZ_PENDING, 100, 101), AUTHZ_EXPIRED);
	assert_int_equal(authz_status_at(AUTHZ_VALID, 100, 99), AUTHZ_VALID);
	assert_int_equal(authz_status_at(AUTHZ_DEACTIVATED, 100, 200), AUTHZ_DEACTIVATED);
	assert_int_equal(authz_status_at(AUTHZ_INVALID, 100, 200), AUTHZ_INVALID);

	s[0] = s[1] = s[2] = AUTHZ_VALID;
	assert_int_equal(order_status_from_authzs(s, 3), ORDER_READY);
	s[1] = AUTHZ_PENDING;
	assert_int_equal(order_status_from_authzs(s, 3), ORDER_PENDING);
	for (enum authz_status bad = AUTHZ_INVALID; bad < AUTHZ__MAX; bad++) {
		s[2] = bad;
		assert_int_equal(order_status_from_authzs(s, 3), ORDER_INVALID);
	}
	assert_int_equal(order_status_from_authzs(s, 0), ORDER_PENDING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_shape),
		cmocka_unit_test(test_parse_count),
		cmocka_unit_test(test_parse_rejected),
		cmocka_unit_test(test_parse_dates),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_ids_round_trip),
		cmocka_unit_test(test_state_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
