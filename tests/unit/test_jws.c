/*
 * test_jws.c - flattened JWS parsing (RFC 7515 §7.2.2, RFC 8555 §6.2) and
 * signature verification against the RFC 7515 and RFC 8037 examples.
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
#include "jws.h"
#include "key.h"
#include "problem.h"
#include "fixture.h"
#include "testutil.h"

/* RFC 7515 Appendix A.2-A.3: the JWT claims payload the examples sign. */
#define A_PAYLOAD \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv" \
	"bS9pc19yb290Ijp0cnVlfQ"

/* RFC 7515 Appendix A.2: RS256, the public part of the A.2.1 key. */
static const char a2_jwk[] =
	"{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJc"
	"yQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCg"
	"NMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbB"
	"YUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5"
	"IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuX"
	"poQ\"}";
static const char a2_compact[] =
	"eyJhbGciOiJSUzI1NiJ9." A_PAYLOAD "."
	"cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0"
	"Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyT"
	"yWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDw"
	"usC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5"
	"AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

/* RFC 7515 Appendix A.3: ES256 with the A.3.1 P-256 key. */
static const char a3_jwk[] =
	"{\"kty\":\"EC\",\"crv\":\"P-256\","
	"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";
static const char a3_compact[] =
	"eyJhbGciOiJFUzI1NiJ9." A_PAYLOAD "."
	"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJq"
	"PP3-Kg6NU1Q";

/* RFC 7515 Appendix A.4: ES512 with the A.4.1 P-521 key over "Payload". */
static const char a4_jwk[] =
	"{\"kty\":\"EC\",\"crv\":\"P-521\","
	"\"x\":\"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jS"
	"fS9tsz4qUxcWceqwQGk\","
	"\"y\":\"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZ"
	"MaZmh9ubmf63e3kyMj2\"}";
static const char a4_compact[] =
	"eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA."
	"AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB"
	"34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNr"
	"mxYbSW9ERBXukOXolLzeO_Jn";

/* RFC 8037 Appendix A.4: EdDSA with the A.1/A.2 Ed25519 key. */
static const char rfc8037_jwk[] =
	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
static const char rfc8037_compact[] =
	"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
	"hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVv"
	"pAr_MuM0KAg";

#define keys	fixture_keys

/* A flattened JWS object; a NULL part is left out. */
static struct json_object *
flattened(const char *prot, const char *payload, const char *sig)
{
	struct json_object *o;

	assert_non_null(o = json_object_new_object());
	if (prot != NULL)
		assert_true(json_add_string(o, "protected", prot));
	if (payload != NULL)
		assert_true(json_add_string(o, "payload", payload));
	if (sig != NULL)
		assert_true(json_add_string(o, "signature", sig));
	return o;
}

/* The flattened form of a compact serialization (RFC 7515 §7.1, §7.2.2). */
static struct json_object *
from_compact(const char *compact)
{
	struct json_object	*o;
	char			*copy, *payload, *sig;

	assert_non_null(copy = strdup(compact));
	assert_non_null(payload = strchr(copy, '.'));
	*payload++ = '\0';
	assert_non_null(sig = strchr(payload, '.'));
	*sig++ = '\0';
	o = flattened(copy, payload, sig);
	free(copy);
	return o;
}

/* base64url of a text, malloc'd. */
static char *
b64(const char *text)
{
	char *s;

	assert_non_null(s = b64url_encode(text, strlen(text)));
	return s;
}

/* A flattened JWS with protected header hdr (JSON text) and payload text. */
static struct json_object *
with_header(const char *hdr, const char *payload)
{
	struct json_object	*o;
	char			*h, *pl;

	h = b64(hdr);
	pl = b64(payload);
	o = flattened(h, pl, "c2lnbmF0dXJl");
	free(h);
	free(pl);
	return o;
}

/* Parses a JWK from text, which must be valid. */
static void
must_jwk(const char *text, struct jwk *k)
{
	struct problem	p;

	memset(&p, 0, sizeof(p));
	if (!jwk_parse_text(text, k, &p))
		fail_msg("JWK refused: %s", p.detail);
}

/* Parses a flattened JWS, which must be valid, and puts the object. */
static void
must_jws(struct json_object *o, struct jws *j)
{
	struct problem	p;

	memset(&p, 0, sizeof(p));
	if (!jws_parse(o, j, &p))
		fail_msg("JWS refused: %s", p.detail);
	json_object_put(o);
}

