#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "json.h"
#include "jws.h"
#include "problem.h"

/* The protected header is a flat object but for "jwk" one level down. */
#define JWS_HEADER_DEPTH	4

int
jws_parse(struct json_object *body, struct jws *j, struct problem *p)
{
	struct json_object	*v;
	const char		*prot, *payload, *sig, *err;
	uint8_t			*hdrbuf = NULL;
	size_t			 hdrlen, plen, slen;
	int			 b64;

	memset(j, 0, sizeof(*j));
	if (!json_object_is_type(body, json_type_object))
		return problem_set(p, PROB_MALFORMED,
		    "request body is not a JWS in flattened JSON serialization");
	if (json_object_object_get_ex(body, "signatures", &v))
		return problem_set(p, PROB_MALFORMED,
		    "JWS general JSON serialization is not accepted; use the flattened form");
	if (json_object_object_get_ex(body, "header", &v))
		return problem_set(p, PROB_MALFORMED,
		    "JWS unprotected header is not allowed (RFC 8555 §6.2)");
	if (json_get_string(body, "protected", JWS_PROTECTED_MAX * 4 / 3 + 4, &prot) != JGET_OK ||
	    json_get_string(body, "payload", SIZE_MAX, &payload) != JGET_OK ||
	    json_get_string(body, "signature", 4096, &sig) != JGET_OK)
		return problem_set(p, PROB_MALFORMED,
		    "JWS needs string members \"protected\", \"payload\" and \"signature\"");
	if (prot[0] == '\0')
		return problem_set(p, PROB_MALFORMED, "JWS protected header is empty");
	if (!b64url_decode(prot, strlen(prot), &hdrbuf, &hdrlen))
		return problem_set(p, PROB_MALFORMED, "JWS protected header is not base64url");
	j->hdr = json_parse((const char *)hdrbuf, hdrlen, JWS_HEADER_DEPTH, &err);
	free(hdrbuf);
	if (j->hdr == NULL)
		return problem_set(p, PROB_MALFORMED, "JWS protected header: %s", err);
	if (!json_object_is_type(j->hdr, json_type_object)) {
		problem_set(p, PROB_MALFORMED, "JWS protected header is not a JSON object");
		goto fail;
	}
	if (json_object_object_get_ex(j->hdr, "crit", &v)) {
		problem_set(p, PROB_MALFORMED,
		    "JWS \"crit\" header parameter is not supported (RFC 7515 §4.1.11)");
		goto fail;
	}
	switch (json_get_bool(j->hdr, "b64", &b64)) {
	case JGET_ABSENT:
		break;
	case JGET_OK:
		if (b64)
			break;
		/* FALLTHROUGH */
	default:
		problem_set(p, PROB_MALFORMED,
		    "JWS unencoded payload option (\"b64\": false, RFC 7797) is not supported");
		goto fail;
	}
	if (json_get_string(j->hdr, "alg", 32, &j->alg_name) != JGET_OK) {
		problem_set(p, PROB_MALFORMED, "JWS protected header has no string \"alg\"");
		goto fail;
	}
	j->alg = jws_alg_parse(j->alg_name);

	switch (json_get_string(j->hdr, "nonce", JWS_NONCE_MAX, &j->nonce)) {
	case JGET_BAD:
		problem_set(p, PROB_MALFORMED, "JWS \"nonce\" is not a string");
		goto fail;
	default:
		break;
	}
	switch (json_get_string(j->hdr, "url", JWS_URL_MAX, &j->url)) {
	case JGET_BAD:
		problem_set(p, PROB_MALFORMED, "JWS \"url\" is not a string");
		goto fail;
	default:
		break;
	}
	switch (json_get_string(j->hdr, "kid", JWS_URL_MAX, &j->kid)) {
	case JGET_BAD:
		problem_set(p, PROB_MALFORMED, "JWS \"kid\" is not a string");
		goto fail;
	default:
		break;
	}
	switch (json_get_object(j->hdr, "jwk", &j->jwk)) {
	case JGET_BAD:
		problem_set(p, PROB_MALFORMED, "JWS \"jwk\" is not an object");
		goto fail;
	default:
		break;
	}

	plen = strlen(payload);
	if (!b64url_decode(payload, plen, &j->payload, &j->payload_len)) {
		problem_set(p, PROB_MALFORMED, "JWS payload is not base64url");
		goto fail;
	}
	j->post_as_get = plen == 0;
	/*
	 * An empty signature parses (alg "none" carries one) so that the
	 * caller can answer badSignatureAlgorithm; it never verifies.
	 */
	slen = strlen(sig);
	if (!b64url_decode(sig, slen, &j->sig, &j->sig_len)) {
		problem_set(p, PROB_MALFORMED, "JWS signature is not base64url");
		goto fail;
	}
	j->signing_input_len = strlen(prot) + 1 + plen;
	if ((j->signing_input = malloc(j->signing_input_len + 1)) == NULL) {
		problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
		goto fail;
	}
	memcpy(j->signing_input, prot, strlen(prot));
	j->signing_input[strlen(prot)] = '.';
	memcpy(j->signing_input + strlen(prot) + 1, payload, plen + 1);
	return 1;
fail:
	jws_free(j);
	return 0;
}

void
jws_free(struct jws *j)
{
	json_object_put(j->hdr);
	free(j->payload);
	free(j->signing_input);
	free(j->sig);
	memset(j, 0, sizeof(*j));
}

int
jws_payload_object(const struct jws *j, int max_depth, struct json_object **out,
    struct problem *p)
{
	const char *err;

	*out = NULL;
	if (j->post_as_get)
		return problem_set(p, PROB_MALFORMED,
		    "this resource needs a JSON payload, not POST-as-GET");
	if ((*out = json_parse((const char *)j->payload, j->payload_len,
	    max_depth, &err)) == NULL)
		return problem_set(p, PROB_MALFORMED, "JWS payload: %s", err);
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return problem_set(p, PROB_MALFORMED, "JWS payload is not a JSON object");
	}
	return 1;
}
