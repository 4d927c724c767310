/*
 * h_order.c - newOrder (RFC 8555 §7.4) and the order object (§7.1.3), in
 * policy mode: the endpoint's issuing template authorises identifiers, so
 * authorizations are valid from the start and a new order is ready at
 * once.  On an endpoint whose template orders from an upstream CA, each
 * identifier also needs a managed challenge (core/upstream.h): acme-fcgi
 * validates it upstream itself, after finalize.  Finalize is
 * h_finalize.c's.
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fcgi.h"
#include "ident.h"
#include "json.h"
#include "log.h"
#include "order.h"
#include "policy.h"
#include "upstream.h"

/* Retry-After (s) of a refusal by max_pending_orders when all are processing. */
#define PENDING_ORDERS_RETRY_AFTER	60

static int
add_time(struct json_object *o, const char *key, int64_t t)
{
	char buf[32];

	acme_time((time_t)t, buf, sizeof(buf));
	return json_add_string(o, key, buf);
}

struct json_object *
order_json(struct ctx *c, const struct db_order *o, const struct db_authz *z,
    size_t nz)
{
	struct json_object	*obj, *ids, *authzs, *err;
	const char		*perr;
	int			 ok;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	ids = json_parse(o->identifiers, strlen(o->identifiers), 4, &perr);
	authzs = json_object_new_array_ext((int)nz);
	ok = ids != NULL && authzs != NULL &&
	    json_add_string(obj, "status", order_status_name(o->status)) &&
	    add_time(obj, "expires", o->expires);
	json_object_object_add(obj, "identifiers", ids);
	json_object_object_add(obj, "authorizations", authzs);
	if (ok && o->not_before != 0)
		ok = add_time(obj, "notBefore", o->not_before);
	if (ok && o->not_after != 0)
		ok = add_time(obj, "notAfter", o->not_after);
	for (size_t i = 0; ok && i < nz; i++) {
		char *url = resource_url(c->ep_url, RES_AUTHZ, z[i].uid);

		ok = url != NULL && json_object_array_add(authzs,
		    json_object_new_string(url)) == 0;
		free(url);
	}
	if (ok)
		ok = ctx_add_url(c, obj, "finalize", RES_FINALIZE, o->uid);
	if (ok && o->status == ORDER_VALID && o->cert_uid[0] != '\0')
		ok = ctx_add_url(c, obj, "certificate", RES_CERT, o->cert_uid);
	if (ok && o->status == ORDER_INVALID && o->error != NULL &&
	    (err = json_parse(o->error, strlen(o->error), 4, &perr)) != NULL)
		json_object_object_add(obj, "error", err);
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/*
 * Reads the order of the request's URL with its authorizations; it must be
 * the signing account's.  An order found expired is stored as invalid.
 */
int
order_load(struct ctx *c, struct db_order *o, struct db_authz *z, size_t *nz)
{
	enum order_status now;

	switch (db_order_by_uid(c->db, c->route.id, o)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return problem_set_status(&c->prob, PROB_MALFORMED, 404,
		    "no such order");
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	if (o->account_id != c->auth.acct.id) {
		db_order_free(o);
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "this order belongs to another account");
	}
	if (db_order_authzs(c->db, o->id, z, ORDER_IDENTIFIERS_MAX, nz) != DB_OK)
		goto dberr;
	now = order_status_at(o->status, (time_t)o->expires, c->now);
	if (now != o->status) {
		if (db_order_set_status(c->db, o->id, o->status, now, NULL) != DB_OK)
			goto dberr;
		o->status = now;
	}
	return 1;
dberr:
	db_order_free(o);
	return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
}

/*
 * Answers with the order object, and its Location when created (RFC 8555
 * §7.4; only then, as a 200 with Location is a redirect to CGI gateways).
 */
int
order_answer(struct ctx *c, int status, const struct db_order *o,
    const struct db_authz *z, size_t nz)
{
	struct json_object	*obj;
	char			*url;

	if ((obj = order_json(c, o, z, nz)) == NULL)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	/* Processing: the upstream is at work; RFC 8555 §7.4 asks for a hint. */
	if (o->status == ORDER_PROCESSING)
		resp_header(c->resp, "Retry-After", "%d", ORDER_RETRY_AFTER);
	if (status == 201) {
		if ((url = resource_url(c->ep_url, RES_ORDER, o->uid)) == NULL) {
			json_object_put(obj);
			return problem_set(&c->prob, PROB_SERVER_INTERNAL,
			    "out of memory");
		}
		resp_header(c->resp, "Location", "%s", url);
		free(url);
	}
	resp_json(c->resp, status, obj);
	return 1;
}

/* The issuing policy of the request's endpoint; 0 with a problem if none. */
int
policy_load(struct ctx *c, struct db_policy *pol)
{
	switch (db_policy_get(c->db, c->ep.id, pol)) {
	case DB_OK:
		return 1;
	case DB_NOTFOUND:
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "endpoint \"%s\" is bound to no issuing template: it issues "
		    "no certificates", c->ep.name);
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
}

int
managed_authorize(struct ctx *c, const struct identifier *ids, size_t n)
{
	struct db_mchall	*mcs;
	size_t			 nmcs;
	int			 ok;

	if (db_mchalls_usable(c->db, c->auth.acct.eab_key_id, &mcs, &nmcs) != DB_OK)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	ok = upstream_authorize(mcs, nmcs, ids, n, &c->prob);
	db_mchalls_free(mcs, nmcs);
	return ok;
}

/*
 * Refuses a new order when the signing account already has
 * max_pending_orders orders not finished (rateLimited, RFC 8555 §6.6),
 * with a Retry-After for when the soonest of them expires.
 */
static int
pending_orders_ok(struct ctx *c)
{
	int64_t	n, soonest;

	if (db_account_unfinished_orders(c->db, c->auth.acct.id, c->now, &n,
	    &soonest) != DB_OK)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	if (n < (int64_t)c->cfg->max_pending_orders)
		return 1;
	/* Only processing ones: the upstream decides; poll again in a minute. */
	if (soonest == 0)
		c->retry_after = PENDING_ORDERS_RETRY_AFTER;
	else
		c->retry_after = soonest - c->now > INT_MAX ? INT_MAX :
		    soonest - c->now < 1 ? 1 : (int)(soonest - c->now);
	return problem_set(&c->prob, PROB_RATE_LIMITED,
	    "this account has %u orders not yet finished; finalize or let "
	    "some expire first", c->cfg->max_pending_orders);
}

int
h_new_order(struct ctx *c)
{
	struct json_object	*payload = NULL, *ids = NULL;
	struct order_req	 req;
	struct db_policy	 pol;
	struct db_order		 o;
	struct db_authz		*z = NULL;
	time_t			 nb, na;
	int			 ok = 0;

	memset(&req, 0, sizeof(req));
	memset(&pol, 0, sizeof(pol));
	memset(&o, 0, sizeof(o));
	if (!jws_payload_object(&c->auth.jws, (int)c->cfg->max_json_depth,
	    &payload, &c->prob) ||
	    !order_req_parse(payload, c->cfg->max_identifiers, &req, &c->prob) ||
	    !policy_load(c, &pol) ||
	    !policy_authorize(&pol, req.ids, req.nids, &c->prob))
		goto out;
	/* An upstream CA decides the validity it grants; we relay the ask. */
	if (pol.upstream_id != 0 ? !managed_authorize(c, req.ids, req.nids) :
	    !policy_validity(&pol, c->now, req.not_before, req.not_after,
	    VALIDITY_ORDER, &nb, &na, &c->prob))
		goto out;
	/* Before anything is written: a refusal changes nothing. */
	if (!pending_orders_ok(c))
		goto out;
	if ((ids = order_ids_json(req.ids, req.nids)) == NULL ||
	    (z = calloc(req.nids, sizeof(*z))) == NULL ||
	    !ident_new(o.uid)) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
		goto out;
	}
	o.account_id = c->auth.acct.id;
	o.status = ORDER_READY;
	if ((o.identifiers = strdup(json_out_compact(ids))) == NULL) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
		goto out;
	}
	o.not_before = req.not_before;
	o.not_after = req.not_after;
	o.created = c->now;
	o.expires = c->now + c->cfg->order_lifetime;
	if (db_order_insert(c->db, &o) != DB_OK)
		goto dberr;
	for (size_t i = 0; i < req.nids; i++) {
		const struct identifier *id = &req.ids[i];

		if (!ident_new(z[i].uid))
			goto dberr;
		z[i].order_id = o.id;
		snprintf(z[i].type, sizeof(z[i].type), "%s", ident_type_name(id->type));
		snprintf(z[i].value, sizeof(z[i].value), "%s",
		    id->wildcard ? id->value + 2 : id->value);
		z[i].wildcard = id->wildcard;
		/* Policy mode: the template is the authorization. */
		z[i].status = AUTHZ_VALID;
		z[i].expires = o.expires;
		z[i].created = c->now;
		if (db_authz_insert(c->db, &z[i]) != DB_OK)
			goto dberr;
	}
	log_info("order %s: %zu identifiers for account %s, ready", o.uid,
	    req.nids, c->auth.acct.uid);
	ok = order_answer(c, 201, &o, z, req.nids);
	goto out;
dberr:
	problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
out:
	json_object_put(payload);
	json_object_put(ids);
	free(o.identifiers);
	free(z);
	order_req_free(&req);
	db_policy_free(&pol);
	return ok;
}

int
h_order(struct ctx *c)
{
	struct db_order	o;
	struct db_authz	z[ORDER_IDENTIFIERS_MAX];
	size_t		nz;
	int		ok;

	if (!c->auth.jws.post_as_get)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "an order is fetched with POST-as-GET (empty payload)");
	if (!order_load(c, &o, z, &nz))
		return 0;
	ok = order_answer(c, 200, &o, z, nz);
	db_order_free(&o);
	return ok;
}
