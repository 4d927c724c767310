/*
 * h_account.c - an account (RFC 8555 §7.3.2, §7.3.6) and its orders list
 * (§7.1.2.1).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "contact.h"
#include "fcgi.h"
#include "json.h"
#include "log.h"

struct json_object *
account_json(struct ctx *c, const struct db_account *a)
{
	struct json_object	*o, *contact;
	const char		*err;
	char			*orders;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_add_string(o, "status", account_status_name(a->status));
	contact = json_parse(a->contact, strlen(a->contact), 4, &err);
	json_object_object_add(o, "contact", contact != NULL ? contact :
	    json_object_new_array());
	json_object_object_add(o, "termsOfServiceAgreed",
	    json_object_new_boolean(a->tos_agreed));
	if ((orders = resource_url(c->ep_url, RES_ACCOUNT_ORDERS, a->uid)) == NULL) {
		json_object_put(o);
		return NULL;
	}
	json_add_string(o, "orders", orders);
	free(orders);
	return o;
}

/* The URL's account must be the signer's (RFC 8555 §7.3.2). */
static int
own_account(struct ctx *c)
{
	if (strcmp(c->route.id, c->auth.acct.uid) != 0)
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "this account URL is not the signing account's");
	return 1;
}

/* Applies an update payload to a copy of the account; 1 or 0 with problem. */
static int
apply_update(struct ctx *c, struct json_object *payload, struct db_account *a,
    char **contact)
{
	struct json_object	*arr;
	const char		*status;
	int			 tos;

	switch (json_get_string(payload, "status", 32, &status)) {
	case JGET_ABSENT:
		break;
	case JGET_OK:
		if (strcmp(status, "deactivated") == 0) {
			a->status = ACCT_DEACTIVATED;
			break;
		}
		if (strcmp(status, "valid") == 0)
			break;
		/* FALLTHROUGH */
	default:
		return problem_set(&c->prob, PROB_MALFORMED,
		    "\"status\" may only be set to \"deactivated\" (RFC 8555 §7.3.6)");
	}
	switch (json_get_array(payload, "contact", 1024, &arr)) {
	case JGET_ABSENT:
		break;
	case JGET_OK:
		if (!contact_parse(arr, c->cfg->max_contacts, contact, &c->prob))
			return 0;
		a->contact = *contact;
		break;
	default:
		return problem_set(&c->prob, PROB_MALFORMED, "\"contact\" is not an array");
	}
	switch (json_get_bool(payload, "termsOfServiceAgreed", &tos)) {
	case JGET_ABSENT:
		break;
	case JGET_OK:
		/* Agreement can be given, not withdrawn. */
		if (tos)
			a->tos_agreed = 1;
		break;
	default:
		return problem_set(&c->prob, PROB_MALFORMED,
		    "\"termsOfServiceAgreed\" is not a boolean");
	}
	return 1;
}

int
h_account(struct ctx *c)
{
	struct json_object	*payload = NULL;
	struct db_account	 a;
	char			*contact = NULL;
	int			 ok = 0;

	if (!own_account(c))
		return 0;
	a = c->auth.acct;	/* shallow: strings stay owned by c->auth */
	if (c->auth.jws.post_as_get) {
		resp_json(c->resp, 200, account_json(c, &a));
		return 1;
	}
	if (!jws_payload_object(&c->auth.jws, (int)c->cfg->max_json_depth,
	    &payload, &c->prob))
		return 0;
	if (!apply_update(c, payload, &a, &contact))
		goto out;
	if (db_account_update(c->db, &a) != DB_OK) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
		goto out;
	}
	if (a.status == ACCT_DEACTIVATED && c->auth.acct.status != ACCT_DEACTIVATED)
		log_info("account %s deactivated by its holder", a.uid);
	resp_json(c->resp, 200, account_json(c, &a));
	ok = 1;
out:
	json_object_put(payload);
	free(contact);
	return ok;
}

int
h_account_orders(struct ctx *c)
{
	struct json_object *o;

	if (!own_account(c))
		return 0;
	if (!c->auth.jws.post_as_get)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "the orders list is fetched with POST-as-GET (empty payload)");
	if ((o = json_object_new_object()) == NULL)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	json_object_object_add(o, "orders", json_object_new_array());
	resp_json(c->resp, 200, o);
	return 1;
}
