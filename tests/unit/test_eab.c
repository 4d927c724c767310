/*
 * test_eab.c - External Account Binding (RFC 8555 §7.3.4): the shape of the
 * binding JWS, the key it binds, and the MAC.
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

#include <gnutls/crypto.h>

#include "b64url.h"
#include "eab.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "key.h"
#include "problem.h"
#include "testutil.h"

#define OUTER_URL	"https://ca.test/acme/ep/new-account"
#define KID		"kid-1_A"

/* RFC 7515 Appendix A.1: the HS256 example, and its key (A.1.1). */
static const char a1_compact[] =
	"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
	"bS9pc19yb290Ijp0cnVlfQ."
	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char a1_key[] =
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuT"
	"wjAzZr1Z9CAow";

/* A MAC key as an administrator would hand it out: 32 bytes. */
static const uint8_t mac_key[32] = {
	0x5a, 0x1c, 0x93, 0x07, 0xee, 0x42, 0x6d, 0xb1, 0x08, 0x7f, 0x33, 0xc4,
	0x9e, 0x21, 0x50, 0x0b, 0xd7, 0x66, 0x1a, 0xf2, 0x84, 0x3d, 0xc9, 0x5e,
	0x70, 0x2b, 0xa8, 0x11, 0xe6, 0x4f, 0x97, 0x0c,
};

static struct key	 outer, other;
static struct jwk	 outer_jwk;
static char		*outer_text;	/* the outer key's JWK, as JSON text */
static char		*other_text;

static char *
jwk_text(const struct key *k)
{
	struct json_object	*o;
	char			*s;

	if ((o = key_jwk(k)) == NULL)
		return NULL;
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static int
group_setup(void **state)
{
	struct problem p;

	(void)state;
	if (!key_generate(&outer, KEY_EC256) || !key_generate(&other, KEY_EC256) ||
	    (outer_text = jwk_text(&outer)) == NULL ||
	    (other_text = jwk_text(&other)) == NULL ||
	    !jwk_parse_text(outer_text, &outer_jwk, &p))
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	jwk_free(&outer_jwk);
	key_free(&outer);
	key_free(&other);
	free(outer_text);
	free(other_text);
	return 0;
}

/*
 * A binding JWS with protected header hdr (JSON text) over payload,
 * MACed with key under mac (GNUTLS_MAC_UNKNOWN: a fixed fake signature).
 * cut shortens the MAC by that many bytes.
 */
static struct json_object *
binding(const char *hdr, const char *payload, gnutls_mac_algorithm_t mac,
    const uint8_t *key, size_t keylen, size_t cut)
{
	struct json_object	*o;
	uint8_t			 tag[64] = { 0x42 };
	size_t			 taglen = 32;
	char			*h, *pl, *input, *sig;

	assert_non_null(h = b64url_encode(hdr, strlen(hdr)));
	assert_non_null(pl = b64url_encode(payload, strlen(payload)));
	assert_non_null(input = malloc(strlen(h) + strlen(pl) + 2));
	sprintf(input, "%s.%s", h, pl);
	if (mac != GNUTLS_MAC_UNKNOWN) {
		taglen = gnutls_hmac_get_len(mac);
		assert_int_equal(gnutls_hmac_fast(mac, key, keylen, input,
		    strlen(input), tag), 0);
	}
	assert_non_null(sig = b64url_encode(tag, taglen - cut));
	assert_non_null(o = json_object_new_object());
	json_add_string(o, "protected", h);
	json_add_string(o, "payload", pl);
	json_add_string(o, "signature", sig);
	free(h);
	free(pl);
	free(input);
	free(sig);
	return o;
}

/* The usual header for alg. */
static char *
header(const char *alg, const char *kid, const char *url)
{
	char *s;

	assert_true(asprintf(&s, "{\"alg\":\"%s\",\"kid\":\"%s\",\"url\":\"%s\"}",
	    alg, kid, url) > 0);
	return s;
}

/* A well-formed binding of the outer key, MACed with mac_key. */
static struct json_object *
good_binding(const char *alg, gnutls_mac_algorithm_t mac)
{
	struct json_object	*o;
	char			*h = header(alg, KID, OUTER_URL);

	o = binding(h, outer_text, mac, mac_key, sizeof(mac_key), 0);
	free(h);
	return o;
}

/* Parses a binding that must be accepted; puts the object. */
static void
must_parse(struct json_object *o, struct eab *e)
{
	struct problem p;

	memset(&p, 0, sizeof(p));
	if (!eab_parse(o, OUTER_URL, &outer_jwk, e, &p))
		fail_msg("binding refused: %s", p.detail);
	json_object_put(o);
}

/* Asserts that a binding is refused with type t and detail s; puts it. */
#define assert_eab_refused(obj, t, s) do {				\
	struct json_object	*o_ = (obj);				\
	struct eab		 e_;					\
	struct problem		 p_;					\
									\
	memset(&p_, 0, sizeof(p_));					\
	if (eab_parse(o_, OUTER_URL, &outer_jwk, &e_, &p_)) {		\
		eab_free(&e_);						\
		json_object_put(o_);					\
		fail_msg("binding accepted");				\
	}								\
	json_object_put(o_);						\
	assert_null(e_.kid);						\
	assert_null(e_.jws.hdr);					\
	assert_problem(&p_, (t), (s));					\
} while (0)

