/*
 * fuzz_json - json_parse(), the strict parser every request body, protected
 * header and payload goes through, and the typed getters over its result.
 *
 * Properties: an accepted document is no deeper than allowed, every getter
 * agrees with the type of the member it reads, an accepted string has no
 * NUL, every integer fits in 64 bits (json.h: json-c would clamp it), and
 * what json_out() writes parses again, strictly, to an equal document.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"

/* The largest max_json_depth acme-fcgi.conf(5) accepts. */
#define FUZZ_JSON_DEPTH	64

static int walk(struct json_object *v);

/* Reads member key of obj, which is v, through every getter. */
static void
check_member(struct json_object *obj, const char *key, struct json_object *v)
{
	struct json_object	*o;
	const char		*s;
	int64_t			 i;
	int			 b;
	enum jget		 r;

	r = json_get_string(obj, key, SIZE_MAX, &s);
	FUZZ_CHECK(r != JGET_ABSENT);
	FUZZ_CHECK((r == JGET_OK) == (json_object_is_type(v, json_type_string) &&
	    strlen(json_object_get_string(v)) ==
	    (size_t)json_object_get_string_len(v)));
	if (r == JGET_OK)
		FUZZ_CHECK(strlen(s) == (size_t)json_object_get_string_len(v));
	r = json_get_int(obj, key, INT64_MIN, INT64_MAX, &i);
	FUZZ_CHECK((r == JGET_OK) == json_object_is_type(v, json_type_int));
	r = json_get_bool(obj, key, &b);
	FUZZ_CHECK((r == JGET_OK) == json_object_is_type(v, json_type_boolean));
	r = json_get_object(obj, key, &o);
	FUZZ_CHECK((r == JGET_OK) == json_object_is_type(v, json_type_object));
	r = json_get_array(obj, key, SIZE_MAX, &o);
	FUZZ_CHECK((r == JGET_OK) == json_object_is_type(v, json_type_array));
}

/* Checks v and below; returns its depth (a scalar is 0). */
static int
walk(struct json_object *v)
{
	struct json_object_iterator	 it, end;
	const char			*s;
	size_t				 i, n;
	int				 d, max = 0;

	if (json_object_is_type(v, json_type_object)) {
		FUZZ_CHECK(json_object_object_length(v) <= JSON_MAX_MEMBERS);
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
			const char		*key = json_object_iter_peek_name(&it);
			struct json_object	*child = json_object_iter_peek_value(&it);

			check_member(v, key, child);
			if ((d = walk(child)) > max)
				max = d;
		}
		return max + 1;
	}
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			struct json_object *child = json_object_array_get_idx(v, i);

			FUZZ_CHECK(json_array_string(v, i, SIZE_MAX, &s) ==
			    (json_object_is_type(child, json_type_string) &&
			    strlen(json_object_get_string(child)) ==
			    (size_t)json_object_get_string_len(child)));
			if ((d = walk(child)) > max)
				max = d;
		}
		FUZZ_CHECK(!json_array_string(v, n, SIZE_MAX, &s));
		return max + 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj, *again;
	const char		*err, *out;

	if ((obj = json_parse((const char *)data, size, FUZZ_JSON_DEPTH, &err)) == NULL) {
		FUZZ_CHECK(err != NULL);
		return 0;
	}
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(memchr(data, '\0', size) == NULL);
	FUZZ_CHECK(walk(obj) <= FUZZ_JSON_DEPTH);

	out = json_out(obj);
	FUZZ_CHECK(out != NULL);
	again = json_parse(out, strlen(out), FUZZ_JSON_DEPTH, &err);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(json_object_equal(obj, again));
	json_object_put(again);
	json_object_put(obj);
	return 0;
}
