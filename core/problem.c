#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwk.h"
#include "problem.h"

#define URN_PREFIX	"urn:ietf:params:acme:error:"

static const struct {
	const char	*urn;
	int		 status;
} types[PROB__MAX] = {
	[PROB_NONE] = { NULL, 200 },
	[PROB_ACCOUNT_DOES_NOT_EXIST] = { URN_PREFIX "accountDoesNotExist", 400 },
	[PROB_ALREADY_REPLACED] = { URN_PREFIX "alreadyReplaced", 409 },
	[PROB_ALREADY_REVOKED] = { URN_PREFIX "alreadyRevoked", 400 },
	[PROB_BAD_CSR] = { URN_PREFIX "badCSR", 400 },
	[PROB_BAD_NONCE] = { URN_PREFIX "badNonce", 400 },
	[PROB_BAD_PUBLIC_KEY] = { URN_PREFIX "badPublicKey", 400 },
	[PROB_BAD_REVOCATION_REASON] = { URN_PREFIX "badRevocationReason", 400 },
	[PROB_BAD_SIGNATURE_ALGORITHM] = { URN_PREFIX "badSignatureAlgorithm", 400 },
	[PROB_CAA] = { URN_PREFIX "caa", 403 },
	[PROB_COMPOUND] = { URN_PREFIX "compound", 400 },
	[PROB_CONNECTION] = { URN_PREFIX "connection", 400 },
	[PROB_DNS] = { URN_PREFIX "dns", 400 },
	[PROB_EXTERNAL_ACCOUNT_REQUIRED] = { URN_PREFIX "externalAccountRequired", 400 },
	[PROB_INCORRECT_RESPONSE] = { URN_PREFIX "incorrectResponse", 403 },
	[PROB_INVALID_CONTACT] = { URN_PREFIX "invalidContact", 400 },
	[PROB_MALFORMED] = { URN_PREFIX "malformed", 400 },
	[PROB_ORDER_NOT_READY] = { URN_PREFIX "orderNotReady", 403 },
	[PROB_RATE_LIMITED] = { URN_PREFIX "rateLimited", 429 },
	[PROB_REJECTED_IDENTIFIER] = { URN_PREFIX "rejectedIdentifier", 400 },
	[PROB_SERVER_INTERNAL] = { URN_PREFIX "serverInternal", 500 },
	[PROB_TLS] = { URN_PREFIX "tls", 400 },
	[PROB_UNAUTHORIZED] = { URN_PREFIX "unauthorized", 403 },
	[PROB_UNSUPPORTED_CONTACT] = { URN_PREFIX "unsupportedContact", 400 },
	[PROB_UNSUPPORTED_IDENTIFIER] = { URN_PREFIX "unsupportedIdentifier", 400 },
	[PROB_USER_ACTION_REQUIRED] = { URN_PREFIX "userActionRequired", 403 },
};

const char *
problem_type_urn(enum problem_type t)
{
	return t < PROB__MAX ? types[t].urn : NULL;
}

const char *
problem_type_name(enum problem_type t)
{
	const char *urn = problem_type_urn(t);

	return urn == NULL ? NULL : urn + strlen(URN_PREFIX);
}

enum problem_type
problem_type_parse(const char *s)
{
	size_t plen = strlen(URN_PREFIX);

	if (strncmp(s, URN_PREFIX, plen) == 0)
		s += plen;
	for (int t = PROB_NONE + 1; t < PROB__MAX; t++)
		if (strcmp(types[t].urn + plen, s) == 0)
			return (enum problem_type)t;
	return PROB_NONE;
}

int
problem_type_status(enum problem_type t)
{
	return t < PROB__MAX ? types[t].status : 500;
}

static void
problem_vset(struct problem *p, enum problem_type t, int status,
    const char *fmt, va_list ap)
{
	p->type = t;
	p->status = status;
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
}

int
problem_set(struct problem *p, enum problem_type t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_vset(p, t, problem_type_status(t), fmt, ap);
	va_end(ap);
	return 0;
}

int
problem_set_status(struct problem *p, enum problem_type t, int status,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_vset(p, t, status, fmt, ap);
	va_end(ap);
	return 0;
}

int
problem_add_sub(struct problem *p, enum problem_type t, const char *id_type,
    const char *id_value, const char *detail)
{
	struct subproblem *sub;

	if (p->nsub >= PROBLEM_SUB_MAX)
		return 0;
	if ((sub = realloc(p->sub, (p->nsub + 1) * sizeof(*sub))) == NULL)
		return 0;
	p->sub = sub;
	sub = &p->sub[p->nsub];
	sub->type = t;
	sub->detail = strdup(detail);
	sub->id_type = strdup(id_type);
	sub->id_value = strdup(id_value);
	if (sub->detail == NULL || sub->id_type == NULL || sub->id_value == NULL) {
		free(sub->detail);
		free(sub->id_type);
		free(sub->id_value);
		return 0;
	}
	p->nsub++;
	return 1;
}

void
problem_clear(struct problem *p)
{
	for (size_t i = 0; i < p->nsub; i++) {
		free(p->sub[i].detail);
		free(p->sub[i].id_type);
		free(p->sub[i].id_value);
	}
	free(p->sub);
	memset(p, 0, sizeof(*p));
}

struct json_object *
problem_to_json(const struct problem *p)
{
	struct json_object	*o, *arr, *so, *id;
	enum problem_type	 t = p->type == PROB_NONE ? PROB_SERVER_INTERNAL : p->type;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "type", json_object_new_string(problem_type_urn(t)));
	if (p->detail[0] != '\0')
		json_object_object_add(o, "detail", json_object_new_string(p->detail));
	json_object_object_add(o, "status", json_object_new_int(p->status));
	if (p->algorithms) {
		arr = json_object_new_array();
		for (int a = JWS_ALG_INVALID + 1; a < JWS_ALG__MAX; a++)
			if (!jws_alg_is_mac((enum jws_alg)a))
				json_object_array_add(arr,
				    json_object_new_string(jws_alg_name((enum jws_alg)a)));
		json_object_object_add(o, "algorithms", arr);
	}
	if (p->nsub > 0) {
		arr = json_object_new_array();
		for (size_t i = 0; i < p->nsub; i++) {
			so = json_object_new_object();
			json_object_object_add(so, "type",
			    json_object_new_string(problem_type_urn(p->sub[i].type)));
			json_object_object_add(so, "detail",
			    json_object_new_string(p->sub[i].detail));
			id = json_object_new_object();
			json_object_object_add(id, "type",
			    json_object_new_string(p->sub[i].id_type));
			json_object_object_add(id, "value",
			    json_object_new_string(p->sub[i].id_value));
			json_object_object_add(so, "identifier", id);
			json_object_array_add(arr, so);
		}
		json_object_object_add(o, "subproblems", arr);
	}
	return o;
}
