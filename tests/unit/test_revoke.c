/*
 * test_revoke.c - the revocation request (core/revoke.c): RFC 5280 reason
 * codes, and every way a revokeCert payload is accepted or refused.
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

#include "b64url.h"
#include "json.h"
#include "problem.h"
#include "revoke.h"
#include "testutil.h"

/* Parses text as the payload; returns what revoke_req_parse() does. */
static int
parse(const char *text, struct revoke_req *r, struct problem *p)
{
	struct json_object	*o;
	const char		*err;
	int			 ok;

	if ((o = json_parse(text, strlen(text), 8, &err)) == NULL)
		fail_msg("test payload: %s", err);
	ok = revoke_req_parse(o, r, p);
	json_object_put(o);
	return ok;
}

/* A payload naming n bytes of value v, and reason (NULL: no member). */
static char *
payload(size_t n, uint8_t v, const char *reason)
{
	uint8_t	*der;
	char	*b64, *out;
	size_t	 len;

	assert_non_null(der = malloc(n));
	memset(der, v, n);
	assert_non_null(b64 = b64url_encode(der, n));
	len = strlen(b64) + 64;
	assert_non_null(out = malloc(len));
	snprintf(out, len, "{\"certificate\":\"%s\"%s%s}", b64,
	    reason != NULL ? ",\"reason\":" : "", reason != NULL ? reason : "");
	free(b64);
	free(der);
	return out;
}

static void
test_reason_codes(void **state)
{
	(void)state;
	for (int64_t c = 0; c <= 10; c++)
		assert_int_equal(revoke_reason_ok(c), c != 7);
	assert_false(revoke_reason_ok(-1));
	assert_false(revoke_reason_ok(11));
	assert_false(revoke_reason_ok(INT64_MAX));
	assert_false(revoke_reason_ok(INT64_MIN));
	assert_string_equal(revoke_reason_name(0), "unspecified");
	assert_string_equal(revoke_reason_name(1), "keyCompromise");
	assert_string_equal(revoke_reason_name(6), "certificateHold");
	assert_string_equal(revoke_reason_name(8), "removeFromCRL");
	assert_string_equal(revoke_reason_name(10), "aACompromise");
	assert_null(revoke_reason_name(7));
	assert_null(revoke_reason_name(11));
	assert_null(revoke_reason_name(-1));
}

static void
test_parse_ok(void **state)
{
	struct revoke_req	 r;
	struct problem		 p = { 0 };
	char			*pl;

	(void)state;
	pl = payload(100, 0x30, NULL);
	assert_true(parse(pl, &r, &p));
	assert_int_equal(r.der_len, 100);
	assert_int_equal(r.der[0], 0x30);
	assert_int_equal(r.der[99], 0x30);
	assert_int_equal(r.reason, REVOKE_REASON_NONE);
	revoke_req_free(&r);
	assert_null(r.der);
	free(pl);

	pl = payload(1, 0x42, "4");
	assert_true(parse(pl, &r, &p));
	assert_int_equal(r.der_len, 1);
	assert_int_equal(r.reason, 4);
	revoke_req_free(&r);
	free(pl);

	/* The largest certificate, reason 0, and a member we do not know. */
	pl = payload(REVOKE_CERT_MAX, 0xff, "0,\"other\":[1]");
	assert_true(parse(pl, &r, &p));
	assert_int_equal(r.der_len, REVOKE_CERT_MAX);
	assert_int_equal(r.reason, 0);
	revoke_req_free(&r);
	free(pl);
}

/* Each bad reason: badRevocationReason, and nothing kept. */
static void
test_parse_bad_reason(void **state)
{
	static const char *const bad[] = {
		"7", "11", "-1", "9223372036854775807", "\"1\"", "1.0", "true",
		"null", "[1]",
	};
	struct revoke_req	 r;
	struct problem		 p = { 0 };
	char			*pl;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		pl = payload(10, 1, bad[i]);
		if (parse(pl, &r, &p))
			fail_msg("reason %s accepted", bad[i]);
		assert_int_equal(p.type, PROB_BAD_REVOCATION_REASON);
		assert_int_equal(p.status, 400);
		assert_null(r.der);
		free(pl);
	}
	/* The twin: 6 and 8 either side of 7. */
	pl = payload(10, 1, "8");
	assert_true(parse(pl, &r, &p));
	revoke_req_free(&r);
	free(pl);
}

/* Each bad certificate: malformed, and nothing kept. */
static void
test_parse_bad_certificate(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"reason\":1}",
		"{\"certificate\":\"\"}",
		"{\"certificate\":1}",
		"{\"certificate\":null}",
		"{\"certificate\":[\"MIIB\"]}",
		"{\"certificate\":\"MIIB+A==\"}",	/* base64, padded */
		"{\"certificate\":\"MIIB-A==\"}",	/* padding */
		"{\"certificate\":\"MI IB\"}",
		"{\"certificate\":\"M\"}",		/* one character: no byte */
		"{\"certificate\":\"MB\"}",		/* unused bits set */
		"{\"Certificate\":\"MIIB\"}",
	};
	struct revoke_req	 r;
	struct problem		 p = { 0 };
	char			*pl;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		if (parse(bad[i], &r, &p))
			fail_msg("%s accepted", bad[i]);
		assert_int_equal(p.type, PROB_MALFORMED);
		assert_null(r.der);
	}
	/* One byte over the bound. */
	pl = payload(REVOKE_CERT_MAX + 1, 0x30, "1");
	assert_false(parse(pl, &r, &p));
	assert_problem(&p, PROB_MALFORMED, "certificate");
	assert_null(r.der);
	free(pl);
	/* The twin that passes. */
	assert_true(parse("{\"certificate\":\"MIIB\"}", &r, &p));
	assert_int_equal(r.der_len, 3);
	revoke_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_codes),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad_reason),
		cmocka_unit_test(test_parse_bad_certificate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
