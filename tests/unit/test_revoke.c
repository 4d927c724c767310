/*
 * test_revoke.c - the revocation request (core/revoke.c): RFC 5280 reason
 * codes, and every way a revokeCert payload is accepted or refused; and a
 * revocation forwarded to an upstream CA (upstream_revoke_send()) against
 * canned answers.
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

#include "acme_client.h"
#include "b64url.h"
#include "buf.h"
#include "json.h"
#include "key.h"
#include "problem.h"
#include "revoke.h"
#include "testutil.h"
#include "upstream.h"

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
	/* 6 (certificateHold) and 8 (removeFromCRL) are no reasons for good. */
	for (int64_t c = 0; c <= 10; c++)
		assert_int_equal(revoke_reason_ok(c), c != 6 && c != 7 && c != 8);
	assert_false(revoke_reason_ok(-1));
	assert_false(revoke_reason_ok(11));
	assert_false(revoke_reason_ok(INT64_MAX));
	assert_false(revoke_reason_ok(INT64_MIN));
	assert_string_equal(revoke_reason_name(0), "unspecified");
	assert_string_equal(revoke_reason_name(1), "keyCompromise");
	assert_string_equal(revoke_reason_name(9), "privilegeWithdrawn");
	assert_string_equal(revoke_reason_name(10), "aACompromise");
	assert_null(revoke_reason_name(6));
	assert_null(revoke_reason_name(7));
	assert_null(revoke_reason_name(8));
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
		"6", "7", "8", "11", "-1", "9223372036854775807", "\"1\"", "1.0", "true",
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
	/* The twins: 5 and 9 either side of 6 to 8. */
	pl = payload(10, 1, "5");
	assert_true(parse(pl, &r, &p));
	revoke_req_free(&r);
	free(pl);
	pl = payload(10, 1, "9");
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

/* --- forwarded upstream ------------------------------------------------------------ */

#define UP		"https://up.test/acme"
#define UP_DIR		UP "/directory"
#define UP_NONCE	UP "/new-nonce"
#define UP_REVOKE	UP "/revoke-cert"

struct answer {
	enum acme_method	 method;
	const char		*url;
	long			 status;
	const char		*body;
};

static struct {
	const struct answer	*script;
	size_t			 n, next;
	int			 reason[8];	/* of each revokeCert sent; -1: none */
	size_t			 nrevoke;
} U;

/* The "reason" of a revokeCert JWS, or -1 if it has none. */
static int
sent_reason(const char *body, size_t len)
{
	struct json_object	*o, *pl;
	const char		*b64, *err;
	uint8_t			*text;
	size_t			 n;
	int64_t			 r = -1;

	assert_non_null(o = json_parse(body, len, 8, &err));
	assert_int_equal(json_get_string(o, "payload", 100000, &b64), JGET_OK);
	assert_true(b64url_decode(b64, strlen(b64), &text, &n));
	assert_non_null(pl = json_parse((const char *)text, n, 8, &err));
	assert_int_not_equal(json_get_int(pl, "reason", 0, 10, &r), JGET_BAD);
	json_object_put(pl);
	json_object_put(o);
	free(text);
	return (int)r;
}

static int
up_http(void *ctx, const struct acme_http_req *req, struct acme_http_resp *resp,
    struct problem *p)
{
	const struct answer *a;

	(void)ctx;
	(void)p;
	if (U.next >= U.n)
		fail_msg("unexpected request %s", req->url);
	a = &U.script[U.next++];
	assert_int_equal(req->method, a->method);
	assert_string_equal(req->url, a->url);
	if (req->method == ACME_POST) {
		assert_true(U.nrevoke < nitems(U.reason));
		U.reason[U.nrevoke++] = sent_reason(req->body, req->body_len);
	}
	resp->status = a->status;
	/* A nonce with every answer: newNonce is never asked. */
	buf_puts(&resp->headers, "Replay-Nonce: bm9uY2U\n");
	if (a->body != NULL)
		buf_puts(&resp->body, a->body);
	return 1;
}

