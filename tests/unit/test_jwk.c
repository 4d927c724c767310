/*
 * test_jwk.c - public JWKs as account keys (RFC 7517, RFC 7518 §6,
 * RFC 7638 thumbprints, RFC 8037 OKP keys).
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
#include "jwk.h"
#include "key.h"
#include "problem.h"
#include "fixture.h"
#include "testutil.h"

/* RFC 7638 §3.1: the example RSA key and its thumbprint. */
#define RFC7638_N \
	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFF" \
	"xuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lq" \
	"t7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu" \
	"6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksI" \
	"NHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
#define RFC7638_THUMBPRINT	"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

/* RFC 7515 Appendix A.3.1: the example P-256 public key. */
#define A3_X	"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define A3_Y	"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"

/* RFC 8037 Appendix A.2 public key and A.3 thumbprint. */
#define RFC8037_X		"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_THUMBPRINT	"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"

#define keys	fixture_keys

/* Parses JWK text (strict JSON first); returns jwk_parse()'s result. */
static int
parse_text(const char *text, struct jwk *k, struct problem *p)
{
	struct json_object	*o;
	const char		*err;
	int			 ok;

	memset(p, 0, sizeof(*p));
	if ((o = json_parse(text, strlen(text), 10, &err)) == NULL)
		fail_msg("test JWK is not JSON (%s): %s", err, text);
	ok = jwk_parse(o, k, p);
	json_object_put(o);
	return ok;
}

/* Asserts that text is refused as a JWK with problem type t and detail s. */
#define assert_jwk_refused(text, t, s) do {				\
	struct jwk	k_;						\
	struct problem	p_;						\
									\
	if (parse_text((text), &k_, &p_)) {				\
		jwk_free(&k_);						\
		fail_msg("accepted: %s", (text));			\
	}								\
	assert_null(k_.pub);						\
	assert_null(k_.json);						\
	assert_problem(&p_, (t), (s));					\
} while (0)

/* An RSA JWK of the RFC 7638 key with n replaced by the bytes given. */
static char *
rsa_jwk_with_n(const uint8_t *n, size_t len, const char *e)
{
	char	*nb, *text;
	size_t	 tlen;

	assert_non_null(nb = b64url_encode(n, len));
	tlen = strlen(nb) + strlen(e) + 64;
	assert_non_null(text = malloc(tlen));
	snprintf(text, tlen, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}", nb, e);
	free(nb);
	return text;
}

/* The RFC 7638 modulus, decoded: 256 bytes, top byte 0xd2. */
static uint8_t *
rfc7638_n(size_t *len)
{
	uint8_t *n;

	assert_true(b64url_decode(RFC7638_N, strlen(RFC7638_N), &n, len));
	assert_int_equal(*len, 256);
	return n;
}

/* RFC 7638 §3.1: the thumbprint of the example key; other members ignored. */
static void
test_rfc7638_thumbprint(void **state)
{
	struct jwk	k;
	struct problem	p;

	(void)state;
	assert_true(parse_text("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\","
	    "\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}", &k, &p));
	assert_string_equal(k.thumbprint, RFC7638_THUMBPRINT);
	assert_string_equal(k.json,
	    "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\"}");
	assert_int_equal(k.alg, JWS_RS256);
	assert_int_equal(k.bits, 2048);
	assert_non_null(k.pub);
	jwk_free(&k);
}

/* RFC 7638 §3.1 computed directly over the canonical text (§3.3). */
static void
test_rfc7638_thumbprint_of_text(void **state)
{
	char tp[JWK_THUMBPRINT_LEN + 1];

	(void)state;
	assert_true(jwk_thumbprint(
	    "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\"}", tp));
	assert_string_equal(tp, RFC7638_THUMBPRINT);
	/* Any other text, here one space, is another thumbprint. */
	assert_true(jwk_thumbprint(
	    "{\"e\":\"AQAB\", \"kty\":\"RSA\",\"n\":\"" RFC7638_N "\"}", tp));
	assert_string_not_equal(tp, RFC7638_THUMBPRINT);
}

/* RFC 8037 Appendix A.3: the thumbprint of the A.2 Ed25519 key. */
static void
test_rfc8037_thumbprint(void **state)
{
	struct jwk	k;
	struct problem	p;

	(void)state;
	assert_true(parse_text("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"" RFC8037_X "\"}", &k, &p));
	assert_string_equal(k.thumbprint, RFC8037_THUMBPRINT);
	assert_string_equal(k.json,
	    "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" RFC8037_X "\"}");
	assert_int_equal(k.alg, JWS_EDDSA);
	jwk_free(&k);
}

