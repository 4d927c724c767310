/*
 * h_new_account.c - newAccount (RFC 8555 §7.3), with External Account
 * Binding (§7.3.4) and onlyReturnExisting (§7.3.1).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "config.h"
#include "contact.h"
#include "eab.h"
#include "fcgi.h"
#include "ident.h"
#include "json.h"
#include "log.h"

struct new_account {
	struct json_object	*payload;
	struct json_object	*contact;	/* borrowed; NULL if absent */
	struct json_object	*binding;	/* borrowed; NULL if absent */
	int			 tos_agreed;
	int			 only_existing;
};

static int
parse_payload(struct ctx *c, struct new_account *na)
{
	struct json_object *payload;

	if (!jws_payload_object(&c->auth.jws, (int)c->cfg->max_json_depth,
	    &payload, &c->prob))
		return 0;
	na->payload = payload;
	if (json_get_array(payload, "contact", 1024, &na->contact) == JGET_BAD)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "\"contact\" is not an array");
	if (json_get_bool(payload, "termsOfServiceAgreed", &na->tos_agreed) == JGET_BAD)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "\"termsOfServiceAgreed\" is not a boolean");
	if (json_get_bool(payload, "onlyReturnExisting", &na->only_existing) == JGET_BAD)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "\"onlyReturnExisting\" is not a boolean");
	if (json_get_object(payload, "externalAccountBinding", &na->binding) == JGET_BAD)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "\"externalAccountBinding\" is not an object");
	return 1;
}

/* Answers with an account that already exists for this key (200). */
static int
existing(struct ctx *c, const struct db_account *a)
{
	char *url;

	if (a->status != ACCT_VALID)
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "the account of this key is %s", account_status_name(a->status));
	if ((url = resource_url(c->ep_url, RES_ACCOUNT, a->uid)) == NULL)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	/*
	 * Apache's mod_fcgid and mod_cgid turn a 200 with Location into a
	 * redirect (RFC 3875 §6.2.4): there the shipped snippet renames
	 * location_header back to Location.
	 */
	resp_header(c->resp, c->cfg->location_header != NULL ?
	    c->cfg->location_header : "Location", "%s", url);
	free(url);
	resp_json(c->resp, 200, account_json(c, a));
	return 1;
}

/*
 * Checks the binding against its key in the database.  Runs inside the
 * transaction, so that "unused" cannot change before the account is bound.
 * The MAC is checked before anything about the key is revealed.
 */
static int
check_binding(struct ctx *c, const struct eab *e, int64_t *eab_id)
{
	struct db_eab	 k;
	uint8_t		*mac = NULL;
	size_t		 maclen;
	int		 ok = 0;

	switch (db_eab_get(c->db, e->kid, &k)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "externalAccountBinding: unknown key identifier");
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	if (!b64url_decode(k.hmac, strlen(k.hmac), &mac, &maclen)) {
		log_err("check_binding: EAB key %s: stored MAC key is not base64url", k.kid);
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "stored EAB key is invalid");
		goto out;
	}
	if (!eab_verify_mac(e, mac, maclen)) {
		problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "externalAccountBinding: MAC does not verify");
		goto out;
	}
	if (k.endpoint_id != c->ep.id) {
		problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "externalAccountBinding: key belongs to another endpoint");
		goto out;
	}
	if (k.status != EAB_ACTIVE) {
		problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "externalAccountBinding: key has been revoked");
		goto out;
	}
	if (!k.reusable && k.accounts > 0) {
		problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "externalAccountBinding: key is already bound to an account");
		goto out;
	}
	*eab_id = k.id;
	ok = 1;
out:
	if (mac != NULL) {
		memset(mac, 0, maclen);
		free(mac);
	}
	db_eab_free(&k);
	return ok;
}

int
h_new_account(struct ctx *c)
{
	struct new_account	 na;
	struct eab		 e;
	struct db_account	 a;
	char			*url = NULL, *contact = NULL;
	int			 ok = 0, have_eab = 0;

	memset(&na, 0, sizeof(na));
	memset(&e, 0, sizeof(e));
	memset(&a, 0, sizeof(a));
	if (!parse_payload(c, &na))
		goto out;
	if (c->auth.has_acct) {
		ok = existing(c, &c->auth.acct);
		goto out;
	}
	if (na.only_existing) {
		problem_set(&c->prob, PROB_ACCOUNT_DOES_NOT_EXIST,
		    "no account exists for this key");
		goto out;
	}
	if (c->cfg->terms_of_service != NULL && !na.tos_agreed) {
		problem_set(&c->prob, PROB_MALFORMED,
		    "the terms of service (%s) must be agreed to",
		    c->cfg->terms_of_service);
		goto out;
	}
	if (na.contact != NULL) {
		if (!contact_parse(na.contact, c->cfg->max_contacts, &contact, &c->prob))
			goto out;
	} else if ((contact = strdup("[]")) == NULL) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
		goto out;
	}
	if (na.binding == NULL && c->ep.eab_required) {
		problem_set(&c->prob, PROB_EXTERNAL_ACCOUNT_REQUIRED,
		    "this endpoint requires an externalAccountBinding (RFC 8555 §7.3.4)");
		goto out;
	}
	if (na.binding != NULL) {
		if (!eab_parse(na.binding, c->req->url, &c->auth.key, &e, &c->prob))
			goto out;
		have_eab = 1;
		if (!check_binding(c, &e, &a.eab_key_id))
			goto out;
	}
	if (!ident_new(a.uid)) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "no randomness");
		goto out;
	}
	a.endpoint_id = c->ep.id;
	a.jwk = c->auth.key.json;
	a.thumbprint = c->auth.key.thumbprint;
	a.contact = contact;
	a.tos_agreed = na.tos_agreed;
	a.status = ACCT_VALID;
	a.created = c->now;
	switch (db_account_insert(c->db, &a)) {
	case DB_OK:
		break;
	case DB_CONFLICT:
		/* The transaction serialises us, so the key cannot be unknown. */
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "account key conflict");
		goto out;
	default:
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
		goto out;
	}
	if ((url = resource_url(c->ep_url, RES_ACCOUNT, a.uid)) == NULL) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
		goto out;
	}
	resp_header(c->resp, "Location", "%s", url);
	resp_json(c->resp, 201, account_json(c, &a));
	log_info("account %s created on endpoint %s%s%s", a.uid, c->ep.name,
	    have_eab ? " with EAB key " : "", have_eab ? e.kid : "");
	ok = 1;
out:
	if (have_eab)
		eab_free(&e);
	json_object_put(na.payload);
	free(contact);
	free(url);
	return ok;
}