/* Asserts that a flattened JWS is refused as malformed with detail s. */
#define assert_jws_refused(obj, s) do {					\
	struct json_object	*o_ = (obj);				\
	struct jws		 j_;					\
	struct problem		 p_;					\
									\
	memset(&p_, 0, sizeof(p_));					\
	if (jws_parse(o_, &j_, &p_)) {					\
		jws_free(&j_);						\
		json_object_put(o_);					\
		fail_msg("JWS accepted");				\
	}								\
	json_object_put(o_);						\
	assert_null(j_.hdr);						\
	assert_null(j_.payload);					\
	assert_null(j_.sig);						\
	assert_problem(&p_, PROB_MALFORMED, (s));			\
} while (0)

/* Verifies a compact example with its key: 1 if the signature holds. */
static int
verify_example(const char *jwk_text, const char *compact, enum jws_alg alg,
    int flip_bit, size_t cut)
{
	struct jwk	k;
	struct jws	j;
	int		ok;

	must_jwk(jwk_text, &k);
	must_jws(from_compact(compact), &j);
	assert_int_equal(j.alg, alg);
	assert_int_equal(k.alg, alg);
	if (flip_bit)
		j.sig[j.sig_len / 2] ^= 0x01;
	ok = jwk_verify(&k, j.alg, j.signing_input, j.signing_input_len, j.sig,
	    j.sig_len - cut);
	jws_free(&j);
	jwk_free(&k);
	return ok;
}

static void
test_rfc7515_a2_rs256_verifies(void **state)
{
	struct jws j;

	(void)state;
	assert_true(verify_example(a2_jwk, a2_compact, JWS_RS256, 0, 0));
	/* The parts come out as the example says. */
	must_jws(from_compact(a2_compact), &j);
	assert_string_equal(j.alg_name, "RS256");
	assert_int_equal(j.sig_len, 256);
	assert_int_equal(j.signing_input_len, strlen("eyJhbGciOiJSUzI1NiJ9." A_PAYLOAD));
	assert_string_equal(j.signing_input, "eyJhbGciOiJSUzI1NiJ9." A_PAYLOAD);
	assert_contains((const char *)j.payload, "\"iss\":\"joe\"");
	assert_false(j.post_as_get);
	jws_free(&j);
}

static void
test_rfc7515_a2_flipped_bit_fails(void **state)
{
	(void)state;
	assert_false(verify_example(a2_jwk, a2_compact, JWS_RS256, 1, 0));
}

static void
test_rfc7515_a3_es256_verifies(void **state)
{
	(void)state;
	assert_true(verify_example(a3_jwk, a3_compact, JWS_ES256, 0, 0));
}

static void
test_rfc7515_a3_flipped_bit_fails(void **state)
{
	(void)state;
	assert_false(verify_example(a3_jwk, a3_compact, JWS_ES256, 1, 0));
}

/* RFC 7518 §3.4: R||S is exactly 64 bytes for ES256; 63 is refused. */
static void
test_rfc7515_a3_truncated_signature_fails(void **state)
{
	(void)state;
	assert_false(verify_example(a3_jwk, a3_compact, JWS_ES256, 0, 1));
}

static void
test_rfc7515_a4_es512_verifies(void **state)
{
	(void)state;
	assert_true(verify_example(a4_jwk, a4_compact, JWS_ES512, 0, 0));
}

static void
test_rfc7515_a4_flipped_bit_fails(void **state)
{
	(void)state;
	assert_false(verify_example(a4_jwk, a4_compact, JWS_ES512, 1, 0));
}

/* 132 bytes for ES512 (two 66-byte halves); 131 is refused. */
static void
test_rfc7515_a4_truncated_signature_fails(void **state)
{
	(void)state;
	assert_false(verify_example(a4_jwk, a4_compact, JWS_ES512, 0, 1));
}

static void
test_rfc8037_a4_eddsa_verifies(void **state)
{
	(void)state;
	assert_true(verify_example(rfc8037_jwk, rfc8037_compact, JWS_EDDSA, 0, 0));
}

static void
test_rfc8037_a4_flipped_bit_fails(void **state)
{
	(void)state;
	assert_false(verify_example(rfc8037_jwk, rfc8037_compact, JWS_EDDSA, 1, 0));
}

