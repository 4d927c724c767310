#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "b64url.h"
#include "json.h"
#include "jwk.h"
#include "problem.h"

/* Longest base64url member we read: an 8192-bit modulus. */
#define JWK_MEMBER_MAX	1400

static const char *const alg_names[JWS_ALG__MAX] = {
	[JWS_ALG_INVALID] = "invalid",
	[JWS_RS256] = "RS256",
	[JWS_ES256] = "ES256",
	[JWS_ES384] = "ES384",
	[JWS_ES512] = "ES512",
	[JWS_EDDSA] = "EdDSA",
	[JWS_HS256] = "HS256",
	[JWS_HS384] = "HS384",
	[JWS_HS512] = "HS512",
};

const char *
jws_alg_name(enum jws_alg a)
{
	return a < JWS_ALG__MAX ? alg_names[a] : alg_names[JWS_ALG_INVALID];
}

enum jws_alg
jws_alg_parse(const char *s)
{
	for (int a = JWS_ALG_INVALID + 1; a < JWS_ALG__MAX; a++)
		if (strcmp(s, alg_names[a]) == 0)
			return (enum jws_alg)a;
	return JWS_ALG_INVALID;
}

int
jws_alg_is_mac(enum jws_alg a)
{
	return a == JWS_HS256 || a == JWS_HS384 || a == JWS_HS512;
}

/* The EC curves: JWK name, GnuTLS curve, coordinate size, JWS algorithm. */
static const struct {
	const char		*crv;
	gnutls_ecc_curve_t	 curve;
	size_t			 coord;
	enum jws_alg		 alg;
} curves[] = {
	{ "P-256", GNUTLS_ECC_CURVE_SECP256R1, 32, JWS_ES256 },
	{ "P-384", GNUTLS_ECC_CURVE_SECP384R1, 48, JWS_ES384 },
	{ "P-521", GNUTLS_ECC_CURVE_SECP521R1, 66, JWS_ES512 },
};

/* Reads a base64url member into a datum; 1 ok, 0 with p set. */
static int
get_b64(struct json_object *obj, const char *key, gnutls_datum_t *d,
    struct problem *p)
{
	const char	*s;
	uint8_t		*buf;
	size_t		 len;

	switch (json_get_string(obj, key, JWK_MEMBER_MAX, &s)) {
	case JGET_OK:
		break;
	case JGET_ABSENT:
		return problem_set(p, PROB_MALFORMED, "JWK has no \"%s\" member", key);
	default:
		return problem_set(p, PROB_MALFORMED,
		    "JWK member \"%s\" is not a string of at most %d characters",
		    key, JWK_MEMBER_MAX);
	}
	if (!b64url_decode(s, strlen(s), &buf, &len) || len == 0) {
		free(buf);
		return problem_set(p, PROB_MALFORMED,
		    "JWK member \"%s\" is not non-empty base64url", key);
	}
	d->data = buf;
	d->size = (unsigned)len;
	return 1;
}

/* Canonical JSON: the required members in lexicographic order (RFC 7638 §3.2). */
static char *
canonical(const char *const *names, const char *const *values, size_t n)
{
	struct json_object	*o;
	char			*res = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!json_add_string(o, names[i], values[i]))
			goto out;
	res = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(o);
	return res;
}

int
jwk_thumbprint(const char *text, char *out)
{
	uint8_t digest[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, text, strlen(text), digest) < 0)
		return 0;
	b64url_encode_buf(digest, sizeof(digest), out);
	return 1;
}

