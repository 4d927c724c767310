/*
 * test_resource.c - the URL layout of an endpoint: route_parse() and
 * resource_url(), which must agree.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resource.h"
#include "testutil.h"

#define BASE	"https://ca.test/acme"
#define EP_URL	BASE "/ep-1"
#define ID	"Ab_-09xYz0123456789abc"

/* Asserts that path names res with id ("" for none) on endpoint "ep-1". */
#define assert_route(path, r, i) do {					\
	struct route rt_;						\
									\
	if (!route_parse((path), &rt_))					\
		fail_msg("not a route: %s", (path));			\
	assert_int_equal(rt_.res, (r));					\
	assert_string_equal(rt_.endpoint, "ep-1");			\
	assert_string_equal(rt_.id, (i));				\
} while (0)

/* Asserts that path names nothing. */
#define assert_no_route(path) do {					\
	struct route rt_;						\
									\
	if (route_parse((path), &rt_))					\
		fail_msg("parsed as resource %d: %s", (int)rt_.res, (path)); \
	assert_int_equal(rt_.res, RES_INVALID);				\
	assert_string_equal(rt_.id, "");				\
} while (0)

static void
test_parse_each_resource(void **state)
{
	(void)state;
	assert_route("/ep-1/directory", RES_DIRECTORY, "");
	assert_route("/ep-1/new-nonce", RES_NEW_NONCE, "");
	assert_route("/ep-1/new-account", RES_NEW_ACCOUNT, "");
	assert_route("/ep-1/acct/" ID, RES_ACCOUNT, ID);
	assert_route("/ep-1/acct/" ID "/orders", RES_ACCOUNT_ORDERS, ID);
	assert_route("/ep-1/new-order", RES_NEW_ORDER, "");
	assert_route("/ep-1/order/" ID, RES_ORDER, ID);
	assert_route("/ep-1/order/" ID "/finalize", RES_FINALIZE, ID);
	assert_route("/ep-1/authz/" ID, RES_AUTHZ, ID);
	assert_route("/ep-1/cert/" ID, RES_CERT, ID);
	assert_route("/ep-1/issuer/main-ca_2", RES_ISSUER, "main-ca_2");
	assert_route("/ep-1/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
	    RES_RENEWAL_INFO, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	assert_route("/ep-1/revoke-cert", RES_REVOKE_CERT, "");
	assert_no_route("/ep-1/revoke-cert/" ID);
	assert_no_route("/ep-1/revoke-certs");
}

/* Every resource: the URL built for it parses back to it. */
static void
test_url_round_trip(void **state)
{
	struct route	 rt;
	char		*url;

	(void)state;
	for (int r = 0; r < RES__MAX; r++) {
		url = resource_url(EP_URL, (enum resource)r, ID);
		if (url == NULL)
			url = resource_url(EP_URL, (enum resource)r, NULL);
		assert_non_null(url);
		assert_int_equal(strncmp(url, EP_URL "/", strlen(EP_URL) + 1), 0);
		assert_true(route_parse(url + strlen(BASE), &rt));
		assert_int_equal(rt.res, r);
		assert_string_equal(rt.endpoint, "ep-1");
		if (rt.id[0] != '\0')
			assert_string_equal(rt.id, ID);
		free(url);
	}
}

static void
test_url_exact(void **state)
{
	char *url;

	(void)state;
	url = resource_url(EP_URL, RES_DIRECTORY, NULL);
	assert_string_equal(url, EP_URL "/directory");
	free(url);
	url = resource_url(EP_URL, RES_ACCOUNT, ID);
	assert_string_equal(url, EP_URL "/acct/" ID);
	free(url);
	url = resource_url(EP_URL, RES_ACCOUNT_ORDERS, ID);
	assert_string_equal(url, EP_URL "/acct/" ID "/orders");
	free(url);
}

static void
test_url_refuses_missing_id(void **state)
{
	(void)state;
	assert_null(resource_url(EP_URL, RES_ACCOUNT, NULL));
	assert_null(resource_url(EP_URL, RES_ACCOUNT_ORDERS, NULL));
}

static void
test_url_refuses_extra_id(void **state)
{
	(void)state;
	assert_null(resource_url(EP_URL, RES_DIRECTORY, ID));
	assert_null(resource_url(EP_URL, RES_NEW_NONCE, ID));
	assert_null(resource_url(EP_URL, RES_NEW_ACCOUNT, ID));
}

static void
test_url_refuses_unknown_resource(void **state)
{
	(void)state;
	assert_null(resource_url(EP_URL, RES_INVALID, NULL));
	assert_null(resource_url(EP_URL, RES_INVALID, ID));
}

static void
test_rejects_no_leading_slash(void **state)
{
	(void)state;
	assert_no_route("ep-1/directory");
	assert_no_route("");
	assert_route("/ep-1/directory", RES_DIRECTORY, "");
}

static void
test_rejects_empty_segments(void **state)
{
	(void)state;
	assert_no_route("//directory");
	assert_no_route("//ep-1/directory");
	assert_no_route("/ep-1//directory");
	assert_no_route("/ep-1/acct//orders");
	assert_no_route("/ep-1/acct/" ID "//orders");
}

static void
test_rejects_dot_segments(void **state)
{
	(void)state;
	assert_no_route("/../directory");
	assert_no_route("/./directory");
	assert_no_route("/ep-1/../directory");
	assert_no_route("/ep-1/./directory");
	assert_no_route("/ep-1/acct/..");
	assert_no_route("/ep-1/acct/" ID "/../orders");
}

static void
test_rejects_percent_encoding(void **state)
{
	(void)state;
	assert_no_route("/ep-1/direct%6fry");
	assert_no_route("/ep%2D1/directory");
	assert_no_route("/ep-1/acct/a%2Fb");
	assert_no_route("/ep-1%2Fdirectory");
}

static void
test_rejects_uppercase_endpoint(void **state)
{
	(void)state;
	assert_no_route("/EP-1/directory");
	assert_no_route("/Ep-1/directory");
	assert_false(endpoint_name_valid("Ep"));
}

static void
test_rejects_overlong_endpoint(void **state)
{
	char	path[ROUTE_NAME_MAX + 32];
	struct route rt;

	(void)state;
	path[0] = '/';
	memset(path + 1, 'e', ROUTE_NAME_MAX + 1);
	strcpy(path + ROUTE_NAME_MAX + 2, "/directory");
	assert_no_route(path);
	/* ROUTE_NAME_MAX characters is the longest name. */
	memmove(path + ROUTE_NAME_MAX + 1, path + ROUTE_NAME_MAX + 2,
	    strlen(path + ROUTE_NAME_MAX + 2) + 1);
	assert_true(route_parse(path, &rt));
	assert_int_equal(strlen(rt.endpoint), ROUTE_NAME_MAX);
}

static void
test_endpoint_name_valid(void **state)
{
	char name[ROUTE_NAME_MAX + 2];

	(void)state;
	assert_true(endpoint_name_valid("a"));
	assert_true(endpoint_name_valid("0"));
	assert_true(endpoint_name_valid("a_b-c9"));
	assert_false(endpoint_name_valid(""));
	assert_false(endpoint_name_valid("_a"));
	assert_false(endpoint_name_valid("-a"));
	assert_false(endpoint_name_valid("a.b"));
	assert_false(endpoint_name_valid("a b"));
	assert_false(endpoint_name_valid("caf\xc3\xa9"));
	memset(name, 'n', ROUTE_NAME_MAX);
	name[ROUTE_NAME_MAX] = '\0';
	assert_true(endpoint_name_valid(name));
	name[ROUTE_NAME_MAX] = 'n';
	name[ROUTE_NAME_MAX + 1] = '\0';
	assert_false(endpoint_name_valid(name));
}

static void
test_rejects_bad_id_characters(void **state)
{
	(void)state;
	assert_no_route("/ep-1/acct/a.b");
	assert_no_route("/ep-1/acct/a+b");
	assert_no_route("/ep-1/acct/a=");
	assert_no_route("/ep-1/acct/a b");
	assert_no_route("/ep-1/acct/a~b");
	assert_no_route("/ep-1/acct/caf\xc3\xa9");
	assert_route("/ep-1/acct/a_b-C", RES_ACCOUNT, "a_b-C");
}

static void
test_rejects_overlong_id(void **state)
{
	char	path[ROUTE_ID_MAX + 64], id[ROUTE_ID_MAX + 2];

	(void)state;
	memset(id, 'i', ROUTE_ID_MAX + 1);
	id[ROUTE_ID_MAX + 1] = '\0';
	snprintf(path, sizeof(path), "/ep-1/acct/%s", id);
	assert_no_route(path);
	snprintf(path, sizeof(path), "/ep-1/acct/%s/orders", id);
	assert_no_route(path);
	id[ROUTE_ID_MAX] = '\0';
	snprintf(path, sizeof(path), "/ep-1/acct/%s", id);
	assert_route(path, RES_ACCOUNT, id);
}

static void
test_rejects_trailing_slash(void **state)
{
	(void)state;
	assert_no_route("/ep-1/directory/");
	assert_no_route("/ep-1/new-nonce/");
	assert_no_route("/ep-1/acct/" ID "/");
	assert_no_route("/ep-1/acct/" ID "/orders/");
	assert_no_route("/ep-1/");
}

static void
test_rejects_unknown_resource(void **state)
{
	(void)state;
	assert_no_route("/ep-1/unknown");
	assert_no_route("/ep-1/Directory");
	assert_no_route("/ep-1/directoryx");
	assert_no_route("/ep-1/director");
	assert_no_route("/ep-1/new-orders");
	assert_no_route("/ep-1/order/" ID "/finalize/x");
	assert_no_route("/ep-1/order/" ID "/finalise");
	assert_no_route("/ep-1/authz/");
	assert_no_route("/ep-1/cert/" ID "/x");
	assert_no_route("/ep-1/issuer/a.b");
	assert_no_route("/ep-1/acct");
	assert_no_route("/ep-1/acct/");
	assert_no_route("/ep-1/acct/" ID "/ordersx");
	assert_no_route("/ep-1/acct/" ID "/orders/x");
	assert_no_route("/ep-1/orders/" ID);
	assert_no_route("/ep-1");
	assert_no_route("/");
	assert_no_route("/ep-1/directory?x=1");
	assert_no_route("/ep-1/directory#f");
}

/*
 * RFC 9773: the directory names renewal-info, a certID goes below it.  A
 * certID segment may have '.', '=' and '+', so that its handler refuses a
 * bad one as malformed; nothing that leaves the segment is one.
 */
static void
test_renewal_info(void **state)
{
	char	path[ROUTE_CERTID_MAX + 64], id[ROUTE_CERTID_MAX + 2];
	char	*url;

	(void)state;
	url = resource_url(EP_URL, RES_RENEWAL_INFO, NULL);
	assert_string_equal(url, EP_URL "/renewal-info");
	free(url);
	url = resource_url(EP_URL, RES_RENEWAL_INFO, "AQ.AQ");
	assert_string_equal(url, EP_URL "/renewal-info/AQ.AQ");
	free(url);
	assert_route("/ep-1/renewal-info/nodot", RES_RENEWAL_INFO, "nodot");
	assert_route("/ep-1/renewal-info/a=.b+", RES_RENEWAL_INFO, "a=.b+");
	assert_route("/ep-1/renewal-info/..", RES_RENEWAL_INFO, "..");
	assert_no_route("/ep-1/renewal-info");
	assert_no_route("/ep-1/renewal-info/");
	assert_no_route("/ep-1/renewal-info/a/b");
	assert_no_route("/ep-1/renewal-info/a.b/");
	assert_no_route("/ep-1/renewal-info/a%2Eb");
	assert_no_route("/ep-1/renewal-info/a b");
	assert_no_route("/ep-1/renewal-info/a~b");
	assert_no_route("/ep-1/renewalInfo/a.b");
	/* Identifiers elsewhere stay as they were. */
	assert_no_route("/ep-1/cert/a.b");
	memset(id, 'i', ROUTE_CERTID_MAX + 1);
	id[ROUTE_CERTID_MAX + 1] = '\0';
	snprintf(path, sizeof(path), "/ep-1/renewal-info/%s", id);
	assert_no_route(path);
	id[ROUTE_CERTID_MAX] = '\0';
	snprintf(path, sizeof(path), "/ep-1/renewal-info/%s", id);
	assert_route(path, RES_RENEWAL_INFO, id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_each_resource),
		cmocka_unit_test(test_url_round_trip),
		cmocka_unit_test(test_url_exact),
		cmocka_unit_test(test_url_refuses_missing_id),
		cmocka_unit_test(test_url_refuses_extra_id),
		cmocka_unit_test(test_url_refuses_unknown_resource),
		cmocka_unit_test(test_rejects_no_leading_slash),
		cmocka_unit_test(test_rejects_empty_segments),
		cmocka_unit_test(test_rejects_dot_segments),
		cmocka_unit_test(test_rejects_percent_encoding),
		cmocka_unit_test(test_rejects_uppercase_endpoint),
		cmocka_unit_test(test_rejects_overlong_endpoint),
		cmocka_unit_test(test_endpoint_name_valid),
		cmocka_unit_test(test_rejects_bad_id_characters),
		cmocka_unit_test(test_rejects_overlong_id),
		cmocka_unit_test(test_rejects_trailing_slash),
		cmocka_unit_test(test_rejects_unknown_resource),
		cmocka_unit_test(test_renewal_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
