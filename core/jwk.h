/*
 * jwk.h - JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037) as account keys.
 *
 * A parsed key knows the one JWS algorithm it may sign with: RSA keys sign
 * RS256, P-256/P-384/P-521 keys ES256/ES384/ES512, Ed25519 keys EdDSA.
 */
#ifndef ACME_JWK_H
#define ACME_JWK_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <json-c/json.h>

struct problem;

/* JWS "alg" values we know; the MAC ones are only for EAB (RFC 8555 §7.3.4). */
enum jws_alg {
	JWS_ALG_INVALID,
	JWS_RS256,
	JWS_ES256,
	JWS_ES384,
	JWS_ES512,
	JWS_EDDSA,
	JWS_HS256,
	JWS_HS384,
	JWS_HS512,
	JWS_ALG__MAX
};

const char	*jws_alg_name(enum jws_alg a);
enum jws_alg	 jws_alg_parse(const char *s);	/* JWS_ALG_INVALID if unknown */
int		 jws_alg_is_mac(enum jws_alg a);

/* Smallest and largest RSA moduli we accept, in bits. */
#define JWK_RSA_MIN_BITS	2048
#define JWK_RSA_MAX_BITS	8192

/* base64url SHA-256 is 43 characters. */
#define JWK_THUMBPRINT_LEN	43

struct jwk {
	enum jws_alg	 alg;		/* the algorithm this key signs with */
	unsigned	 bits;		/* modulus or curve size */
	gnutls_pubkey_t	 pub;
	char		*json;		/* RFC 7638 canonical form, malloc'd */
	char		 thumbprint[JWK_THUMBPRINT_LEN + 1];
};

/*
 * Parses and validates a public JWK object.  Structural errors give
 * "malformed"; unsupported key types, curves, sizes and points that are not
 * on the curve give "badPublicKey".  Returns 1 and fills out (free with
 * jwk_free) or 0 with p set.
 */
int	 jwk_parse(struct json_object *obj, struct jwk *out, struct problem *p);
/* As jwk_parse() from the canonical text stored for an account. */
int	 jwk_parse_text(const char *text, struct jwk *out, struct problem *p);
void	 jwk_free(struct jwk *k);
/* 1 if both are the same public key. */
int	 jwk_equal(const struct jwk *a, const struct jwk *b);

/*
 * Verifies a JWS signature (raw R||S for ECDSA, RFC 7518 §3.4) over data
 * with alg, which must be the key's algorithm.  Returns 1 if valid.
 */
int	 jwk_verify(const struct jwk *k, enum jws_alg alg, const void *data,
	    size_t len, const uint8_t *sig, size_t siglen);

/*
 * RFC 7638 thumbprint of a canonical JWK text: base64url(SHA-256(text)).
 * out holds JWK_THUMBPRINT_LEN + 1 bytes.  Returns 1, or 0 on failure.
 */
int	 jwk_thumbprint(const char *canonical, char *out);

#endif