static int
parse_rsa(struct json_object *obj, struct jwk *k, struct problem *p)
{
	gnutls_datum_t	 n = { NULL, 0 }, e = { NULL, 0 };
	const char	*names[] = { "e", "kty", "n" }, *values[3];
	size_t		 i, bits;
	int		 ok = 0;

	if (!get_b64(obj, "n", &n, p) || !get_b64(obj, "e", &e, p))
		goto out;
	/*
	 * RFC 7518 §6.3.1: minimum octets.  A leading zero would give the
	 * key a second text, so a second thumbprint and a second account.
	 */
	if (n.data[0] == 0 || e.data[0] == 0) {
		problem_set(p, PROB_MALFORMED, "JWK \"%s\" has a leading zero octet",
		    n.data[0] == 0 ? "n" : "e");
		goto out;
	}
	for (i = 0; i < n.size && n.data[i] == 0; i++)
		;
	bits = (n.size - i) * 8;
	if (i < n.size)
		for (uint8_t top = n.data[i]; !(top & 0x80); top <<= 1)
			bits--;
	if (bits < JWK_RSA_MIN_BITS || bits > JWK_RSA_MAX_BITS) {
		problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "RSA key of %zu bits; %d to %d bits are accepted",
		    bits, JWK_RSA_MIN_BITS, JWK_RSA_MAX_BITS);
		goto out;
	}
	if (e.size > 8 || !(e.data[e.size - 1] & 1) ||
	    (e.size == 1 && e.data[0] < 3)) {
		problem_set(p, PROB_BAD_PUBLIC_KEY, "RSA public exponent is not valid");
		goto out;
	}
	if (gnutls_pubkey_import_rsa_raw(k->pub, &n, &e) < 0) {
		problem_set(p, PROB_BAD_PUBLIC_KEY, "RSA key could not be imported");
		goto out;
	}
	json_get_string(obj, "e", JWK_MEMBER_MAX, &values[0]);
	values[1] = "RSA";
	json_get_string(obj, "n", JWK_MEMBER_MAX, &values[2]);
	k->json = canonical(names, values, 3);
	k->alg = JWS_RS256;
	k->bits = (unsigned)bits;
	ok = 1;
out:
	gnutls_free(n.data);
	gnutls_free(e.data);
	return ok;
}

static int
parse_ec(struct json_object *obj, const char *crv, struct jwk *k,
    struct problem *p)
{
	gnutls_datum_t	 x = { NULL, 0 }, y = { NULL, 0 };
	const char	*names[] = { "crv", "kty", "x", "y" }, *values[4];
	size_t		 c;
	int		 ok = 0;

	for (c = 0; c < sizeof(curves) / sizeof(curves[0]); c++)
		if (strcmp(crv, curves[c].crv) == 0)
			break;
	if (c == sizeof(curves) / sizeof(curves[0]))
		return problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "EC curve \"%s\" is not supported (P-256, P-384, P-521)", crv);
	if (!get_b64(obj, "x", &x, p) || !get_b64(obj, "y", &y, p))
		goto out;
	/* RFC 7518 §6.2.1.2: coordinates are exactly the full size. */
	if (x.size != curves[c].coord || y.size != curves[c].coord) {
		problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "EC coordinates for %s must be %zu bytes", crv, curves[c].coord);
		goto out;
	}
	if (gnutls_pubkey_import_ecc_raw(k->pub, curves[c].curve, &x, &y) < 0 ||
	    gnutls_pubkey_verify_params(k->pub) < 0) {
		problem_set(p, PROB_BAD_PUBLIC_KEY, "EC public key is not a point on %s", crv);
		goto out;
	}
	values[0] = curves[c].crv;
	values[1] = "EC";
	json_get_string(obj, "x", JWK_MEMBER_MAX, &values[2]);
	json_get_string(obj, "y", JWK_MEMBER_MAX, &values[3]);
	k->json = canonical(names, values, 4);
	k->alg = curves[c].alg;
	k->bits = curves[c].curve == GNUTLS_ECC_CURVE_SECP521R1 ? 521 :
	    (unsigned)curves[c].coord * 8;
	ok = 1;
out:
	gnutls_free(x.data);
	gnutls_free(y.data);
	return ok;
}

static int
parse_okp(struct json_object *obj, const char *crv, struct jwk *k,
    struct problem *p)
{
	gnutls_datum_t	 x = { NULL, 0 };
	const char	*names[] = { "crv", "kty", "x" }, *values[3];
	int		 ok = 0;

	if (strcmp(crv, "Ed25519") != 0)
		return problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "OKP curve \"%s\" is not supported (Ed25519)", crv);
	if (!get_b64(obj, "x", &x, p))
		goto out;
	if (x.size != 32) {
		problem_set(p, PROB_BAD_PUBLIC_KEY, "Ed25519 public key must be 32 bytes");
		goto out;
	}
	if (gnutls_pubkey_import_ecc_raw(k->pub, GNUTLS_ECC_CURVE_ED25519, &x, NULL) < 0) {
		problem_set(p, PROB_BAD_PUBLIC_KEY, "Ed25519 key could not be imported");
		goto out;
	}
	values[0] = "Ed25519";
	values[1] = "OKP";
	json_get_string(obj, "x", JWK_MEMBER_MAX, &values[2]);
	k->json = canonical(names, values, 3);
	k->alg = JWS_EDDSA;
	k->bits = 256;
	ok = 1;
out:
	gnutls_free(x.data);
	return ok;
}

static const char *const private_members[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k"
};