#define A_DIR	{ ACME_GET, UP_DIR, 200, "{\"newNonce\":\"" UP_NONCE "\"," \
	"\"newAccount\":\"" UP "/new-account\",\"newOrder\":\"" UP "/new-order\"," \
	"\"revokeCert\":\"" UP_REVOKE "\"}" }
#define A_OK	{ ACME_POST, UP_REVOKE, 200, NULL }
#define A_PROB(st, type, detail) { ACME_POST, UP_REVOKE, st, \
	"{\"type\":\"urn:ietf:params:acme:error:" type "\",\"detail\":\"" detail "\"}" }

/* Runs upstream_revoke_send() with reason against script; its result. */
static int
up_revoke(const struct answer *script, size_t n, int reason, struct problem *p)
{
	static const uint8_t	 der[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct acme_client_opts	 o;
	struct acme_client	*c;
	struct key		 k;
	int			 ok;

	memset(&U, 0, sizeof(U));
	U.script = script;
	U.n = n;
	assert_true(key_generate(&k, KEY_EC256));
	memset(&o, 0, sizeof(o));
	o.directory_url = UP_DIR;
	o.key = &k;
	o.account_url = UP "/acct/1";
	o.http.fn = up_http;
	assert_non_null(c = acme_client_new(&o, p));
	ok = upstream_revoke_send(c, der, sizeof(der), reason, p);
	acme_client_free(c);
	key_free(&k);
	assert_int_equal(U.next, U.n);
	return ok;
}

/*
 * A reason the upstream refuses (Boulder: keyCompromise, cACompromise...
 * with the account's key) is dropped: the certificate is revoked there
 * all the same, without one.
 */
static void
test_upstream_drops_refused_reason(void **state)
{
	static const struct answer s[] = {
		A_DIR,
		A_PROB(400, "badRevocationReason", "not with this key"), A_OK,
	};
	struct problem p = { 0 };

	(void)state;
	assert_true(up_revoke(s, nitems(s), 1, &p));
	assert_int_equal(p.type, PROB_NONE);
	assert_int_equal(U.nrevoke, 2);
	assert_int_equal(U.reason[0], 1);
	assert_int_equal(U.reason[1], -1);
}

/* Its twins: no reason to drop, or another refusal: sent once only. */
static void
test_upstream_other_refusals(void **state)
{
	static const struct answer none[] = {
		A_DIR, A_PROB(400, "badRevocationReason", "none at all"),
	};
	static const struct answer other[] = {
		A_DIR, A_PROB(403, "unauthorized", "not yours"),
	};
	static const struct answer again[] = {
		A_DIR, A_PROB(400, "badRevocationReason", "no"),
		A_PROB(400, "alreadyRevoked", "revoked already"),
	};
	struct problem p = { 0 };

	(void)state;
	assert_false(up_revoke(none, nitems(none), REVOKE_REASON_NONE, &p));
	assert_problem(&p, PROB_BAD_REVOCATION_REASON, "none at all");
	assert_int_equal(U.nrevoke, 1);
	assert_false(up_revoke(other, nitems(other), 4, &p));
	assert_problem(&p, PROB_UNAUTHORIZED, "not yours");
	assert_int_equal(U.nrevoke, 1);
	assert_int_equal(U.reason[0], 4);
	/* The second answer is the one the job judges. */
	assert_false(up_revoke(again, nitems(again), 5, &p));
	assert_problem(&p, PROB_ALREADY_REVOKED, "revoked already");
	assert_int_equal(U.nrevoke, 2);
	assert_int_equal(U.reason[1], -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_codes),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad_reason),
		cmocka_unit_test(test_parse_bad_certificate),
		cmocka_unit_test(test_upstream_drops_refused_reason),
		cmocka_unit_test(test_upstream_other_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
