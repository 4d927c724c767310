/*
 * fuzz_route - route_parse(), the router's reading of a request path.
 *
 * Properties (resource.h): an accepted path names a resource of the table,
 * a valid endpoint name and, exactly when the resource has one, an
 * identifier of the identifier alphabet (a renewal-info certID of its own);
 * and resource_url() builds the same
 * path back from the parsed route, so the router and the URLs the handlers
 * hand out cannot drift.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "resource.h"

/* Longer than any path route_parse() accepts, so that the limits are hit. */
#define FUZZ_PATH_MAX	512

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
#define CERTID_CHARS ID_CHARS ".=+"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route	 r;
	char		 path[FUZZ_PATH_MAX + 1], ep_url[ROUTE_NAME_MAX + 2];
	char		*url, *none;
	size_t		 idlen;

	/* The path is a C string (request.c refuses a NUL in it). */
	if (size > FUZZ_PATH_MAX)
		size = FUZZ_PATH_MAX;
	memcpy(path, data, size);
	path[size] = '\0';

	if (!route_parse(path, &r))
		return 0;
	FUZZ_CHECK(r.res < RES__MAX);
	FUZZ_CHECK(endpoint_name_valid(r.endpoint));
	idlen = strlen(r.id);
	if (r.res == RES_RENEWAL_INFO) {
		FUZZ_CHECK(idlen > 0 && idlen <= ROUTE_CERTID_MAX &&
		    strspn(r.id, CERTID_CHARS) == idlen);
		/* Without one: the directory's renewalInfo, the path above it. */
		none = resource_url("", r.res, NULL);
		FUZZ_CHECK(none != NULL && strncmp(path + 1 + strlen(r.endpoint),
		    none, strlen(none)) == 0);
		free(none);
	} else {
		FUZZ_CHECK(idlen <= ROUTE_ID_MAX && strspn(r.id, ID_CHARS) == idlen);
		/* The resource has an id exactly when resource_url() wants one. */
		none = resource_url("", r.res, NULL);
		FUZZ_CHECK((none == NULL) == (idlen != 0));
		free(none);
	}

	snprintf(ep_url, sizeof(ep_url), "/%s", r.endpoint);
	url = resource_url(ep_url, r.res, idlen != 0 ? r.id : NULL);
	FUZZ_CHECK(url != NULL);
	FUZZ_CHECK(strcmp(url, path) == 0);
	free(url);
	return 0;
}
