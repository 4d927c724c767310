/*
 * h_directory.c - the directory (RFC 8555 §7.1.1).  Lists only resources
 * that are implemented.
 */
#include "autoconfig.h"

#include <stdlib.h>

#include "config.h"
#include "fcgi.h"
#include "json.h"

int
h_directory(struct ctx *c)
{
	struct json_object *dir, *meta;

	if ((dir = json_object_new_object()) == NULL ||
	    (meta = json_object_new_object()) == NULL) {
		json_object_put(dir);
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	}
	if (!ctx_add_url(c, dir, "newNonce", RES_NEW_NONCE, NULL) ||
	    !ctx_add_url(c, dir, "newAccount", RES_NEW_ACCOUNT, NULL) ||
	    !ctx_add_url(c, dir, "newOrder", RES_NEW_ORDER, NULL) ||
	    !ctx_add_url(c, dir, "renewalInfo", RES_RENEWAL_INFO, NULL) ||
	    !ctx_add_url(c, dir, "revokeCert", RES_REVOKE_CERT, NULL)) {
		json_object_put(meta);
		goto oom;
	}
	json_object_object_add(dir, "meta", meta);
	json_object_object_add(meta, "externalAccountRequired",
	    json_object_new_boolean(c->ep.eab_required));
	if (c->cfg->terms_of_service != NULL &&
	    !json_add_string(meta, "termsOfService", c->cfg->terms_of_service))
		goto oom;
	if (c->cfg->website != NULL &&
	    !json_add_string(meta, "website", c->cfg->website))
		goto oom;
	resp_json(c->resp, 200, dir);
	return 1;
oom:
	json_object_put(dir);
	return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
}
