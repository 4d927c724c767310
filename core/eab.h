/*
 * eab.h - External Account Binding (RFC 8555 §7.3.4).
 *
 * The binding is a JWS whose payload is the new account's public key, MACed
 * with a key the CA handed out of band.  Parsing (eab_parse) checks the shape
 * and that it binds the outer key; the caller looks the key up by kid and
 * checks the MAC with eab_verify_mac.
 */
#ifndef ACME_EAB_H
#define ACME_EAB_H

#include <stddef.h>
#include <stdint.h>

#include "jws.h"

struct jwk;
struct problem;

/* Key identifiers are [A-Za-z0-9_-]{1,EAB_KID_MAX}. */
#define EAB_KID_MAX	128
/* Smallest MAC key we accept, in bytes (RFC 7518 §3.2: key >= hash size). */
#define EAB_KEY_MIN	16

struct eab {
	struct jws	 jws;
	const char	*kid;		/* borrowed from jws.hdr */
};

/*
 * Parses the "externalAccountBinding" member of a newAccount payload.
 * outer_url is the URL of the newAccount request; outer_key the account key.
 * Returns 1 and fills out (free with eab_free), or 0 with p set:
 * "malformed" for a bad shape, "unauthorized" for a binding of another URL
 * or another key.
 */
int	 eab_parse(struct json_object *binding, const char *outer_url,
	    const struct jwk *outer_key, struct eab *out, struct problem *p);
/*
 * The client side: an "externalAccountBinding" for a newAccount request to
 * url, binding the account's public JWK (key_jwk()) with the MAC key the CA
 * handed out under kid.  alg is JWS_HS256, JWS_HS384 or JWS_HS512; kid is
 * 1 to EAB_SIGN_KID_MAX printable ASCII characters (other CAs' identifiers
 * need not be ours); key has at least EAB_KEY_MIN bytes.  Returns a new
 * flattened JWS object, or NULL if an argument is unusable or memory ran out.
 */
#define EAB_SIGN_KID_MAX	256
struct json_object *eab_sign(enum jws_alg alg, const char *kid,
	    const uint8_t *key, size_t keylen, const char *url,
	    struct json_object *jwk);
/* 1 if the MAC verifies with key (compared in constant time), else 0. */
int	 eab_verify_mac(const struct eab *e, const uint8_t *key, size_t keylen);
/* 1 if s is a syntactically valid key identifier. */
int	 eab_kid_valid(const char *s);
void	 eab_free(struct eab *e);

#endif