static void
test_rfc8037_a4_truncated_signature_fails(void **state)
{
	(void)state;
	assert_false(verify_example(rfc8037_jwk, rfc8037_compact, JWS_EDDSA, 0, 1));
}

/* A key verifies only with its own algorithm, even over a valid signature. */
static void
test_wrong_alg_for_key_fails(void **state)
{
	struct jwk	k;
	struct jws	j;

	(void)state;
	must_jwk(a3_jwk, &k);
	must_jws(from_compact(a3_compact), &j);
	assert_true(jwk_verify(&k, JWS_ES256, j.signing_input,
	    j.signing_input_len, j.sig, j.sig_len));
	assert_false(jwk_verify(&k, JWS_ES384, j.signing_input,
	    j.signing_input_len, j.sig, j.sig_len));
	assert_false(jwk_verify(&k, JWS_RS256, j.signing_input,
	    j.signing_input_len, j.sig, j.sig_len));
	assert_false(jwk_verify(&k, JWS_HS256, j.signing_input,
	    j.signing_input_len, j.sig, j.sig_len));
	jws_free(&j);
	jwk_free(&k);
	must_jwk(a2_jwk, &k);
	must_jws(from_compact(a2_compact), &j);
	assert_false(jwk_verify(&k, JWS_ES256, j.signing_input,
	    j.signing_input_len, j.sig, j.sig_len));
	jws_free(&j);
	jwk_free(&k);
}

/* One example's signature does not verify another example's input. */
static void
test_signature_of_other_input_fails(void **state)
{
	struct jwk	k;
	struct jws	j;
	static const char other[] = "eyJhbGciOiJFUzI1NiJ9.UGF5bG9hZA";

	(void)state;
	must_jwk(a3_jwk, &k);
	must_jws(from_compact(a3_compact), &j);
	assert_false(jwk_verify(&k, JWS_ES256, other, strlen(other), j.sig,
	    j.sig_len));
	jws_free(&j);
	jwk_free(&k);
}

static void
test_rejects_non_object_body(void **state)
{
	(void)state;
	assert_jws_refused(json_object_new_array(), "flattened JSON serialization");
	assert_jws_refused(json_object_new_string(a3_compact),
	    "flattened JSON serialization");
}

static void
test_rejects_general_serialization(void **state)
{
	struct json_object *o;

	(void)state;
	o = json_object_new_object();
	json_add_string(o, "payload", A_PAYLOAD);
	json_object_object_add(o, "signatures", json_object_new_array());
	assert_jws_refused(o, "general JSON serialization");
	/* Even next to a complete flattened JWS. */
	o = from_compact(a3_compact);
	json_object_object_add(o, "signatures", json_object_new_array());
	assert_jws_refused(o, "general JSON serialization");
}

/* RFC 8555 §6.2: no unprotected header. */
static void
test_rejects_unprotected_header(void **state)
{
	struct json_object *o, *h;

	(void)state;
	o = from_compact(a3_compact);
	h = json_object_new_object();
	json_add_string(h, "kid", "2010-12-29");
	json_object_object_add(o, "header", h);
	assert_jws_refused(o, "unprotected header");
}

/* RFC 7515 §4.1.11: we understand no extension, so any "crit" is refused. */
static void
test_rejects_crit(void **state)
{
	(void)state;
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"crit\":[\"exp\"],"
	    "\"exp\":1}", "{}"), "\"crit\"");
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"crit\":[]}", "{}"),
	    "\"crit\"");
}

/* RFC 7797: "b64": false (or anything but true) is refused. */
static void
test_rejects_b64_false(void **state)
{
	struct jws j;

	(void)state;
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"b64\":false}", "{}"),
	    "\"b64\": false");
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"b64\":\"true\"}", "{}"),
	    "\"b64\": false");
	must_jws(with_header("{\"alg\":\"ES256\",\"b64\":true}", "{}"), &j);
	jws_free(&j);
}

static void
test_rejects_missing_parts(void **state)
{
	(void)state;
	assert_jws_refused(flattened(NULL, A_PAYLOAD, "c2ln"),
	    "needs string members");
	assert_jws_refused(flattened("eyJhbGciOiJFUzI1NiJ9", NULL, "c2ln"),
	    "needs string members");
	assert_jws_refused(flattened("eyJhbGciOiJFUzI1NiJ9", A_PAYLOAD, NULL),
	    "needs string members");
}