static void
verifies(const char *alg, gnutls_mac_algorithm_t mac, enum jws_alg jalg)
{
	struct eab e;

	must_parse(good_binding(alg, mac), &e);
	assert_int_equal(e.jws.alg, jalg);
	assert_string_equal(e.kid, KID);
	assert_true(eab_verify_mac(&e, mac_key, sizeof(mac_key)));
	eab_free(&e);
}

static void
test_hs256_verifies(void **state)
{
	(void)state;
	verifies("HS256", GNUTLS_MAC_SHA256, JWS_HS256);
}

static void
test_hs384_verifies(void **state)
{
	(void)state;
	verifies("HS384", GNUTLS_MAC_SHA384, JWS_HS384);
}

static void
test_hs512_verifies(void **state)
{
	(void)state;
	verifies("HS512", GNUTLS_MAC_SHA512, JWS_HS512);
}

static void
test_wrong_key_fails(void **state)
{
	struct eab	e;
	uint8_t		wrong[sizeof(mac_key)];

	(void)state;
	memcpy(wrong, mac_key, sizeof(wrong));
	wrong[sizeof(wrong) - 1] ^= 0x80;
	must_parse(good_binding("HS256", GNUTLS_MAC_SHA256), &e);
	assert_false(eab_verify_mac(&e, wrong, sizeof(wrong)));
	assert_false(eab_verify_mac(&e, mac_key, sizeof(mac_key) - 1));
	assert_true(eab_verify_mac(&e, mac_key, sizeof(mac_key)));
	eab_free(&e);
}

/* A MAC made with one hash does not pass as another of the same family. */
static void
test_mac_of_other_hash_fails(void **state)
{
	struct json_object	*o;
	struct eab		 e;
	char			*h = header("HS384", KID, OUTER_URL);

	(void)state;
	/* Says HS384, MACed with HMAC-SHA-512 cut to 48 bytes. */
	o = binding(h, outer_text, GNUTLS_MAC_SHA512, mac_key, sizeof(mac_key), 16);
	free(h);
	must_parse(o, &e);
	assert_false(eab_verify_mac(&e, mac_key, sizeof(mac_key)));
	eab_free(&e);
}

static void
test_truncated_mac_fails(void **state)
{
	struct json_object	*o;
	struct eab		 e;
	char			*h = header("HS256", KID, OUTER_URL);

	(void)state;
	o = binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key, sizeof(mac_key), 1);
	must_parse(o, &e);
	assert_false(eab_verify_mac(&e, mac_key, sizeof(mac_key)));
	eab_free(&e);
	/* Half a MAC (RFC 7518 §3.2 forbids truncation) fails too. */
	o = binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key, sizeof(mac_key), 16);
	free(h);
	must_parse(o, &e);
	assert_false(eab_verify_mac(&e, mac_key, sizeof(mac_key)));
	eab_free(&e);
}

