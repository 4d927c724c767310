/*
 * fcgi.h - the acme-fcgi process: request adapter, router and handlers.
 *
 * Nothing below this layer knows FastCGI.  The adapter turns a FastCGI (or
 * CGI) request into struct req, bounded; the router picks a handler; the
 * handler fills struct resp; the adapter writes it.  All per-request memory
 * hangs off struct req, struct resp and struct ctx and is freed after every
 * request.
 */
#ifndef ACME_FCGI_H
#define ACME_FCGI_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "acme.h"
#include "buf.h"
#include "problem.h"
#include "resource.h"

struct config;
struct identifier;

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD = 2,
	HTTP_POST = 4,
	HTTP_OTHER = 8
};

/* Where a request comes from: a FastCGI request, or CGI stdio when fcgi is NULL. */
struct io {
	FCGX_Request	*fcgi;
	size_t		 nread;		/* request body bytes read so far */
};

struct req {
	enum http_method	 method;
	char			 method_name[16];
	char			*path;		/* below base_url, no query; NULL if outside */
	char			*query;		/* after '?', or NULL */
	char			*url;		/* base_url + path [+ '?' query] */
	char			*content_type;
	char			*accept;
	uint8_t			*body;
	size_t			 body_len;
	int			 too_large;	/* body over max_body: answer 413 */
	char			 remote[64];
};

struct resp {
	int		 status;
	const char	*content_type;	/* NULL: no body */
	struct buf	 headers;	/* "Name: value\r\n" lines */
	struct buf	 body;
};

/* Reads the request.  Returns 1, or 0 if it cannot be answered at all. */
int	 req_read(struct io *io, const struct config *cfg, struct req *r);
void	 req_free(struct req *r);
/*
 * Discards unread request body: on FastCGI so that a kept connection stays
 * in sync, in CGI up to CONTENT_LENGTH so that the web server never sees
 * its input refused (mod_cgid: a reset that loses the response).
 */
void	 req_drain(struct io *io);

void	 resp_init(struct resp *rs);
void	 resp_header(struct resp *rs, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Sets status and a JSON body; takes the reference to obj. */
void	 resp_json(struct resp *rs, int status, struct json_object *obj);
void	 resp_problem(struct resp *rs, const struct problem *p);
/* Drops status, headers and body (keeps memory). */
void	 resp_reset(struct resp *rs);
void	 resp_free(struct resp *rs);
/* Writes the response (no body for HEAD).  Returns 1, or 0 on I/O error. */
int	 resp_write(struct io *io, const struct req *r, const struct resp *rs);

/* Everything a handler sees. */
struct ctx {
	struct acme_server	*srv;
	const struct config	*cfg;
	struct db		*db;
	struct req		*req;
	struct resp		*resp;
	struct route		 route;
	struct db_endpoint	 ep;
	char			*ep_url;	/* base_url/endpoint */
	struct acme_auth	 auth;		/* POST: the authenticated request */
	struct problem		 prob;
	int			 retry_after;	/* >0: Retry-After of prob */
	time_t			 now;
};

/* Answers one request: route, authenticate, run the handler, commit. */
void	 dispatch(struct acme_server *srv, struct req *r, struct resp *rs);

/* Handlers: 1 with c->resp filled, or 0 with c->prob set. */
int	 h_directory(struct ctx *c);
int	 h_new_nonce(struct ctx *c);
int	 h_new_account(struct ctx *c);
int	 h_account(struct ctx *c);
int	 h_account_orders(struct ctx *c);
int	 h_new_order(struct ctx *c);
int	 h_order(struct ctx *c);
int	 h_finalize(struct ctx *c);
int	 h_authz(struct ctx *c);
int	 h_cert(struct ctx *c);
int	 h_issuer(struct ctx *c);
int	 h_renewal_info(struct ctx *c);
int	 h_revoke_cert(struct ctx *c);

/* Adds key: the URL of resource res (id: NULL if it has none).  1, or 0. */
int	 ctx_add_url(struct ctx *c, struct json_object *o, const char *key,
	    enum resource res, const char *id);

/* Shared by the account handlers: the account object (RFC 8555 §7.1.2). */
struct json_object *account_json(struct ctx *c, const struct db_account *a);
/* The order object (RFC 8555 §7.1.3) with its authorizations z. */
struct json_object *order_json(struct ctx *c, const struct db_order *o,
	    const struct db_authz *z, size_t nz);
/*
 * The order of the request's URL and its authorizations (at most
 * ORDER_IDENTIFIERS_MAX); it must be the signing account's.  An order found
 * expired is stored as invalid.  1, or 0 with c->prob set.
 */
int	 order_load(struct ctx *c, struct db_order *o, struct db_authz *z,
	    size_t *nz);
/* Answers with the order object; its Location too when status is 201. */
int	 order_answer(struct ctx *c, int status, const struct db_order *o,
	    const struct db_authz *z, size_t nz);
/* The issuing policy of the request's endpoint; 0 with c->prob if none. */
int	 policy_load(struct ctx *c, struct db_policy *pol);
/*
 * On an endpoint that orders from an upstream CA: every identifier needs a
 * managed challenge the signing account may use (core/upstream.h).
 */
int	 managed_authorize(struct ctx *c, const struct identifier *ids, size_t n);

#endif
