/*
 * router.c - path -> resource -> handler, and the steps every request shares:
 * method and Content-Type gates, the endpoint, JWS authentication, the
 * transaction, and the headers of every response.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fcgi.h"
#include "json.h"
#include "log.h"

static const struct handler {
	unsigned	 methods;	/* HTTP_* allowed */
	enum auth_mode	 auth;		/* for POST */
	int		(*fn)(struct ctx *);
} handlers[RES__MAX] = {
	[RES_DIRECTORY] = { HTTP_GET | HTTP_HEAD, AUTH_KID, h_directory },
	[RES_NEW_NONCE] = { HTTP_GET | HTTP_HEAD, AUTH_KID, h_new_nonce },
	[RES_NEW_ACCOUNT] = { HTTP_POST, AUTH_JWK, h_new_account },
	[RES_ACCOUNT] = { HTTP_POST, AUTH_KID, h_account },
	[RES_ACCOUNT_ORDERS] = { HTTP_POST, AUTH_KID, h_account_orders },
	[RES_NEW_ORDER] = { HTTP_POST, AUTH_KID, h_new_order },
	[RES_ORDER] = { HTTP_POST, AUTH_KID, h_order },
	[RES_FINALIZE] = { HTTP_POST, AUTH_KID, h_finalize },
	[RES_AUTHZ] = { HTTP_POST, AUTH_KID, h_authz },
	[RES_CERT] = { HTTP_POST, AUTH_KID, h_cert },
	[RES_ISSUER] = { HTTP_GET | HTTP_HEAD, AUTH_KID, h_issuer },
	/* RFC 9773 §4.1: an unauthenticated GET, not POST-as-GET. */
	[RES_RENEWAL_INFO] = { HTTP_GET | HTTP_HEAD, AUTH_KID, h_renewal_info },
	/* RFC 8555 §6.2, §7.6: an account's "kid" or the certificate's "jwk". */
	[RES_REVOKE_CERT] = { HTTP_POST, AUTH_ANY, h_revoke_cert },
};

int
ctx_add_url(struct ctx *c, struct json_object *o, const char *key,
    enum resource res, const char *id)
{
	char	*url = resource_url(c->ep_url, res, id);
	int	 ok = url != NULL && json_add_string(o, key, url);

	free(url);
	return ok;
}

static void
allow_header(struct resp *rs, unsigned methods)
{
	char	allow[32] = "";
	size_t	n = 0;

	if (methods & HTTP_GET)
		n += (size_t)snprintf(allow + n, sizeof(allow) - n, "GET, ");
	if (methods & HTTP_HEAD)
		n += (size_t)snprintf(allow + n, sizeof(allow) - n, "HEAD, ");
	if (methods & HTTP_POST)
		n += (size_t)snprintf(allow + n, sizeof(allow) - n, "POST, ");
	if (n >= 2)
		allow[n - 2] = '\0';
	resp_header(rs, "Allow", "%s", allow);
}

/* RFC 8555 §6.2: "application/jose+json", parameters aside. */
static int
content_type_ok(const char *ct)
{
	size_t n = strlen("application/jose+json");

	return ct != NULL && strncasecmp(ct, "application/jose+json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Runs a POST handler inside the request's transaction. */
static int
run_post(struct ctx *c, const struct handler *h)
{
	struct req *r = c->req;

	if (!acme_auth(c->srv, &c->ep, c->ep_url, r->url, r->body, r->body_len,
	    h->auth, &c->auth, &c->prob))
		return 0;
	if (!acme_txn_begin(c->srv, &c->auth, &c->prob))
		return 0;
	if (!h->fn(c)) {
		acme_txn_rollback(c->srv);
		return 0;
	}
	/* Nothing is acknowledged before it is durable. */
	return acme_txn_commit(c->srv, &c->prob);
}

static int
route(struct ctx *c)
{
	const struct handler	*h;
	struct req		*r = c->req;
	size_t			 len;

	if (r->path == NULL || !route_parse(r->path, &c->route))
		return problem_set_status(&c->prob, PROB_MALFORMED, 404,
		    "no ACME resource at this URL");
	h = &handlers[c->route.res];
	if (!(h->methods & r->method)) {
		allow_header(c->resp, h->methods);
		return problem_set_status(&c->prob, PROB_MALFORMED, 405,
		    "method %s is not allowed here", r->method_name);
	}
	if (r->too_large)
		return problem_set_status(&c->prob, PROB_MALFORMED, 413,
		    "request body is larger than %zu bytes", c->cfg->max_body);
	switch (db_endpoint_get(c->db, c->route.endpoint, &c->ep)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return problem_set_status(&c->prob, PROB_MALFORMED, 404,
		    "no ACME endpoint named \"%s\"", c->route.endpoint);
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	len = strlen(c->cfg->base_url) + 1 + strlen(c->ep.name) + 1;
	if ((c->ep_url = malloc(len)) == NULL)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	snprintf(c->ep_url, len, "%s/%s", c->cfg->base_url, c->ep.name);
	if (r->method != HTTP_POST)
		return h->fn(c);
	if (!content_type_ok(r->content_type))
		return problem_set_status(&c->prob, PROB_MALFORMED, 415,
		    "Content-Type must be application/jose+json (RFC 8555 §6.2)");
	return run_post(c, h);
}

void
dispatch(struct acme_server *srv, struct req *r, struct resp *rs)
{
	struct ctx	c;
	char		nonce[NONCE_TEXT_LEN + 1];

	memset(&c, 0, sizeof(c));
	c.srv = srv;
	c.cfg = srv->cfg;
	c.db = srv->db;
	c.req = r;
	c.resp = rs;
	c.now = time(NULL);

	if (!route(&c)) {
		/* A failed handler's partial response is dropped, Allow aside. */
		if (c.prob.status != 405)
			resp_reset(rs);
		if (c.prob.type == PROB_NONE)
			problem_set(&c.prob, PROB_SERVER_INTERNAL, "internal error");
		resp_problem(rs, &c.prob);
		/* A refusal that ends in time says when (rateLimited). */
		if (c.retry_after > 0)
			resp_header(rs, "Retry-After", "%d", c.retry_after);
		log_info("%s %s %d %s: %s", r->method_name, r->path != NULL ?
		    r->path : "-", c.prob.status,
		    problem_type_name(c.prob.type), c.prob.detail);
	} else
		log_debug("%s %s %d", r->method_name, r->path, rs->status);

	/* RFC 8555 §6.5: a fresh nonce on every response, errors included. */
	if (acme_nonce(srv, nonce))
		resp_header(rs, "Replay-Nonce", "%s", nonce);
	if (c.ep_url != NULL)
		resp_header(rs, "Link", "<%s/directory>;rel=\"index\"", c.ep_url);
	if (c.route.res != RES_DIRECTORY)
		resp_header(rs, "Cache-Control", "no-store");

	acme_auth_free(&c.auth);
	problem_clear(&c.prob);
	free(c.ep_url);
}