/* A correct MAC under a key shorter than EAB_KEY_MIN bytes is refused. */
static void
test_short_key_fails(void **state)
{
	struct json_object	*o;
	struct eab		 e;
	char			*h = header("HS256", KID, OUTER_URL);

	(void)state;
	o = binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key, EAB_KEY_MIN - 1, 0);
	must_parse(o, &e);
	assert_false(eab_verify_mac(&e, mac_key, EAB_KEY_MIN - 1));
	eab_free(&e);
	o = binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key, EAB_KEY_MIN, 0);
	free(h);
	must_parse(o, &e);
	assert_true(eab_verify_mac(&e, mac_key, EAB_KEY_MIN));
	eab_free(&e);
}

static void
test_rejects_signature_alg(void **state)
{
	char *h;

	(void)state;
	h = header("RS256", KID, OUTER_URL);
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_UNKNOWN, NULL, 0, 0),
	    PROB_MALFORMED, "must use HS256, HS384 or HS512, not \"RS256\"");
	free(h);
	h = header("ES256", KID, OUTER_URL);
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_UNKNOWN, NULL, 0, 0),
	    PROB_MALFORMED, "not \"ES256\"");
	free(h);
}

static void
test_rejects_alg_none(void **state)
{
	char *h;

	(void)state;
	h = header("none", KID, OUTER_URL);
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_UNKNOWN, NULL, 0, 0),
	    PROB_MALFORMED, "not \"none\"");
	free(h);
}

/* RFC 8555 §7.3.4: the binding "MUST NOT contain a nonce". */
static void
test_rejects_nonce(void **state)
{
	static const char h[] = "{\"alg\":\"HS256\",\"kid\":\"" KID "\","
	    "\"url\":\"" OUTER_URL "\",\"nonce\":\"abc\"}";

	(void)state;
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_MALFORMED, "must not have a \"nonce\"");
}

static void
test_rejects_jwk_header(void **state)
{
	char	*h;

	(void)state;
	assert_true(asprintf(&h, "{\"alg\":\"HS256\",\"kid\":\"" KID "\","
	    "\"url\":\"" OUTER_URL "\",\"jwk\":%s}", outer_text) > 0);
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_MALFORMED, "must not have a \"jwk\"");
	free(h);
}

static void
test_rejects_missing_kid(void **state)
{
	static const char h[] = "{\"alg\":\"HS256\",\"url\":\"" OUTER_URL "\"}";

	(void)state;
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_MALFORMED, "needs a \"kid\"");
}

static void
test_rejects_invalid_kid(void **state)
{
	static const char *const bad[] = { "", "a b", "kid/1", "k%41", "k\\u00e9" };
	char	 longkid[EAB_KID_MAX + 2];
	char	*h;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		h = header("HS256", bad[i], OUTER_URL);
		assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256,
		    mac_key, sizeof(mac_key), 0), PROB_MALFORMED, "needs a \"kid\"");
		free(h);
	}
	memset(longkid, 'k', sizeof(longkid) - 1);
	longkid[sizeof(longkid) - 1] = '\0';
	h = header("HS256", longkid, OUTER_URL);
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_MALFORMED, "needs a \"kid\"");
	free(h);
}

static void
test_kid_valid(void **state)
{
	char kid[EAB_KID_MAX + 2];

	(void)state;
	assert_true(eab_kid_valid("a"));
	assert_true(eab_kid_valid("Az09_-"));
	memset(kid, 'k', sizeof(kid));
	kid[EAB_KID_MAX] = '\0';
	assert_true(eab_kid_valid(kid));
	kid[EAB_KID_MAX] = 'k';
	kid[EAB_KID_MAX + 1] = '\0';
	assert_false(eab_kid_valid(kid));
	assert_false(eab_kid_valid(""));
	assert_false(eab_kid_valid("a.b"));
	assert_false(eab_kid_valid("a\nb"));
}

/* RFC 8555 §7.3.4: the binding's "url" is the newAccount URL. */
static void
test_rejects_other_url(void **state)
{
	char *h;

	(void)state;
	h = header("HS256", KID, "https://ca.test/acme/other/new-account");
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_UNAUTHORIZED, "not the newAccount URL");
	free(h);
	h = header("HS256", KID, OUTER_URL "/");
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_UNAUTHORIZED, "not the newAccount URL");
	free(h);
}

