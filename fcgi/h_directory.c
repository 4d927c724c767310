/*
 * h_directory.c - the directory (RFC 8555 §7.1.1).  Lists only resources
 * that are implemented.
 */
#include "autoconfig.h"

#include <stdlib.h>

#include "config.h"
#include "fcgi.h"
#include "json.h"

static int
add_url(struct json_object *o, struct ctx *c, const char *name, enum resource res)
{
	char	*url = resource_url(c->ep_url, res, NULL);
	int	 ok = url != NULL && json_add_string(o, name, url);

	free(url);
	return ok;
}

int
h_directory(struct ctx *c)
{
	struct json_object *dir, *meta;

	if ((dir = json_object_new_object()) == NULL ||
	    (meta = json_object_new_object()) == NULL) {
		json_object_put(dir);
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	}
	if (!add_url(dir, c, "newNonce", RES_NEW_NONCE) ||
	    !add_url(dir, c, "newAccount", RES_NEW_ACCOUNT) ||
	    !add_url(dir, c, "newOrder", RES_NEW_ORDER)) {
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