/* A key made with key.h goes through key_jwk() and jwk_parse() intact. */
static void
round_trip(enum key_type t, enum jws_alg alg, unsigned bits)
{
	struct json_object	*o;
	struct jwk		 k, again;
	struct problem		 p;
	uint8_t			*sig;
	size_t			 siglen;

	memset(&p, 0, sizeof(p));
	assert_non_null(o = key_jwk(&keys[t]));
	if (!jwk_parse(o, &k, &p))
		fail_msg("%s: %s", key_type_name(t), p.detail);
	json_object_put(o);
	assert_int_equal(k.alg, alg);
	assert_int_equal(k.bits, bits);
	assert_int_equal(strlen(k.thumbprint), JWK_THUMBPRINT_LEN);
	assert_int_equal(key_type_of_pubkey(k.pub), t);
	/* The stored canonical text parses to the same key. */
	assert_true(jwk_parse_text(k.json, &again, &p));
	assert_true(jwk_equal(&k, &again));
	assert_string_equal(again.thumbprint, k.thumbprint);
	jwk_free(&again);
	/* And it verifies what the private key signs. */
	assert_true(key_sign(&keys[t], "data", 4, &sig, &siglen));
	assert_true(jwk_verify(&k, alg, "data", 4, sig, siglen));
	assert_false(jwk_verify(&k, alg, "dat4", 4, sig, siglen));
	gnutls_free(sig);
	jwk_free(&k);
}

static void
test_ec256_round_trip(void **state)
{
	(void)state;
	round_trip(KEY_EC256, JWS_ES256, 256);
}

static void
test_ec384_round_trip(void **state)
{
	(void)state;
	round_trip(KEY_EC384, JWS_ES384, 384);
}

static void
test_ec521_round_trip(void **state)
{
	(void)state;
	round_trip(KEY_EC521, JWS_ES512, 521);
}

static void
test_ed25519_round_trip(void **state)
{
	(void)state;
	round_trip(KEY_ED25519, JWS_EDDSA, 256);
}

static void
test_rsa2048_round_trip(void **state)
{
	(void)state;
	round_trip(KEY_RSA2048, JWS_RS256, 2048);
}

static void
test_jwk_equal(void **state)
{
	struct json_object	*o;
	struct jwk		 a, b, c;
	struct problem		 p;

	(void)state;
	assert_non_null(o = key_jwk(&keys[KEY_EC256]));
	assert_true(jwk_parse(o, &a, &p));
	assert_true(jwk_parse(o, &b, &p));
	json_object_put(o);
	assert_non_null(o = key_jwk(&keys[KEY_EC384]));
	assert_true(jwk_parse(o, &c, &p));
	json_object_put(o);
	assert_true(jwk_equal(&a, &b));
	assert_false(jwk_equal(&a, &c));
	jwk_free(&a);
	jwk_free(&b);
	jwk_free(&c);
}

/* 2047 bits: the RFC 7638 modulus with its top bit cleared. */
static void
test_rejects_rsa_below_2048_bits(void **state)
{
	uint8_t	*n;
	size_t	 len;
	char	*text;

	(void)state;
	n = rfc7638_n(&len);
	n[0] &= 0x7f;
	text = rsa_jwk_with_n(n, len, "AQAB");
	assert_jwk_refused(text, PROB_BAD_PUBLIC_KEY, "RSA key of 2047 bits");
	free(text);
	/* 1024 bits: the first half. */
	text = rsa_jwk_with_n(n + 128, 128, "AQAB");
	assert_jwk_refused(text, PROB_BAD_PUBLIC_KEY, "RSA key of 1024 bits");
	free(text);
	free(n);
}

static void
test_rejects_rsa_above_8192_bits(void **state)
{
	uint8_t	 n[1025];
	char	*text;

	(void)state;
	memset(n, 0xab, sizeof(n));
	n[0] = 0x01;
	text = rsa_jwk_with_n(n, sizeof(n), "AQAB");
	assert_jwk_refused(text, PROB_BAD_PUBLIC_KEY, "RSA key of 8193 bits");
	free(text);
}

static void
test_rejects_rsa_even_exponent(void **state)
{
	(void)state;
	/* 65536 ("AQAA") and 2 ("Ag"). */
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"AQAA\"}",
	    PROB_BAD_PUBLIC_KEY, "exponent");
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"Ag\"}",
	    PROB_BAD_PUBLIC_KEY, "exponent");
}

static void
test_rejects_rsa_exponent_one(void **state)
{
	(void)state;
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"AQ\"}",
	    PROB_BAD_PUBLIC_KEY, "exponent");
	/* 3 is the smallest odd exponent accepted. */
	{
		struct jwk	k;
		struct problem	p;

		assert_true(parse_text("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N
		    "\",\"e\":\"Aw\"}", &k, &p));
		jwk_free(&k);
	}
}