static void
test_rejects_parts_of_wrong_type(void **state)
{
	struct json_object *o;

	(void)state;
	o = flattened(NULL, A_PAYLOAD, "c2ln");
	json_object_object_add(o, "protected", json_object_new_int(1));
	assert_jws_refused(o, "needs string members");
	o = flattened("eyJhbGciOiJFUzI1NiJ9", A_PAYLOAD, NULL);
	json_object_object_add(o, "signature", json_object_new_object());
	assert_jws_refused(o, "needs string members");
}

static void
test_rejects_empty_protected(void **state)
{
	(void)state;
	assert_jws_refused(flattened("", A_PAYLOAD, "c2ln"),
	    "protected header is empty");
}

static void
test_rejects_non_base64url_protected(void **state)
{
	(void)state;
	/* Standard base64 of {"alg":"ES256"} with padding, and a '+'. */
	assert_jws_refused(flattened("eyJhbGciOiJFUzI1NiJ9==", A_PAYLOAD, "c2ln"),
	    "protected header is not base64url");
	assert_jws_refused(flattened("eyJhbGciOiJFUzI1+iJ9", A_PAYLOAD, "c2ln"),
	    "protected header is not base64url");
}

static void
test_rejects_non_base64url_payload(void **state)
{
	(void)state;
	assert_jws_refused(flattened("eyJhbGciOiJFUzI1NiJ9", "e30=", "c2ln"),
	    "payload is not base64url");
	assert_jws_refused(flattened("eyJhbGciOiJFUzI1NiJ9", "e3 0", "c2ln"),
	    "payload is not base64url");
}

static void
test_rejects_non_base64url_signature(void **state)
{
	(void)state;
	assert_jws_refused(flattened("eyJhbGciOiJFUzI1NiJ9", A_PAYLOAD, "c2ln/"),
	    "signature is not base64url");
}

static void
test_rejects_protected_not_object(void **state)
{
	(void)state;
	assert_jws_refused(with_header("[\"alg\",\"ES256\"]", "{}"),
	    "protected header is not a JSON object");
	assert_jws_refused(with_header("\"ES256\"", "{}"),
	    "protected header is not a JSON object");
	assert_jws_refused(with_header("{\"alg\":\"ES256\"", "{}"),
	    "JWS protected header: truncated");
	assert_jws_refused(with_header("not json", "{}"),
	    "JWS protected header: JSON syntax error");
}

/* RFC 7515 §4: a JWS parser may reject duplicate names; we must. */
static void
test_rejects_protected_duplicate_member(void **state)
{
	(void)state;
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"alg\":\"none\"}", "{}"),
	    "JWS protected header: duplicate");
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\","
	    "\"kty\":\"RSA\"}}", "{}"), "JWS protected header: duplicate");
}

static void
test_rejects_alg_missing_or_not_string(void **state)
{
	(void)state;
	assert_jws_refused(with_header("{\"url\":\"https://x.test/\"}", "{}"),
	    "no string \"alg\"");
	assert_jws_refused(with_header("{\"alg\":256}", "{}"), "no string \"alg\"");
	assert_jws_refused(with_header("{\"alg\":null}", "{}"), "no string \"alg\"");
	assert_jws_refused(with_header("{\"alg\":[\"ES256\"]}", "{}"),
	    "no string \"alg\"");
}

/* An unknown "alg" parses: judging it is the caller's job. */
static void
test_unknown_alg_parses_as_invalid(void **state)
{
	struct jws j;

	(void)state;
	must_jws(with_header("{\"alg\":\"none\"}", "{}"), &j);
	assert_int_equal(j.alg, JWS_ALG_INVALID);
	assert_string_equal(j.alg_name, "none");
	jws_free(&j);
}

static void
test_rejects_url_not_string(void **state)
{
	(void)state;
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"url\":1}", "{}"),
	    "\"url\" is not a string");
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"url\":{}}", "{}"),
	    "\"url\" is not a string");
}

static void
test_rejects_kid_not_string(void **state)
{
	(void)state;
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"kid\":7}", "{}"),
	    "\"kid\" is not a string");
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"kid\":[\"a\"]}", "{}"),
	    "\"kid\" is not a string");
}

static void
test_rejects_nonce_not_string(void **state)
{
	(void)state;
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"nonce\":123}", "{}"),
	    "\"nonce\" is not a string");
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"nonce\":true}", "{}"),
	    "\"nonce\" is not a string");
}

