/*
 * revoke.c - the revocation request (revoke.h).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "json.h"
#include "problem.h"
#include "revoke.h"

/*
 * RFC 5280 §5.3.1 CRLReason; 7 is not used.  certificateHold (6) and
 * removeFromCRL (8) are left out: a revocation here cannot be undone, and
 * removeFromCRL in a full CRL would tell relying parties the certificate
 * is good again.
 */
static const char *const reason_names[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", NULL, NULL,
	NULL, "privilegeWithdrawn", "aACompromise",
};

int
revoke_reason_ok(int64_t code)
{
	return code >= 0 && code < (int64_t)(sizeof(reason_names) /
	    sizeof(reason_names[0])) && reason_names[code] != NULL;
}

const char *
revoke_reason_name(int64_t code)
{
	return revoke_reason_ok(code) ? reason_names[code] : NULL;
}

int
revoke_req_parse(struct json_object *payload, struct revoke_req *out,
    struct problem *p)
{
	const char	*b64;
	int64_t		 reason;
	size_t		 n;

	memset(out, 0, sizeof(*out));
	out->reason = REVOKE_REASON_NONE;
	/* RFC 8555 §7.6: "reason" is optional. */
	switch (json_get_int(payload, "reason", INT64_MIN, INT64_MAX, &reason)) {
	case JGET_ABSENT:
		break;
	case JGET_BAD:
		return problem_set(p, PROB_BAD_REVOCATION_REASON,
		    "\"reason\" is not an integer");
	case JGET_OK:
		if (!revoke_reason_ok(reason))
			return problem_set(p, PROB_BAD_REVOCATION_REASON,
			    "reason %lld is not an RFC 5280 reason code one may "
			    "ask for (0-5, 9, 10)", (long long)reason);
		out->reason = (int)reason;
		break;
	}
	switch (json_get_string(payload, "certificate", REVOKE_CERT_B64_MAX, &b64)) {
	case JGET_OK:
		break;
	case JGET_ABSENT:
		return problem_set(p, PROB_MALFORMED, "\"certificate\" is missing");
	default:
		return problem_set(p, PROB_MALFORMED, "\"certificate\" is not a "
		    "string of at most %d characters (a DER certificate of at "
		    "most %d bytes)", REVOKE_CERT_B64_MAX, REVOKE_CERT_MAX);
	}
	if ((n = strlen(b64)) == 0 ||
	    !b64url_decode(b64, n, &out->der, &out->der_len))
		return problem_set(p, PROB_MALFORMED,
		    "\"certificate\" is not base64url without padding");
	if (out->der_len == 0 || out->der_len > REVOKE_CERT_MAX) {
		revoke_req_free(out);
		return problem_set(p, PROB_MALFORMED,
		    "\"certificate\" is not 1 to %d bytes", REVOKE_CERT_MAX);
	}
	return 1;
}

void
revoke_req_free(struct revoke_req *r)
{
	free(r->der);
	memset(r, 0, sizeof(*r));
	r->reason = REVOKE_REASON_NONE;
}