/*
 * RFC 7518 §2 (Base64urlUInt) and §6.3.1.1: "n" uses the minimum number of
 * octets.  A leading zero octet would give the same key a second canonical
 * text, hence a second thumbprint (and a second account on the endpoint).
 */
static void
test_rejects_rsa_modulus_leading_zero(void **state)
{
	uint8_t	*n, *padded;
	size_t	 len;
	char	*text;

	(void)state;
	n = rfc7638_n(&len);
	assert_non_null(padded = calloc(1, len + 1));
	memcpy(padded + 1, n, len);
	text = rsa_jwk_with_n(padded, len + 1, "AQAB");
	assert_jwk_refused(text, PROB_MALFORMED, "\"n\"");
	free(text);
	free(padded);
	free(n);
}

/* A JWK with private key members is refused: send the public key only. */
static void
test_rejects_private_members(void **state)
{
	(void)state;
	/* RFC 7515 A.3's d. */
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\","
	    "\"y\":\"" A3_Y "\",\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}",
	    PROB_MALFORMED, "private key member \"d\"");
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\",\"d\":\"AAAA\"}",
	    PROB_MALFORMED, "private key member \"d\"");
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"qi\":\"AQAB\"}",
	    PROB_MALFORMED, "\"qi\"");
}

/* RFC 7515 A.3's y with its lowest bit flipped: in the field, off the curve. */
static void
test_rejects_ec_point_not_on_curve(void **state)
{
	struct jwk	k;
	struct problem	p;

	(void)state;
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5aw\"}",
	    PROB_BAD_PUBLIC_KEY, "not a point on P-256");
	assert_true(parse_text("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X
	    "\",\"y\":\"" A3_Y "\"}", &k, &p));
	assert_int_equal(k.alg, JWS_ES256);
	jwk_free(&k);
}

/* RFC 7518 §6.2.1.2: coordinates are the full size of the curve. */
static void
test_rejects_ec_coordinate_length(void **state)
{
	(void)state;
	/* x of 31 bytes (A.3's x without its first byte). */
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"zc4ncPbEXUGDy-5v20t7WAczNXvp7xO6z248e9FURQ\","
	    "\"y\":\"" A3_Y "\"}", PROB_BAD_PUBLIC_KEY, "must be 32 bytes");
	/* A P-256 point called P-384. */
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" A3_X "\","
	    "\"y\":\"" A3_Y "\"}", PROB_BAD_PUBLIC_KEY, "must be 48 bytes");
}

static void
test_rejects_ed25519_key_length(void **state)
{
	(void)state;
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ\"}",
	    PROB_BAD_PUBLIC_KEY, "must be 32 bytes");
}

static void
test_rejects_unknown_crv(void **state)
{
	(void)state;
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-192\",\"x\":\"" A3_X "\","
	    "\"y\":\"" A3_Y "\"}", PROB_BAD_PUBLIC_KEY, "\"P-192\" is not supported");
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"" A3_X "\","
	    "\"y\":\"" A3_Y "\"}", PROB_BAD_PUBLIC_KEY, "is not supported");
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"" RFC8037_X "\"}",
	    PROB_BAD_PUBLIC_KEY, "\"Ed448\" is not supported");
	/* Ed25519 is an OKP curve, not an EC one. */
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\","
	    "\"y\":\"" A3_Y "\"}", PROB_BAD_PUBLIC_KEY, "is not supported");
}

static void
test_rejects_unknown_kty(void **state)
{
	(void)state;
	assert_jwk_refused("{\"kty\":\"oct\",\"k\":\"AAAA\"}",
	    PROB_BAD_PUBLIC_KEY, "\"oct\" is not supported");
	assert_jwk_refused("{\"kty\":\"rsa\",\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\"}",
	    PROB_BAD_PUBLIC_KEY, "is not supported");
}

static void
test_rejects_missing_members(void **state)
{
	(void)state;
	assert_jwk_refused("{\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\"}",
	    PROB_MALFORMED, "\"kty\"");
	assert_jwk_refused("{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
	    PROB_MALFORMED, "no \"n\" member");
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\"}",
	    PROB_MALFORMED, "no \"e\" member");
	assert_jwk_refused("{\"kty\":\"EC\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y "\"}",
	    PROB_MALFORMED, "\"crv\"");
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"y\":\"" A3_Y "\"}",
	    PROB_MALFORMED, "no \"x\" member");
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\"}",
	    PROB_MALFORMED, "no \"y\" member");
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}",
	    PROB_MALFORMED, "no \"x\" member");
	assert_jwk_refused("{\"kty\":\"OKP\",\"x\":\"" RFC8037_X "\"}",
	    PROB_MALFORMED, "\"crv\"");
}

