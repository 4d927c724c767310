/*
 * test_problem.c - RFC 7807 problem documents with the RFC 8555 §6.7 types.
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
#include "problem.h"
#include "testutil.h"

#define URN	"urn:ietf:params:acme:error:"

/* RFC 8555 §6.7 (and RFC 9773 for alreadyReplaced), in enum order. */
static const char *const names[PROB__MAX] = {
	[PROB_ACCOUNT_DOES_NOT_EXIST] = "accountDoesNotExist",
	[PROB_ALREADY_REPLACED] = "alreadyReplaced",
	[PROB_ALREADY_REVOKED] = "alreadyRevoked",
	[PROB_BAD_CSR] = "badCSR",
	[PROB_BAD_NONCE] = "badNonce",
	[PROB_BAD_PUBLIC_KEY] = "badPublicKey",
	[PROB_BAD_REVOCATION_REASON] = "badRevocationReason",
	[PROB_BAD_SIGNATURE_ALGORITHM] = "badSignatureAlgorithm",
	[PROB_CAA] = "caa",
	[PROB_COMPOUND] = "compound",
	[PROB_CONNECTION] = "connection",
	[PROB_DNS] = "dns",
	[PROB_EXTERNAL_ACCOUNT_REQUIRED] = "externalAccountRequired",
	[PROB_INCORRECT_RESPONSE] = "incorrectResponse",
	[PROB_INVALID_CONTACT] = "invalidContact",
	[PROB_MALFORMED] = "malformed",
	[PROB_ORDER_NOT_READY] = "orderNotReady",
	[PROB_RATE_LIMITED] = "rateLimited",
	[PROB_REJECTED_IDENTIFIER] = "rejectedIdentifier",
	[PROB_SERVER_INTERNAL] = "serverInternal",
	[PROB_TLS] = "tls",
	[PROB_UNAUTHORIZED] = "unauthorized",
	[PROB_UNSUPPORTED_CONTACT] = "unsupportedContact",
	[PROB_UNSUPPORTED_IDENTIFIER] = "unsupportedIdentifier",
	[PROB_USER_ACTION_REQUIRED] = "userActionRequired",
};

/* A string member of a problem document, or NULL. */
static const char *
member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void
test_every_type_has_its_urn(void **state)
{
	char want[128];

	(void)state;
	for (int t = PROB_NONE + 1; t < PROB__MAX; t++) {
		assert_non_null(names[t]);
		snprintf(want, sizeof(want), URN "%s", names[t]);
		assert_string_equal(problem_type_urn((enum problem_type)t), want);
		assert_string_equal(problem_type_name((enum problem_type)t), names[t]);
	}
}

static void
test_parse_round_trips(void **state)
{
	(void)state;
	for (int t = PROB_NONE + 1; t < PROB__MAX; t++) {
		enum problem_type pt = (enum problem_type)t;

		assert_int_equal(problem_type_parse(problem_type_urn(pt)), t);
		assert_int_equal(problem_type_parse(problem_type_name(pt)), t);
	}
}

static void
test_parse_unknown(void **state)
{
	(void)state;
	assert_int_equal(problem_type_parse(""), PROB_NONE);
	assert_int_equal(problem_type_parse(URN), PROB_NONE);
	assert_int_equal(problem_type_parse(URN "noSuchError"), PROB_NONE);
	assert_int_equal(problem_type_parse("Malformed"), PROB_NONE);
	assert_int_equal(problem_type_parse(URN "malformed "), PROB_NONE);
	assert_int_equal(problem_type_parse("urn:ietf:params:acme:error:"
	    "urn:ietf:params:acme:error:malformed"), PROB_NONE);
	assert_int_equal(problem_type_parse("urn:example:malformed"), PROB_NONE);
}

static void
test_none_and_out_of_range(void **state)
{
	(void)state;
	assert_null(problem_type_urn(PROB_NONE));
	assert_null(problem_type_name(PROB_NONE));
	assert_null(problem_type_urn(PROB__MAX));
	assert_null(problem_type_name(PROB__MAX));
	assert_int_equal(problem_type_status(PROB__MAX), 500);
}

static void
test_default_statuses(void **state)
{
	(void)state;
	assert_int_equal(problem_type_status(PROB_MALFORMED), 400);
	assert_int_equal(problem_type_status(PROB_BAD_NONCE), 400);
	assert_int_equal(problem_type_status(PROB_UNAUTHORIZED), 403);
	assert_int_equal(problem_type_status(PROB_RATE_LIMITED), 429);
	assert_int_equal(problem_type_status(PROB_SERVER_INTERNAL), 500);
	assert_int_equal(problem_type_status(PROB_ORDER_NOT_READY), 403);
	for (int t = PROB_NONE + 1; t < PROB__MAX; t++) {
		int s = problem_type_status((enum problem_type)t);

		assert_in_range(s, 400, 599);
	}
}

static void
test_set(void **state)
{
	struct problem p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(problem_set(&p, PROB_UNAUTHORIZED, "account %s is %d",
	    "x", 7), 0);
	assert_int_equal(p.type, PROB_UNAUTHORIZED);
	assert_int_equal(p.status, 403);
	assert_string_equal(p.detail, "account x is 7");
	assert_int_equal(problem_set_status(&p, PROB_MALFORMED, 404, "no %s",
	    "such"), 0);
	assert_int_equal(p.type, PROB_MALFORMED);
	assert_int_equal(p.status, 404);
	assert_string_equal(p.detail, "no such");
}

