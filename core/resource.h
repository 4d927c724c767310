/*
 * resource.h - the URL layout of an endpoint: every ACME resource and the
 * path that names it, below {base_url}/{endpoint}.  The router parses with
 * this table and the handlers build URLs with it, so the two cannot drift.
 */
#ifndef ACME_RESOURCE_H
#define ACME_RESOURCE_H

#include <stddef.h>

enum resource {
	RES_DIRECTORY,		/* directory */
	RES_NEW_NONCE,		/* new-nonce */
	RES_NEW_ACCOUNT,	/* new-account */
	RES_ACCOUNT,		/* acct/{id} */
	RES_ACCOUNT_ORDERS,	/* acct/{id}/orders */
	RES_NEW_ORDER,		/* new-order */
	RES_ORDER,		/* order/{id} */
	RES_FINALIZE,		/* order/{id}/finalize */
	RES_AUTHZ,		/* authz/{id} */
	RES_CERT,		/* cert/{id} */
	RES_ISSUER,		/* issuer/{ca name} */
	RES_RENEWAL_INFO,	/* renewal-info/{certID} (RFC 9773) */
	RES_REVOKE_CERT,	/* revoke-cert */
	RES__MAX,
	RES_INVALID = RES__MAX
};

/* Longest endpoint name and resource id in a path. */
#define ROUTE_NAME_MAX	63
#define ROUTE_ID_MAX	64
/*
 * Longest certID segment of a renewal-info path: longer than any valid one
 * (ARI_CERTID_MAX), so that its handler, not the router, refuses a bad one
 * as malformed.
 */
#define ROUTE_CERTID_MAX	255

struct route {
	enum resource	 res;
	char		 endpoint[ROUTE_NAME_MAX + 1];
	char		 id[ROUTE_CERTID_MAX + 1];	/* "" if the resource has none */
};

/*
 * Parses a path below the base URL ("/{endpoint}/{resource...}").  Returns 1
 * and fills out, or 0 if the path names nothing.  Only the characters of
 * endpoint names and random identifiers are accepted (a certID may also
 * have '.', '=' and '+', for its handler to refuse); anything else
 * (percent-encoding, dot segments, empty segments) is not a resource.
 */
int	 route_parse(const char *path, struct route *out);
/* 1 if s is a valid endpoint name: [a-z0-9][a-z0-9_-]{0,62}. */
int	 endpoint_name_valid(const char *s);
/*
 * The URL of a resource: ep_url is "{base_url}/{endpoint}"; id is required
 * exactly when the resource has one, except that RES_RENEWAL_INFO without
 * one is the directory's "renewalInfo" (RFC 9773 §3), the URL every certID
 * goes below.  Returns a malloc'd string or NULL.
 */
char	*resource_url(const char *ep_url, enum resource res, const char *id);

#endif
