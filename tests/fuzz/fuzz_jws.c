/*
 * fuzz_jws - an ACME POST body as acme_auth() takes it apart: strict JSON,
 * the flattened JWS, the "jwk" account key and its RFC 7638 thumbprint, the
 * signature check, and for a JSON payload the newAccount members that
 * need no database ("contact", "externalAccountBinding").
 *
 * Properties: the parsed JWS is consistent with itself (signing input,
 * payload encoding, POST-as-GET, "alg"), a parsed key has a canonical form
 * that parses back to the same key and thumbprint, and a rejection always
 * comes with a problem type and detail.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "contact.h"
#include "eab.h"
#include "fuzz.h"
#include "json.h"
#include "jwk.h"
#include "jws.h"
#include "problem.h"

/* The most contacts acme-fcgi.conf(5) lets max_contacts allow. */
#define FUZZ_MAX_CONTACTS	32

static void
check_problem(const struct problem *p)
{
	FUZZ_CHECK(p->type != PROB_NONE && p->type < PROB__MAX);
	FUZZ_CHECK(p->detail[0] != '\0');
}

static void
check_key(const struct jws *j, const struct jwk *k)
{
	struct jwk	k2;
	struct problem	p;
	char		tp[JWK_THUMBPRINT_LEN + 1];

	FUZZ_CHECK(k->alg != JWS_ALG_INVALID && !jws_alg_is_mac(k->alg));
	FUZZ_CHECK(k->pub != NULL && k->json != NULL);
	FUZZ_CHECK(strlen(k->thumbprint) == JWK_THUMBPRINT_LEN);
	FUZZ_CHECK(jwk_thumbprint(k->json, tp));
	FUZZ_CHECK(strcmp(tp, k->thumbprint) == 0);

	/* The stored text is what a later kid-signed request is checked with. */
	memset(&p, 0, sizeof(p));
	FUZZ_CHECK(jwk_parse_text(k->json, &k2, &p));
	FUZZ_CHECK(jwk_equal(k, &k2));
	FUZZ_CHECK(strcmp(k->thumbprint, k2.thumbprint) == 0);
	FUZZ_CHECK(k->alg == k2.alg && k->bits == k2.bits);
	jwk_free(&k2);

	(void)jwk_verify(k, j->alg, j->signing_input, j->signing_input_len,
	    j->sig, j->sig_len);
	/* A key signs with its own algorithm only. */
	if (j->alg != k->alg)
		FUZZ_CHECK(!jwk_verify(k, j->alg, j->signing_input,
		    j->signing_input_len, j->sig, j->sig_len));
}

static void
check_jws(const struct jws *j)
{
	const char	*dot;
	char		*enc;

	FUZZ_CHECK(j->hdr != NULL && json_object_is_type(j->hdr, json_type_object));
	FUZZ_CHECK(j->alg_name != NULL && j->alg == jws_alg_parse(j->alg_name));
	FUZZ_CHECK(j->nonce == NULL || strlen(j->nonce) <= JWS_NONCE_MAX);
	FUZZ_CHECK(j->url == NULL || strlen(j->url) <= JWS_URL_MAX);
	FUZZ_CHECK(j->kid == NULL || strlen(j->kid) <= JWS_URL_MAX);
	FUZZ_CHECK(j->jwk == NULL || json_object_is_type(j->jwk, json_type_object));
	FUZZ_CHECK(j->payload != NULL && j->payload[j->payload_len] == '\0');
	FUZZ_CHECK(j->post_as_get == (j->payload_len == 0));
	FUZZ_CHECK(j->sig != NULL);

	/* RFC 7515 §5.2: ASCII(BASE64URL(header) || '.' || BASE64URL(payload)). */
	FUZZ_CHECK(j->signing_input != NULL);
	FUZZ_CHECK(strlen(j->signing_input) == j->signing_input_len);
	FUZZ_CHECK((dot = strchr(j->signing_input, '.')) != NULL);
	FUZZ_CHECK(dot != j->signing_input);
	FUZZ_CHECK((enc = b64url_encode(j->payload, j->payload_len)) != NULL);
	FUZZ_CHECK(strcmp(dot + 1, enc) == 0);
	free(enc);
}

/* The newAccount members that a handler reads before the database. */
static void
check_payload(const struct jws *j, const struct jwk *key)
{
	struct json_object	*payload = NULL, *contact, *binding;
	struct problem		 p;
	struct eab		 e;
	char			*norm = NULL;

	memset(&p, 0, sizeof(p));
	if (j->post_as_get) {
		FUZZ_CHECK(!jws_payload_object(j, FUZZ_BODY_DEPTH, &payload, &p));
		FUZZ_CHECK(payload == NULL);
		check_problem(&p);
		goto out;
	}
	if (!jws_payload_object(j, FUZZ_BODY_DEPTH, &payload, &p)) {
		FUZZ_CHECK(payload == NULL);
		check_problem(&p);
		goto out;
	}
	FUZZ_CHECK(json_object_is_type(payload, json_type_object));
	if (json_get_array(payload, "contact", 1024, &contact) == JGET_OK) {
		if (contact_parse(contact, FUZZ_MAX_CONTACTS, &norm, &p)) {
			FUZZ_CHECK(norm != NULL);
		} else {
			FUZZ_CHECK(norm == NULL);
			check_problem(&p);
		}
		free(norm);
		problem_clear(&p);
	}
	if (key != NULL && j->url != NULL &&
	    json_get_object(payload, "externalAccountBinding", &binding) == JGET_OK) {
		if (eab_parse(binding, j->url, key, &e, &p)) {
			FUZZ_CHECK(jws_alg_is_mac(e.jws.alg) && eab_kid_valid(e.kid));
			eab_free(&e);
		} else {
			check_problem(&p);
		}
	}
out:
	json_object_put(payload);
	problem_clear(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*body;
	struct problem		 p;
	struct jws		 j;
	struct jwk		 k;
	const char		*err;
	int			 have_key = 0;

	if ((body = json_parse((const char *)data, size, FUZZ_BODY_DEPTH, &err)) == NULL)
		return 0;
	memset(&p, 0, sizeof(p));
	if (!jws_parse(body, &j, &p)) {
		check_problem(&p);
		/* jws_parse() leaves nothing to free on failure. */
		FUZZ_CHECK(j.hdr == NULL && j.payload == NULL && j.sig == NULL &&
		    j.signing_input == NULL);
		goto out;
	}
	check_jws(&j);
	if (j.jwk != NULL) {
		if ((have_key = jwk_parse(j.jwk, &k, &p))) {
			check_key(&j, &k);
		} else {
			check_problem(&p);
			FUZZ_CHECK(k.pub == NULL && k.json == NULL);
		}
		problem_clear(&p);
	}
	check_payload(&j, have_key ? &k : NULL);
	if (have_key)
		jwk_free(&k);
	jws_free(&j);
out:
	problem_clear(&p);
	json_object_put(body);
	return 0;
}
