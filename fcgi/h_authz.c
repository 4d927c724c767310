/*
 * h_authz.c - an authorization (RFC 8555 §7.1.4, §7.5) and its
 * deactivation (§7.5.2).  In policy mode it has no challenges: the
 * endpoint's template authorised the identifier when the order was made.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fcgi.h"
#include "json.h"
#include "log.h"
#include "order.h"

static struct json_object *
authz_json(const struct db_authz *z)
{
	struct json_object	*o, *id;
	char			 t[32];

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((id = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "identifier", id) != 0 ||
	    !json_add_string(id, "type", z->type) ||
	    !json_add_string(id, "value", z->value) ||
	    !json_add_string(o, "status", authz_status_name(z->status))) {
		json_object_put(o);
		return NULL;
	}
	acme_time((time_t)z->expires, t, sizeof(t));
	json_add_string(o, "expires", t);
	json_object_object_add(o, "challenges", json_object_new_array());
	if (z->wildcard)
		json_object_object_add(o, "wildcard", json_object_new_boolean(1));
	return o;
}

/* Reads the payload of an update: only {"status": "deactivated"}. */
static int
wants_deactivation(struct ctx *c)
{
	struct json_object	*payload;
	const char		*status;
	int			 ok;

	if (!jws_payload_object(&c->auth.jws, (int)c->cfg->max_json_depth,
	    &payload, &c->prob))
		return 0;
	ok = json_get_string(payload, "status", 32, &status) == JGET_OK &&
	    strcmp(status, "deactivated") == 0;
	json_object_put(payload);
	if (!ok)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "an authorization may only be updated with "
		    "{\"status\": \"deactivated\"} (RFC 8555 §7.5.2)");
	return 1;
}

/*
 * Deactivates z.  Its order, unless final, becomes invalid (RFC 8555
 * §7.1.6: an authorization left in a final state other than valid).
 */
static int
deactivate(struct ctx *c, struct db_authz *z)
{
	struct problem		 why;
	struct json_object	*err;
	char			*text;
	int			 ok = 1;

	if (z->status != AUTHZ_PENDING && z->status != AUTHZ_VALID)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "the authorization is %s; only a pending or valid one can be "
		    "deactivated", authz_status_name(z->status));
	memset(&why, 0, sizeof(why));
	problem_set(&why, PROB_UNAUTHORIZED,
	    "an authorization of this order was deactivated");
	if ((err = problem_to_json(&why)) == NULL ||
	    (text = strdup(json_out_compact(err))) == NULL) {
		json_object_put(err);
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	}
	json_object_put(err);
	if (db_authz_set_status(c->db, z->id, AUTHZ_DEACTIVATED) != DB_OK ||
	    db_order_set_status(c->db, z->order_id, ORDER_PENDING, ORDER_INVALID,
	    text) == DB_ERROR ||
	    db_order_set_status(c->db, z->order_id, ORDER_READY, ORDER_INVALID,
	    text) == DB_ERROR)
		ok = problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	free(text);
	if (!ok)
		return 0;
	z->status = AUTHZ_DEACTIVATED;
	log_info("authorization %s deactivated by account %s", z->uid,
	    c->auth.acct.uid);
	return 1;
}

int
h_authz(struct ctx *c)
{
	struct db_authz		 z;
	struct json_object	*o;
	enum authz_status	 now;

	switch (db_authz_by_uid(c->db, c->route.id, &z)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return problem_set_status(&c->prob, PROB_MALFORMED, 404,
		    "no such authorization");
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	if (z.account_id != c->auth.acct.id)
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "this authorization belongs to another account");
	if ((now = authz_status_at(z.status, (time_t)z.expires, c->now)) != z.status) {
		if (db_authz_set_status(c->db, z.id, now) != DB_OK)
			return problem_set(&c->prob, PROB_SERVER_INTERNAL,
			    "database error");
		z.status = now;
	}
	if (!c->auth.jws.post_as_get &&
	    (!wants_deactivation(c) || !deactivate(c, &z)))
		return 0;
	if ((o = authz_json(&z)) == NULL)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	resp_json(c->resp, 200, o);
	return 1;
}