static void
test_rejects_missing_url(void **state)
{
	static const char h[] = "{\"alg\":\"HS256\",\"kid\":\"" KID "\"}";

	(void)state;
	assert_eab_refused(binding(h, outer_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_UNAUTHORIZED, "not the newAccount URL");
}

/* The binding must carry the account key, not some other key. */
static void
test_rejects_other_key(void **state)
{
	char *h = header("HS256", KID, OUTER_URL);

	(void)state;
	assert_eab_refused(binding(h, other_text, GNUTLS_MAC_SHA256, mac_key,
	    sizeof(mac_key), 0), PROB_UNAUTHORIZED, "binds a different key");
	free(h);
}

static void
test_rejects_payload_not_jwk(void **state)
{
	char *h = header("HS256", KID, OUTER_URL);

	(void)state;
	assert_eab_refused(binding(h, "{\"kty\":\"EC\"}", GNUTLS_MAC_SHA256,
	    mac_key, sizeof(mac_key), 0), PROB_MALFORMED,
	    "payload is not a valid JWK");
	assert_eab_refused(binding(h, "{\"foo\":1}", GNUTLS_MAC_SHA256,
	    mac_key, sizeof(mac_key), 0), PROB_MALFORMED,
	    "payload is not a valid JWK");
	assert_eab_refused(binding(h, "hello", GNUTLS_MAC_SHA256,
	    mac_key, sizeof(mac_key), 0), PROB_MALFORMED, "payload is not a JWK");
	assert_eab_refused(binding(h, "", GNUTLS_MAC_SHA256,
	    mac_key, sizeof(mac_key), 0), PROB_MALFORMED, "payload is not a JWK");
	free(h);
}

/* A JWS-level error says it was in the binding. */
static void
test_rejects_bad_jws(void **state)
{
	struct json_object *o;

	(void)state;
	o = good_binding("HS256", GNUTLS_MAC_SHA256);
	json_object_object_add(o, "header", json_object_new_object());
	assert_eab_refused(o, PROB_MALFORMED,
	    "externalAccountBinding: JWS unprotected header");
	assert_eab_refused(json_object_new_string("x"), PROB_MALFORMED,
	    "externalAccountBinding: request body is not a JWS");
}

/* RFC 7515 Appendix A.1: the HS256 example verifies with its key. */
static void
test_rfc7515_a1_hs256(void **state)
{
	struct json_object	*o;
	struct problem		 p;
	struct eab		 e;
	uint8_t			*key;
	size_t			 keylen;
	char			*copy, *pl, *sig;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&e, 0, sizeof(e));
	assert_true(b64url_decode(a1_key, strlen(a1_key), &key, &keylen));
	assert_int_equal(keylen, 64);
	assert_non_null(copy = strdup(a1_compact));
	pl = strchr(copy, '.');
	*pl++ = '\0';
	sig = strchr(pl, '.');
	*sig++ = '\0';
	assert_non_null(o = json_object_new_object());
	json_add_string(o, "protected", copy);
	json_add_string(o, "payload", pl);
	json_add_string(o, "signature", sig);
	free(copy);
	assert_true(jws_parse(o, &e.jws, &p));
	json_object_put(o);
	assert_int_equal(e.jws.alg, JWS_HS256);
	assert_true(eab_verify_mac(&e, key, keylen));
	/* Failing twins: another key, and a changed MAC. */
	key[0] ^= 0x01;
	assert_false(eab_verify_mac(&e, key, keylen));
	key[0] ^= 0x01;
	e.jws.sig[31] ^= 0x01;
	assert_false(eab_verify_mac(&e, key, keylen));
	eab_free(&e);
	free(key);
}

