/*
 * revoke.h - the revocation request (RFC 8555 §7.6), parsed at the edge:
 * the payload of a revokeCert POST into a typed struct, and the reason
 * codes a revocation may carry.
 *
 * Who may revoke what, and the certificate's lookup, are fcgi/h_revoke.c's;
 * reading the certificate (serial, key) is core/ca.h's.
 */
#ifndef ACME_REVOKE_H
#define ACME_REVOKE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct problem;

/* The largest certificate, in DER bytes, a request may name. */
#define REVOKE_CERT_MAX		(16 * 1024)
/* Its base64url, unpadded. */
#define REVOKE_CERT_B64_MAX	((REVOKE_CERT_MAX * 4 + 2) / 3)
/* No reason given: the CRL entry has no reasonCode (RFC 5280 §5.3.1). */
#define REVOKE_REASON_NONE	(-1)

struct revoke_req {
	uint8_t		*der;		/* the certificate, malloc'd */
	size_t		 der_len;	/* 1..REVOKE_CERT_MAX */
	int		 reason;	/* a code revoke_reason_ok() accepts, or NONE */
};

/*
 * 1 if code is an RFC 5280 §5.3.1 CRLReason a subscriber may ask for:
 * 0-5, 9 and 10.  7 is unassigned; certificateHold (6) is a suspension and
 * a revocation here is for good; removeFromCRL (8) is for delta CRLs only;
 * the rest are not reasons.
 */
int	 revoke_reason_ok(int64_t code);
/* Its RFC 5280 name ("keyCompromise"), or NULL if revoke_reason_ok() says no. */
const char *revoke_reason_name(int64_t code);

/*
 * Parses a revokeCert payload: {"certificate": base64url DER, "reason":
 * optional integer}.  Members other than these are ignored, as everywhere
 * (RFC 8555 §7.1).  "certificate" missing, not a string, not unpadded
 * base64url, empty or longer than REVOKE_CERT_MAX bytes: malformed;
 * "reason" not an integer, or one revoke_reason_ok() refuses:
 * badRevocationReason.  Returns 1 with out filled (free with
 * revoke_req_free()), or 0 with p set and out empty.
 */
int	 revoke_req_parse(struct json_object *payload, struct revoke_req *out,
	    struct problem *p);
void	 revoke_req_free(struct revoke_req *r);

#endif
