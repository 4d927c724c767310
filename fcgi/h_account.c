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
#include "ident.h"
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

/*
 * The orders list (RFC 8555 §7.1.2.1), oldest first, orders_per_page URLs
 * a page.  "?cursor=ORDER" continues after that order; a Link rel="next"
 * names the next page while there is one.
 */
int
h_account_orders(struct ctx *c)
{
	struct json_object	*o, *arr;
	struct db_order		 after;
	char			 (*uids)[DB_UID_MAX + 1] = NULL;
	char			*url = NULL;
	const char		*cursor = NULL;
	int64_t			 after_id = 0, next;
	size_t			 n, max = c->cfg->orders_per_page;
	int			 ok = 0;

	if (!own_account(c))
		return 0;
	if (!c->auth.jws.post_as_get)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "the orders list is fetched with POST-as-GET (empty payload)");
	if (c->req->query != NULL) {
		if (strncmp(c->req->query, "cursor=", 7) != 0 ||
		    !ident_valid(c->req->query + 7))
			return problem_set_status(&c->prob, PROB_MALFORMED, 404,
			    "no such page of the orders list");
		cursor = c->req->query + 7;
		if (db_order_by_uid(c->db, cursor, &after) != DB_OK ||
		    after.account_id != c->auth.acct.id) {
			db_order_free(&after);
			return problem_set_status(&c->prob, PROB_MALFORMED, 404,
			    "no such page of the orders list");
		}
		after_id = after.id;
		db_order_free(&after);
	}
	if ((uids = calloc(max, sizeof(*uids))) == NULL)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	if (db_account_orders(c->db, c->auth.acct.id, after_id, max, uids, &n,
	    &next) != DB_OK) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
		goto out;
	}
	if ((o = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array_ext((int)n)) == NULL) {
		json_object_put(o);
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
		goto out;
	}
	json_object_object_add(o, "orders", arr);
	for (size_t i = 0; i < n; i++) {
		if ((url = resource_url(c->ep_url, RES_ORDER, uids[i])) == NULL ||
		    json_object_array_add(arr, json_object_new_string(url)) != 0) {
			json_object_put(o);
			problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
			goto out;
		}
		free(url);
		url = NULL;
	}
	if (next != 0) {
		if ((url = resource_url(c->ep_url, RES_ACCOUNT_ORDERS,
		    c->auth.acct.uid)) == NULL) {
			json_object_put(o);
			problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
			goto out;
		}
		resp_header(c->resp, "Link", "<%s?cursor=%s>;rel=\"next\"", url,
		    uids[n - 1]);
	}
	resp_json(c->resp, 200, o);
	ok = 1;
out:
	free(url);
	free(uids);
	return ok;
}