/* eab_sign(): what the client sends, as the server reads it. */
static void
signs(enum jws_alg alg, const char *kid)
{
	struct json_object	*jwk, *o;
	struct eab		 e;
	uint8_t			 wrong[sizeof(mac_key)];

	assert_non_null(jwk = key_jwk(&outer));
	assert_non_null(o = eab_sign(alg, kid, mac_key, sizeof(mac_key), OUTER_URL, jwk));
	json_object_put(jwk);
	must_parse(o, &e);
	assert_int_equal(e.jws.alg, alg);
	assert_string_equal(e.kid, kid);
	assert_string_equal(e.jws.url, OUTER_URL);
	assert_string_equal((const char *)e.jws.payload, outer_text);
	assert_true(eab_verify_mac(&e, mac_key, sizeof(mac_key)));
	memcpy(wrong, mac_key, sizeof(wrong));
	wrong[0] ^= 1;
	assert_false(eab_verify_mac(&e, wrong, sizeof(wrong)));
	eab_free(&e);
}

static void
test_sign_hs256(void **state)
{
	(void)state;
	signs(JWS_HS256, KID);
}

static void
test_sign_hs384_hs512(void **state)
{
	(void)state;
	signs(JWS_HS384, KID);
	signs(JWS_HS512, "another-kid");
}

/* The binding is of the key it is given, not of another. */
static void
test_sign_binds_that_key(void **state)
{
	struct json_object *jwk;

	(void)state;
	assert_non_null(jwk = key_jwk(&other));
	assert_eab_refused(eab_sign(JWS_HS256, KID, mac_key, sizeof(mac_key),
	    OUTER_URL, jwk), PROB_UNAUTHORIZED, "different key");
	json_object_put(jwk);
}

static void
test_sign_refuses(void **state)
{
	struct json_object	*jwk;
	char			 longkid[EAB_SIGN_KID_MAX + 2];

	(void)state;
	memset(longkid, 'k', sizeof(longkid) - 1);
	longkid[sizeof(longkid) - 1] = '\0';
	assert_non_null(jwk = key_jwk(&outer));
	assert_null(eab_sign(JWS_ES256, KID, mac_key, sizeof(mac_key), OUTER_URL, jwk));
	assert_null(eab_sign(JWS_ALG_INVALID, KID, mac_key, sizeof(mac_key), OUTER_URL, jwk));
	assert_null(eab_sign(JWS_HS256, KID, mac_key, EAB_KEY_MIN - 1, OUTER_URL, jwk));
	assert_null(eab_sign(JWS_HS256, "", mac_key, sizeof(mac_key), OUTER_URL, jwk));
	assert_null(eab_sign(JWS_HS256, "a kid", mac_key, sizeof(mac_key), OUTER_URL, jwk));
	assert_null(eab_sign(JWS_HS256, longkid, mac_key, sizeof(mac_key), OUTER_URL, jwk));
	assert_null(eab_sign(JWS_HS256, NULL, mac_key, sizeof(mac_key), OUTER_URL, jwk));
	json_object_put(jwk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hs256_verifies),
		cmocka_unit_test(test_hs384_verifies),
		cmocka_unit_test(test_hs512_verifies),
		cmocka_unit_test(test_wrong_key_fails),
		cmocka_unit_test(test_mac_of_other_hash_fails),
		cmocka_unit_test(test_truncated_mac_fails),
		cmocka_unit_test(test_short_key_fails),
		cmocka_unit_test(test_rejects_signature_alg),
		cmocka_unit_test(test_rejects_alg_none),
		cmocka_unit_test(test_rejects_nonce),
		cmocka_unit_test(test_rejects_jwk_header),
		cmocka_unit_test(test_rejects_missing_kid),
		cmocka_unit_test(test_rejects_invalid_kid),
		cmocka_unit_test(test_kid_valid),
		cmocka_unit_test(test_rejects_other_url),
		cmocka_unit_test(test_rejects_missing_url),
		cmocka_unit_test(test_rejects_other_key),
		cmocka_unit_test(test_rejects_payload_not_jwk),
		cmocka_unit_test(test_rejects_bad_jws),
		cmocka_unit_test(test_rfc7515_a1_hs256),
		cmocka_unit_test(test_sign_hs256),
		cmocka_unit_test(test_sign_hs384_hs512),
		cmocka_unit_test(test_sign_binds_that_key),
		cmocka_unit_test(test_sign_refuses),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