static void
test_rejects_jwk_not_object(void **state)
{
	(void)state;
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"jwk\":\"e30\"}", "{}"),
	    "\"jwk\" is not an object");
	assert_jws_refused(with_header("{\"alg\":\"ES256\",\"jwk\":[]}", "{}"),
	    "\"jwk\" is not an object");
}

static void
test_header_members_extracted(void **state)
{
	struct jws j;

	(void)state;
	must_jws(with_header("{\"alg\":\"ES256\",\"nonce\":\"n0nce\","
	    "\"url\":\"https://ca.test/ep/new-account\","
	    "\"kid\":\"https://ca.test/ep/acct/x\",\"jwk\":{\"kty\":\"EC\"}}",
	    "{\"a\":1}"), &j);
	assert_int_equal(j.alg, JWS_ES256);
	assert_string_equal(j.nonce, "n0nce");
	assert_string_equal(j.url, "https://ca.test/ep/new-account");
	assert_string_equal(j.kid, "https://ca.test/ep/acct/x");
	assert_non_null(j.jwk);
	assert_true(json_object_is_type(j.jwk, json_type_object));
	assert_int_equal(j.payload_len, 7);
	assert_string_equal((const char *)j.payload, "{\"a\":1}");
	jws_free(&j);
	must_jws(with_header("{\"alg\":\"ES256\"}", "{}"), &j);
	assert_null(j.nonce);
	assert_null(j.url);
	assert_null(j.kid);
	assert_null(j.jwk);
	jws_free(&j);
}

static void
test_post_as_get(void **state)
{
	struct json_object	*o;
	struct jws		 j;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	must_jws(flattened("eyJhbGciOiJFUzI1NiJ9", "", "c2ln"), &j);
	assert_true(j.post_as_get);
	assert_int_equal(j.payload_len, 0);
	assert_string_equal(j.signing_input, "eyJhbGciOiJFUzI1NiJ9.");
	assert_false(jws_payload_object(&j, 10, &o, &p));
	assert_null(o);
	assert_problem(&p, PROB_MALFORMED, "POST-as-GET");
	jws_free(&j);
}

static void
test_payload_object(void **state)
{
	struct json_object	*o;
	struct jws		 j;
	struct problem		 p;

	(void)state;
	memset(&p, 0, sizeof(p));
	must_jws(with_header("{\"alg\":\"ES256\"}", "{\"contact\":[]}"), &j);
	assert_true(jws_payload_object(&j, 10, &o, &p));
	assert_true(json_object_object_get_ex(o, "contact", NULL));
	json_object_put(o);
	jws_free(&j);
	must_jws(with_header("{\"alg\":\"ES256\"}", "[1]"), &j);
	assert_false(jws_payload_object(&j, 10, &o, &p));
	assert_problem(&p, PROB_MALFORMED, "not a JSON object");
	jws_free(&j);
	must_jws(with_header("{\"alg\":\"ES256\"}", "{\"a\":1,\"a\":1}"), &j);
	assert_false(jws_payload_object(&j, 10, &o, &p));
	assert_problem(&p, PROB_MALFORMED, "JWS payload: duplicate");
	jws_free(&j);
}

/* key_jws() output parses, carries the header, and verifies. */
static void
key_jws_verifies(enum key_type t)
{
	struct json_object	*hdr, *body, *pub;
	struct jwk		 k;
	struct jws		 j;
	struct problem		 p;
	const char		*err;
	char			*text;

	memset(&p, 0, sizeof(p));
	assert_non_null(hdr = json_object_new_object());
	json_add_string(hdr, "url", "https://ca.test/ep/new-account");
	json_add_string(hdr, "nonce", "abc");
	assert_non_null(text = key_jws(&keys[t], hdr, "{\"a\":1}"));
	json_object_put(hdr);
	body = json_parse(text, strlen(text), 10, &err);
	assert_non_null(body);
	free(text);
	must_jws(body, &j);
	assert_int_equal(j.alg, keys[t].alg);
	assert_string_equal(j.url, "https://ca.test/ep/new-account");
	assert_string_equal(j.nonce, "abc");
	assert_string_equal((const char *)j.payload, "{\"a\":1}");
	assert_non_null(pub = key_jwk(&keys[t]));
	assert_true(jwk_parse(pub, &k, &p));
	json_object_put(pub);
	assert_true(jwk_verify(&k, j.alg, j.signing_input, j.signing_input_len,
	    j.sig, j.sig_len));
	/* Its failing twin: the same signature over a changed input. */
	j.signing_input[0] ^= 0x01;
	assert_false(jwk_verify(&k, j.alg, j.signing_input, j.signing_input_len,
	    j.sig, j.sig_len));
	jws_free(&j);
	jwk_free(&k);
}