int
jwk_parse(struct json_object *obj, struct jwk *k, struct problem *p)
{
	const char	*kty, *crv;
	int		 ok;

	memset(k, 0, sizeof(*k));
	if (!json_object_is_type(obj, json_type_object))
		return problem_set(p, PROB_MALFORMED, "JWK is not a JSON object");
	if (json_get_string(obj, "kty", 16, &kty) != JGET_OK)
		return problem_set(p, PROB_MALFORMED, "JWK has no valid \"kty\" member");
	if (strcmp(kty, "RSA") != 0 && strcmp(kty, "EC") != 0 && strcmp(kty, "OKP") != 0)
		return problem_set(p, PROB_BAD_PUBLIC_KEY,
		    "JWK key type \"%s\" is not supported (RSA, EC, OKP)", kty);
	/* RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2: members of private keys. */
	for (size_t i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++)
		if (json_object_object_get_ex(obj, private_members[i], NULL))
			return problem_set(p, PROB_MALFORMED,
			    "JWK has the private key member \"%s\"; send the public key only",
			    private_members[i]);
	if (gnutls_pubkey_init(&k->pub) < 0)
		return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	if (strcmp(kty, "RSA") == 0)
		ok = parse_rsa(obj, k, p);
	else {
		if (json_get_string(obj, "crv", 16, &crv) != JGET_OK)
			ok = problem_set(p, PROB_MALFORMED, "JWK has no valid \"crv\" member");
		else if (kty[0] == 'E')
			ok = parse_ec(obj, crv, k, p);
		else
			ok = parse_okp(obj, crv, k, p);
	}
	if (ok && (k->json == NULL || !jwk_thumbprint(k->json, k->thumbprint)))
		ok = problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	if (!ok)
		jwk_free(k);
	return ok;
}

int
jwk_parse_text(const char *text, struct jwk *k, struct problem *p)
{
	struct json_object	*obj;
	const char		*err;
	int			 ok;

	if ((obj = json_parse(text, strlen(text), 4, &err)) == NULL) {
		memset(k, 0, sizeof(*k));
		return problem_set(p, PROB_MALFORMED, "JWK: %s", err);
	}
	ok = jwk_parse(obj, k, p);
	json_object_put(obj);
	return ok;
}

void
jwk_free(struct jwk *k)
{
	if (k->pub != NULL)
		gnutls_pubkey_deinit(k->pub);
	free(k->json);
	memset(k, 0, sizeof(*k));
}

int
jwk_equal(const struct jwk *a, const struct jwk *b)
{
	return a->json != NULL && b->json != NULL && strcmp(a->json, b->json) == 0;
}

int
jwk_verify(const struct jwk *k, enum jws_alg alg, const void *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
	gnutls_datum_t		 d = { (unsigned char *)(uintptr_t)data, (unsigned)len };
	gnutls_datum_t		 s = { (unsigned char *)(uintptr_t)sig, (unsigned)siglen };
	gnutls_datum_t		 r, sv, der = { NULL, 0 };
	gnutls_sign_algorithm_t	 sa;
	size_t			 half;
	int			 rc;

	if (alg != k->alg || k->pub == NULL)
		return 0;
	switch (alg) {
	case JWS_RS256:
		/* RFC 7518 §3.3: the signature is as long as the modulus. */
		return siglen == (k->bits + 7) / 8 &&
		    gnutls_pubkey_verify_data2(k->pub, GNUTLS_SIGN_RSA_SHA256,
		    0, &d, &s) >= 0;
	case JWS_EDDSA:
		return siglen == 64 && gnutls_pubkey_verify_data2(k->pub,
		    GNUTLS_SIGN_EDDSA_ED25519, 0, &d, &s) >= 0;
	case JWS_ES256:
		sa = GNUTLS_SIGN_ECDSA_SHA256;
		break;
	case JWS_ES384:
		sa = GNUTLS_SIGN_ECDSA_SHA384;
		break;
	case JWS_ES512:
		sa = GNUTLS_SIGN_ECDSA_SHA512;
		break;
	default:
		return 0;
	}
	/* RFC 7518 §3.4: R and S, each the full size of the curve order. */
	half = (k->bits + 7) / 8;
	if (siglen != 2 * half)
		return 0;
	r.data = s.data;
	r.size = (unsigned)half;
	sv.data = s.data + half;
	sv.size = (unsigned)half;
	if (gnutls_encode_rs_value(&der, &r, &sv) < 0)
		return 0;
	rc = gnutls_pubkey_verify_data2(k->pub, sa, 0, &d, &der);
	gnutls_free(der.data);
	return rc >= 0;
}