static void
test_detail_truncated(void **state)
{
	struct problem	p;
	char		long_detail[PROBLEM_DETAIL_MAX * 2];

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(long_detail, 'd', sizeof(long_detail) - 1);
	long_detail[sizeof(long_detail) - 1] = '\0';
	problem_set(&p, PROB_MALFORMED, "%s", long_detail);
	assert_int_equal(strlen(p.detail), PROBLEM_DETAIL_MAX - 1);
}

static void
test_to_json_members(void **state)
{
	struct json_object	*o, *v;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	problem_set(&p, PROB_BAD_NONCE, "nonce has expired");
	assert_non_null(o = problem_to_json(&p));
	assert_string_equal(member(o, "type"), URN "badNonce");
	assert_string_equal(member(o, "detail"), "nonce has expired");
	assert_true(json_object_object_get_ex(o, "status", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), 400);
	assert_false(json_object_object_get_ex(o, "algorithms", NULL));
	assert_false(json_object_object_get_ex(o, "subproblems", NULL));
	assert_int_equal(json_object_object_length(o), 3);
	json_object_put(o);
}

static void
test_to_json_without_detail(void **state)
{
	struct json_object	*o;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	problem_set(&p, PROB_MALFORMED, "%s", "");
	assert_non_null(o = problem_to_json(&p));
	assert_false(json_object_object_get_ex(o, "detail", NULL));
	json_object_put(o);
}

/* A problem never set is reported as serverInternal, not as nothing. */
static void
test_to_json_none_is_server_internal(void **state)
{
	struct json_object	*o;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_non_null(o = problem_to_json(&p));
	assert_string_equal(member(o, "type"), URN "serverInternal");
	json_object_put(o);
}

/* RFC 8555 §6.2: badSignatureAlgorithm lists the algorithms we accept. */
static void
test_to_json_algorithms(void **state)
{
	static const char *const want[] = { "RS256", "ES256", "ES384", "ES512",
	    "EdDSA" };
	struct json_object	*o, *arr;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	problem_set(&p, PROB_BAD_SIGNATURE_ALGORITHM, "no");
	p.algorithms = 1;
	assert_non_null(o = problem_to_json(&p));
	assert_true(json_object_object_get_ex(o, "algorithms", &arr));
	assert_true(json_object_is_type(arr, json_type_array));
	assert_int_equal(json_object_array_length(arr), nitems(want));
	for (size_t i = 0; i < nitems(want); i++)
		assert_string_equal(json_object_get_string(
		    json_object_array_get_idx(arr, i)), want[i]);
	json_object_put(o);
}

/* RFC 8555 §6.7.1: subproblems each carry their identifier. */
static void
test_to_json_subproblems(void **state)
{
	struct json_object	*o, *arr, *sub, *id;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	problem_set(&p, PROB_COMPOUND, "two identifiers were refused");
	assert_true(problem_add_sub(&p, PROB_REJECTED_IDENTIFIER, "dns",
	    "a.example", "policy forbids"));
	assert_true(problem_add_sub(&p, PROB_UNSUPPORTED_IDENTIFIER, "ip",
	    "192.0.2.1", "no IP addresses"));
	assert_int_equal(p.nsub, 2);
	assert_non_null(o = problem_to_json(&p));
	assert_true(json_object_object_get_ex(o, "subproblems", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	sub = json_object_array_get_idx(arr, 1);
	assert_string_equal(member(sub, "type"), URN "unsupportedIdentifier");
	assert_string_equal(member(sub, "detail"), "no IP addresses");
	assert_true(json_object_object_get_ex(sub, "identifier", &id));
	assert_string_equal(member(id, "type"), "ip");
	assert_string_equal(member(id, "value"), "192.0.2.1");
	assert_int_equal(json_object_object_length(id), 2);
	sub = json_object_array_get_idx(arr, 0);
	assert_string_equal(member(sub, "type"), URN "rejectedIdentifier");
	json_object_put(o);
	problem_clear(&p);
}

static void
test_sub_limit(void **state)
{
	struct problem p;

	(void)state;
	memset(&p, 0, sizeof(p));
	for (int i = 0; i < PROBLEM_SUB_MAX; i++)
		assert_true(problem_add_sub(&p, PROB_DNS, "dns", "x.example", "d"));
	assert_false(problem_add_sub(&p, PROB_DNS, "dns", "x.example", "d"));
	assert_int_equal(p.nsub, PROBLEM_SUB_MAX);
	problem_clear(&p);
}

static void
test_clear(void **state)
{
	struct problem p;

	(void)state;
	memset(&p, 0, sizeof(p));
	problem_set(&p, PROB_COMPOUND, "x");
	p.algorithms = 1;
	assert_true(problem_add_sub(&p, PROB_DNS, "dns", "x.example", "d"));
	problem_clear(&p);
	assert_int_equal(p.type, PROB_NONE);
	assert_int_equal(p.status, 0);
	assert_int_equal(p.nsub, 0);
	assert_null(p.sub);
	assert_int_equal(p.algorithms, 0);
	assert_string_equal(p.detail, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_has_its_urn),
		cmocka_unit_test(test_parse_round_trips),
		cmocka_unit_test(test_parse_unknown),
		cmocka_unit_test(test_none_and_out_of_range),
		cmocka_unit_test(test_default_statuses),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_detail_truncated),
		cmocka_unit_test(test_to_json_members),
		cmocka_unit_test(test_to_json_without_detail),
		cmocka_unit_test(test_to_json_none_is_server_internal),
		cmocka_unit_test(test_to_json_algorithms),
		cmocka_unit_test(test_to_json_subproblems),
		cmocka_unit_test(test_sub_limit),
		cmocka_unit_test(test_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
