/*
 * acme_curl.h - the libcurl transport of the ACME client (acme_client.h):
 * the only code that touches libcurl's easy interface.
 *
 * One handle per client, so that its connection is kept alive between
 * requests.  HTTPS only, TLS 1.2 or later, peer and host name always
 * verified, redirects never followed, the body and the header lines
 * bounded by ACME_BODY_MAX and ACME_HEADERS_MAX.
 */
#ifndef ACME_CURL_H
#define ACME_CURL_H

#include "acme_client.h"

struct acme_curl;

/*
 * A new handle.  ca_bundle is a PEM file of trust anchors, used instead of
 * the system's; NULL for the system's.  user_agent NULL is
 * "acme-fcgi/VERSION libcurl/VERSION".  Timeouts are in seconds.  Returns
 * NULL with p set (serverInternal).
 */
struct acme_curl *acme_curl_new(const char *ca_bundle, const char *user_agent,
	    unsigned connect_timeout, unsigned timeout, struct problem *p);
void	 acme_curl_free(struct acme_curl *cu);

/* The transport function of struct acme_http; ctx is the struct acme_curl. */
int	 acme_curl_fetch(void *ctx, const struct acme_http_req *req,
	    struct acme_http_resp *resp, struct problem *p);

#endif
