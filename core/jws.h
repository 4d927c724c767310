/*
 * jws.h - JWS in the flattened JSON serialization (RFC 7515 §7.2.2), as
 * RFC 8555 §6.2 requires of every ACME POST body.
 */
#ifndef ACME_JWS_H
#define ACME_JWS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "jwk.h"

struct problem;

/* Bound on the protected header, decoded. */
#define JWS_PROTECTED_MAX	8192
/* Bound on "url", "kid" and "nonce" values. */
#define JWS_URL_MAX		2048
#define JWS_NONCE_MAX		256

struct jws {
	struct json_object	*hdr;		/* owned: the decoded protected header */
	enum jws_alg		 alg;		/* JWS_ALG_INVALID if unknown */
	const char		*alg_name;	/* as sent (borrowed from hdr) */
	const char		*nonce;		/* borrowed from hdr; NULL if absent */
	const char		*url;		/* borrowed; NULL if absent */
	const char		*kid;		/* borrowed; NULL if absent */
	struct json_object	*jwk;		/* borrowed; NULL if absent */
	uint8_t			*payload;	/* decoded, NUL-terminated */
	size_t			 payload_len;
	int			 post_as_get;	/* payload was the empty string */
	char			*signing_input;	/* "protected.payload" */
	size_t			 signing_input_len;
	uint8_t			*sig;
	size_t			 sig_len;
};

/*
 * Parses a flattened JWS object.  Rejects (as "malformed") the general
 * serialization, an unprotected header, a "crit" member, "b64" other than
 * true (RFC 7797 unencoded payloads), bad base64url, and a protected header
 * that is not a strict JSON object with a string "alg".  Does not judge
 * alg, nonce, url, jwk or kid: that is the caller's policy.  Returns 1 and
 * fills out (free with jws_free) or 0 with p set.
 */
int	 jws_parse(struct json_object *body, struct jws *out, struct problem *p);
void	 jws_free(struct jws *j);

/*
 * Parses the payload as a JSON object (max_depth levels) into *out (new
 * reference).  Returns 1, or 0 with p set.  A POST-as-GET payload is
 * rejected: check j->post_as_get first where one is allowed.
 */
int	 jws_payload_object(const struct jws *j, int max_depth,
	    struct json_object **out, struct problem *p);

#endif
