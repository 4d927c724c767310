#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "b64url.h"
#include "eab.h"
#include "json.h"
#include "jwk.h"
#include "problem.h"

/* base64url of the longest MAC, HMAC-SHA-512. */
#define B64URL_MAC_MAX	86

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

/* The MAC of a JWS "alg"; GNUTLS_MAC_UNKNOWN for a signature algorithm. */
static gnutls_mac_algorithm_t
mac_of(enum jws_alg a)
{
	switch (a) {
	case JWS_HS256:
		return GNUTLS_MAC_SHA256;
	case JWS_HS384:
		return GNUTLS_MAC_SHA384;
	case JWS_HS512:
		return GNUTLS_MAC_SHA512;
	default:
		return GNUTLS_MAC_UNKNOWN;
	}
}

/*
 * Other CAs choose their key identifiers as they like: the client sends
 * any short printable one it was given.
 */
static int
kid_printable(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EAB_SIGN_KID_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

struct json_object *
eab_sign(enum jws_alg alg, const char *kid, const uint8_t *key, size_t keylen,
    const char *url, struct json_object *jwk)
{
	gnutls_mac_algorithm_t	 m = mac_of(alg);
	struct json_object	*hdr = NULL, *res = NULL;
	const char		*htext, *ptext;
	char			*prot = NULL, *pay = NULL, *input = NULL;
	char			 sig[B64URL_MAC_MAX + 1];
	uint8_t			 mac[64];
	size_t			 plen, ylen;

	if (m == GNUTLS_MAC_UNKNOWN || kid == NULL || !kid_printable(kid) ||
	    url == NULL || jwk == NULL || keylen < EAB_KEY_MIN)
		return NULL;
	if ((hdr = json_object_new_object()) == NULL ||
	    !json_add_string(hdr, "alg", jws_alg_name(alg)) ||
	    !json_add_string(hdr, "kid", kid) || !json_add_string(hdr, "url", url))
		goto out;
	htext = json_out_compact(hdr);
	ptext = json_out_compact(jwk);
	if ((prot = b64url_encode(htext, strlen(htext))) == NULL ||
	    (pay = b64url_encode(ptext, strlen(ptext))) == NULL)
		goto out;
	plen = strlen(prot);
	ylen = strlen(pay);
	if ((input = malloc(plen + 1 + ylen + 1)) == NULL)
		goto out;
	memcpy(input, prot, plen);
	input[plen] = '.';
	memcpy(input + plen + 1, pay, ylen + 1);
	if (gnutls_hmac_fast(m, key, keylen, input, plen + 1 + ylen, mac) < 0)
		goto out;
	b64url_encode_buf(mac, gnutls_hmac_get_len(m), sig);
	if ((res = json_object_new_object()) == NULL)
		goto out;
	if (!json_add_string(res, "protected", prot) ||
	    !json_add_string(res, "payload", pay) ||
	    !json_add_string(res, "signature", sig)) {
		json_object_put(res);
		res = NULL;
	}
out:
	gnutls_memset(mac, 0, sizeof(mac));
	json_object_put(hdr);
	free(prot);
	free(pay);
	free(input);
	return res;
}

int
eab_verify_mac(const struct eab *e, const uint8_t *key, size_t keylen)
{
	uint8_t				 mac[64];
	gnutls_mac_algorithm_t		 alg = mac_of(e->jws.alg);

	if (alg == GNUTLS_MAC_UNKNOWN)
		return 0;
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