static void
test_key_jws_ec256(void **state)
{
	(void)state;
	key_jws_verifies(KEY_EC256);
}

static void
test_key_jws_ec384(void **state)
{
	(void)state;
	key_jws_verifies(KEY_EC384);
}

static void
test_key_jws_ec521(void **state)
{
	(void)state;
	key_jws_verifies(KEY_EC521);
}

static void
test_key_jws_rsa2048(void **state)
{
	(void)state;
	key_jws_verifies(KEY_RSA2048);
}

static void
test_key_jws_ed25519(void **state)
{
	(void)state;
	key_jws_verifies(KEY_ED25519);
}

/* key_jws() with no payload is POST-as-GET: an empty payload member. */
static void
test_key_jws_post_as_get(void **state)
{
	struct json_object	*hdr, *body;
	struct jws		 j;
	const char		*err;
	char			*text;

	(void)state;
	assert_non_null(hdr = json_object_new_object());
	assert_non_null(text = key_jws(&keys[KEY_EC256], hdr, NULL));
	json_object_put(hdr);
	assert_non_null(body = json_parse(text, strlen(text), 10, &err));
	free(text);
	must_jws(body, &j);
	assert_true(j.post_as_get);
	assert_int_equal(j.payload_len, 0);
	jws_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7515_a2_rs256_verifies),
		cmocka_unit_test(test_rfc7515_a2_flipped_bit_fails),
		cmocka_unit_test(test_rfc7515_a3_es256_verifies),
		cmocka_unit_test(test_rfc7515_a3_flipped_bit_fails),
		cmocka_unit_test(test_rfc7515_a3_truncated_signature_fails),
		cmocka_unit_test(test_rfc7515_a4_es512_verifies),
		cmocka_unit_test(test_rfc7515_a4_flipped_bit_fails),
		cmocka_unit_test(test_rfc7515_a4_truncated_signature_fails),
		cmocka_unit_test(test_rfc8037_a4_eddsa_verifies),
		cmocka_unit_test(test_rfc8037_a4_flipped_bit_fails),
		cmocka_unit_test(test_rfc8037_a4_truncated_signature_fails),
		cmocka_unit_test(test_wrong_alg_for_key_fails),
		cmocka_unit_test(test_signature_of_other_input_fails),
		cmocka_unit_test(test_rejects_non_object_body),
		cmocka_unit_test(test_rejects_general_serialization),
		cmocka_unit_test(test_rejects_unprotected_header),
		cmocka_unit_test(test_rejects_crit),
		cmocka_unit_test(test_rejects_b64_false),
		cmocka_unit_test(test_rejects_missing_parts),
		cmocka_unit_test(test_rejects_parts_of_wrong_type),
		cmocka_unit_test(test_rejects_empty_protected),
		cmocka_unit_test(test_rejects_non_base64url_protected),
		cmocka_unit_test(test_rejects_non_base64url_payload),
		cmocka_unit_test(test_rejects_non_base64url_signature),
		cmocka_unit_test(test_rejects_protected_not_object),
		cmocka_unit_test(test_rejects_protected_duplicate_member),
		cmocka_unit_test(test_rejects_alg_missing_or_not_string),
		cmocka_unit_test(test_unknown_alg_parses_as_invalid),
		cmocka_unit_test(test_rejects_url_not_string),
		cmocka_unit_test(test_rejects_kid_not_string),
		cmocka_unit_test(test_rejects_nonce_not_string),
		cmocka_unit_test(test_rejects_jwk_not_object),
		cmocka_unit_test(test_header_members_extracted),
		cmocka_unit_test(test_post_as_get),
		cmocka_unit_test(test_payload_object),
		cmocka_unit_test(test_key_jws_ec256),
		cmocka_unit_test(test_key_jws_ec384),
		cmocka_unit_test(test_key_jws_ec521),
		cmocka_unit_test(test_key_jws_rsa2048),
		cmocka_unit_test(test_key_jws_ed25519),
		cmocka_unit_test(test_key_jws_post_as_get),
	};

	return cmocka_run_group_tests(tests, fixture_keys_setup,
	    fixture_keys_teardown);
}
