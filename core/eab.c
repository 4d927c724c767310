#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "eab.h"
#include "json.h"
#include "jwk.h"
#include "problem.h"

int
eab_kid_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EAB_KID_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

int
eab_parse(struct json_object *binding, const char *outer_url,
    const struct jwk *outer_key, struct eab *e, struct problem *p)
{
	struct json_object	*payload = NULL;
	struct jwk		 bound;
	const char		*err;
	int			 ok = 0;

	memset(e, 0, sizeof(*e));
	if (!jws_parse(binding, &e->jws, p)) {
		/* Say which JWS was wrong. */
		char detail[PROBLEM_DETAIL_MAX];

		snprintf(detail, sizeof(detail), "externalAccountBinding: %.480s", p->detail);
		problem_set(p, p->type, "%s", detail);
		return 0;
	}
	if (!jws_alg_is_mac(e->jws.alg)) {
		problem_set(p, PROB_MALFORMED,
		    "externalAccountBinding must use HS256, HS384 or HS512, not \"%s\"",
		    e->jws.alg_name);
		goto out;
	}
	if (e->jws.nonce != NULL) {
		problem_set(p, PROB_MALFORMED,
		    "externalAccountBinding must not have a \"nonce\"");
		goto out;
	}
	if (e->jws.jwk != NULL) {
		problem_set(p, PROB_MALFORMED,
		    "externalAccountBinding must not have a \"jwk\" header");
		goto out;
	}
	if ((e->kid = e->jws.kid) == NULL || !eab_kid_valid(e->kid)) {
		problem_set(p, PROB_MALFORMED,
		    "externalAccountBinding needs a \"kid\" of [A-Za-z0-9_-]{1,%d}",
		    EAB_KID_MAX);
		goto out;
	}
	if (e->jws.url == NULL || strcmp(e->jws.url, outer_url) != 0) {
		problem_set(p, PROB_UNAUTHORIZED,
		    "externalAccountBinding \"url\" is not the newAccount URL");
		goto out;
	}
	if (e->jws.post_as_get || (payload = json_parse((const char *)e->jws.payload,
	    e->jws.payload_len, 4, &err)) == NULL) {
		problem_set(p, PROB_MALFORMED,
		    "externalAccountBinding payload is not a JWK");
		goto out;
	}
	if (!jwk_parse(payload, &bound, p)) {
		problem_set(p, PROB_MALFORMED,
		    "externalAccountBinding payload is not a valid JWK");
		goto out;
	}
	ok = jwk_equal(&bound, outer_key);
	jwk_free(&bound);
	if (!ok)
		problem_set(p, PROB_UNAUTHORIZED,
		    "externalAccountBinding binds a different key than the account key");
out:
	json_object_put(payload);
	if (!ok)
		eab_free(e);
	return ok;
}

int
eab_verify_mac(const struct eab *e, const uint8_t *key, size_t keylen)
{
	uint8_t				 mac[64];
	gnutls_mac_algorithm_t		 alg;

	switch (e->jws.alg) {
	case JWS_HS256:
		alg = GNUTLS_MAC_SHA256;
		break;
	case JWS_HS384:
		alg = GNUTLS_MAC_SHA384;
		break;
	case JWS_HS512:
		alg = GNUTLS_MAC_SHA512;
		break;
	default:
		return 0;
	}
	if (keylen < EAB_KEY_MIN || e->jws.sig_len != gnutls_hmac_get_len(alg))
		return 0;
	if (gnutls_hmac_fast(alg, key, keylen, e->jws.signing_input,
	    e->jws.signing_input_len, mac) < 0)
		return 0;
	return gnutls_memcmp(mac, e->jws.sig, e->jws.sig_len) == 0;
}

void
eab_free(struct eab *e)
{
	jws_free(&e->jws);
	memset(e, 0, sizeof(*e));
}
