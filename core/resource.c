#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource.h"

/* '*' stands for one identifier segment, '+' for one certID segment. */
static const char *const patterns[RES__MAX] = {
	[RES_DIRECTORY] = "directory",
	[RES_NEW_NONCE] = "new-nonce",
	[RES_NEW_ACCOUNT] = "new-account",
	[RES_ACCOUNT] = "acct/*",
	[RES_ACCOUNT_ORDERS] = "acct/*/orders",
	[RES_NEW_ORDER] = "new-order",
	[RES_ORDER] = "order/*",
	[RES_FINALIZE] = "order/*/finalize",
	[RES_AUTHZ] = "authz/*",
	[RES_CERT] = "cert/*",
	[RES_ISSUER] = "issuer/*",
	[RES_RENEWAL_INFO] = "renewal-info/+",
	[RES_REVOKE_CERT] = "revoke-cert",
};

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
/* RFC 9773 §4.1: base64url "." base64url; padding and '+' reach the handler. */
#define CERTID_CHARS ID_CHARS ".=+"

int
endpoint_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= ROUTE_NAME_MAX &&
	    strchr("abcdefghijklmnopqrstuvwxyz0123456789", s[0]) != NULL &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Matches rest against pattern; the '*' segment is copied to id. */
static int
match(const char *pattern, const char *rest, char *id)
{
	size_t n;

	while (*pattern != '\0') {
		if (*pattern == '*' || *pattern == '+') {
			n = *pattern == '*' ? strspn(rest, ID_CHARS) :
			    strspn(rest, CERTID_CHARS);
			if (n == 0 || n > (*pattern == '*' ? ROUTE_ID_MAX :
			    ROUTE_CERTID_MAX))
				return 0;
			memcpy(id, rest, n);
			id[n] = '\0';
			rest += n;
			pattern++;
			continue;
		}
		if (*pattern++ != *rest++)
			return 0;
	}
	return *rest == '\0';
}

int
route_parse(const char *path, struct route *out)
{
	const char	*slash;
	size_t		 n;

	memset(out, 0, sizeof(*out));
	out->res = RES_INVALID;
	if (path[0] != '/' || (slash = strchr(path + 1, '/')) == NULL)
		return 0;
	n = (size_t)(slash - path - 1);
	if (n == 0 || n > ROUTE_NAME_MAX)
		return 0;
	memcpy(out->endpoint, path + 1, n);
	out->endpoint[n] = '\0';
	if (!endpoint_name_valid(out->endpoint))
		return 0;
	for (int r = 0; r < RES__MAX; r++)
		if (match(patterns[r], slash + 1, out->id)) {
			out->res = (enum resource)r;
			return 1;
		}
	out->id[0] = '\0';
	return 0;
}

char *
resource_url(const char *ep_url, enum resource res, const char *id)
{
	const char	*pat, *star;
	char		*url;
	size_t		 len;

	if (res >= RES__MAX)
		return NULL;
	pat = patterns[res];
	star = strpbrk(pat, "*+");
	if (star != NULL && *star == '+' && id == NULL) {
		/* The renewalInfo URL: the pattern up to its last '/'. */
		len = strlen(ep_url) + 1 + (size_t)(star - pat);
		if ((url = malloc(len)) == NULL)
			return NULL;
		snprintf(url, len, "%s/%.*s", ep_url, (int)(star - pat - 1), pat);
		return url;
	}
	if ((star != NULL) != (id != NULL))
		return NULL;
	len = strlen(ep_url) + 1 + strlen(pat) + (id != NULL ? strlen(id) : 0) + 1;
	if ((url = malloc(len)) == NULL)
		return NULL;
	if (star == NULL)
		snprintf(url, len, "%s/%s", ep_url, pat);
	else
		snprintf(url, len, "%s/%.*s%s%s", ep_url, (int)(star - pat), pat,
		    id, star + 1);
	return url;
}