static void
test_rejects_wrong_member_types(void **state)
{
	(void)state;
	assert_jwk_refused("{\"kty\":1,\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\"}",
	    PROB_MALFORMED, "\"kty\"");
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":[],\"e\":\"AQAB\"}",
	    PROB_MALFORMED, "\"n\" is not a string");
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":65537}",
	    PROB_MALFORMED, "\"e\" is not a string");
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":256,\"x\":\"" A3_X "\","
	    "\"y\":\"" A3_Y "\"}", PROB_MALFORMED, "\"crv\"");
}

static void
test_rejects_non_base64url_members(void **state)
{
	(void)state;
	/* Standard base64 characters, padding, and nothing at all. */
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU=\","
	    "\"y\":\"" A3_Y "\"}", PROB_MALFORMED, "\"x\" is not non-empty base64url");
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\","
	    "\"y\":\"x/FEzRu9m36HLN+tue659LNpXW6pCyStikYjKIWI5a0\"}",
	    PROB_MALFORMED, "\"y\" is not non-empty base64url");
	assert_jwk_refused("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"\"}",
	    PROB_MALFORMED, "\"e\" is not non-empty base64url");
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo \"}",
	    PROB_MALFORMED, "\"x\" is not non-empty base64url");
}

static void
test_rejects_non_object(void **state)
{
	struct json_object	*o;
	struct jwk		 k;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_non_null(o = json_object_new_string("{\"kty\":\"EC\"}"));
	assert_false(jwk_parse(o, &k, &p));
	assert_problem(&p, PROB_MALFORMED, "not a JSON object");
	json_object_put(o);
}

static void
test_parse_text_rejects_bad_json(void **state)
{
	struct jwk	k;
	struct problem	p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_false(jwk_parse_text("{\"kty\":\"EC\",\"kty\":\"EC\"}", &k, &p));
	assert_problem(&p, PROB_MALFORMED, "JWK: duplicate");
	assert_null(k.pub);
	assert_false(jwk_parse_text("{\"kty\":", &k, &p));
	assert_problem(&p, PROB_MALFORMED, "JWK: truncated");
}

static void
test_alg_names(void **state)
{
	static const char *const names[] = {
		"RS256", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"
	};

	(void)state;
	for (size_t i = 0; i < nitems(names); i++) {
		enum jws_alg a = jws_alg_parse(names[i]);

		assert_int_not_equal(a, JWS_ALG_INVALID);
		assert_string_equal(jws_alg_name(a), names[i]);
		assert_int_equal(jws_alg_is_mac(a), names[i][0] == 'H');
	}
	assert_int_equal(jws_alg_parse("none"), JWS_ALG_INVALID);
	assert_int_equal(jws_alg_parse("rs256"), JWS_ALG_INVALID);
	assert_int_equal(jws_alg_parse("PS256"), JWS_ALG_INVALID);
	assert_int_equal(jws_alg_parse(""), JWS_ALG_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7638_thumbprint),
		cmocka_unit_test(test_rfc7638_thumbprint_of_text),
		cmocka_unit_test(test_rfc8037_thumbprint),
		cmocka_unit_test(test_ec256_round_trip),
		cmocka_unit_test(test_ec384_round_trip),
		cmocka_unit_test(test_ec521_round_trip),
		cmocka_unit_test(test_ed25519_round_trip),
		cmocka_unit_test(test_rsa2048_round_trip),
		cmocka_unit_test(test_jwk_equal),
		cmocka_unit_test(test_rejects_rsa_below_2048_bits),
		cmocka_unit_test(test_rejects_rsa_above_8192_bits),
		cmocka_unit_test(test_rejects_rsa_even_exponent),
		cmocka_unit_test(test_rejects_rsa_exponent_one),
		cmocka_unit_test(test_rejects_rsa_modulus_leading_zero),
		cmocka_unit_test(test_rejects_private_members),
		cmocka_unit_test(test_rejects_ec_point_not_on_curve),
		cmocka_unit_test(test_rejects_ec_coordinate_length),
		cmocka_unit_test(test_rejects_ed25519_key_length),
		cmocka_unit_test(test_rejects_unknown_crv),
		cmocka_unit_test(test_rejects_unknown_kty),
		cmocka_unit_test(test_rejects_missing_members),
		cmocka_unit_test(test_rejects_wrong_member_types),
		cmocka_unit_test(test_rejects_non_base64url_members),
		cmocka_unit_test(test_rejects_non_object),
		cmocka_unit_test(test_parse_text_rejects_bad_json),
		cmocka_unit_test(test_alg_names),
	};

	return cmocka_run_group_tests(tests, fixture_keys_setup,
	    fixture_keys_teardown);
}
