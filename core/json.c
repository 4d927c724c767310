#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/*
 * Duplicate member detection.  json-c keeps the last of duplicate members
 * silently; we reject them instead, so that no two parsers can disagree about
 * what a signed document says.  The scan runs on text json-c has already
 * accepted, so it only has to find member names, not validate syntax.
 */

struct dupscan {
	const char	*p;
	const char	*end;
};

static void
skip_ws(struct dupscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Advances past a string starting at the opening quote; returns its raw span. */
static void
skip_string(struct dupscan *s, const char **start, size_t *len)
{
	const char *b = ++s->p;

	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\')
			s->p++;
		s->p++;
	}
	*start = b;
	*len = (size_t)(s->p - b);
	if (s->p < s->end)
		s->p++;
}

/*
 * Member names are compared after unescaping ("a" and "\u0061" are the same
 * name).  Names without a backslash are compared raw; the rare escaped name is
 * decoded by json-c itself.
 */
static char *
decode_key(const char *raw, size_t len)
{
	struct json_object	*o;
	char			*q, *res = NULL;

	if (memchr(raw, '\\', len) == NULL)
		return strndup(raw, len);
	if ((q = malloc(len + 3)) == NULL)
		return NULL;
	q[0] = '"';
	memcpy(q + 1, raw, len);
	q[len + 1] = '"';
	q[len + 2] = '\0';
	if ((o = json_tokener_parse(q)) != NULL) {
		const char *str = json_object_get_string(o);
		size_t slen = (size_t)json_object_get_string_len(o);
		if ((res = malloc(slen + 1)) != NULL) {
			memcpy(res, str, slen);
			res[slen] = '\0';
		}
		json_object_put(o);
	}
	free(q);
	return res;
}

static int scan_value(struct dupscan *s);

static int
scan_object(struct dupscan *s)
{
	char	*keys[JSON_MAX_MEMBERS];
	size_t	 n = 0, i;
	int	 ok = 0;

	s->p++;			/* '{' */
	for (;;) {
		const char	*raw;
		size_t		 rawlen;

		skip_ws(s);
		if (s->p >= s->end)
			goto out;
		if (*s->p == '}') {
			s->p++;
			ok = 1;
			goto out;
		}
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p != '"' || n == JSON_MAX_MEMBERS)
			goto out;
		skip_string(s, &raw, &rawlen);
		if ((keys[n] = decode_key(raw, rawlen)) == NULL)
			goto out;
		for (i = 0; i < n; i++)
			if (strcmp(keys[i], keys[n]) == 0) {
				n++;
				goto out;
			}
		n++;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			goto out;
		s->p++;
		if (!scan_value(s))
			goto out;
	}
out:
	for (i = 0; i < n; i++)
		free(keys[i]);
	return ok;
}

static int
scan_value(struct dupscan *s)
{
	const char	*raw;
	size_t		 rawlen;

	skip_ws(s);
	if (s->p >= s->end)
		return 0;
	switch (*s->p) {
	case '{':
		return scan_object(s);
	case '[':
		s->p++;
		for (;;) {
			skip_ws(s);
			if (s->p >= s->end)
				return 0;
			if (*s->p == ']') {
				s->p++;
				return 1;
			}
			if (*s->p == ',') {
				s->p++;
				continue;
			}
			if (!scan_value(s))
				return 0;
		}
	case '"':
		skip_string(s, &raw, &rawlen);
		return 1;
	default:
		while (s->p < s->end && strchr(",]} \t\r\n", *s->p) == NULL)
			s->p++;
		return 1;
	}
}

struct json_object *
json_parse(const char *buf, size_t len, int max_depth, const char **err)
{
	struct json_tokener	*tok;
	struct json_object	*obj = NULL;
	struct dupscan		 s;
	size_t			 end;

	*err = NULL;
	if (len == 0) {
		*err = "empty JSON document";
		return NULL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		*err = "NUL byte in JSON document";
		return NULL;
	}
	if ((tok = json_tokener_new_ex(max_depth)) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	switch (json_tokener_get_error(tok)) {
	case json_tokener_success:
		break;
	case json_tokener_error_depth:
		*err = "JSON nested too deeply";
		goto fail;
	case json_tokener_continue:
		*err = "truncated JSON document";
		goto fail;
	case json_tokener_error_parse_utf8_string:
		*err = "JSON document is not valid UTF-8";
		goto fail;
	default:
		*err = "JSON syntax error";
		goto fail;
	}
	end = json_tokener_get_parse_end(tok);
	while (end < len && strchr(" \t\r\n", buf[end]) != NULL)
		end++;
	if (end != len) {
		*err = "trailing data after JSON document";
		goto fail;
	}
	s.p = buf;
	s.end = buf + len;
	if (!scan_value(&s)) {
		*err = "duplicate or too many members in a JSON object";
		goto fail;
	}
	json_tokener_free(tok);
	return obj;
fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return NULL;
}

static int
string_ok(struct json_object *v, size_t maxlen, const char **out)
{
	const char	*str;
	size_t		 len;

	if (!json_object_is_type(v, json_type_string))
		return 0;
	str = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len > maxlen || strlen(str) != len)
		return 0;
	*out = str;
	return 1;
}

enum jget
json_get_string(struct json_object *obj, const char *key, size_t maxlen,
    const char **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return JGET_ABSENT;
	return string_ok(v, maxlen, out) ? JGET_OK : JGET_BAD;
}

enum jget
json_get_bool(struct json_object *obj, const char *key, int *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return JGET_ABSENT;
	if (!json_object_is_type(v, json_type_boolean))
		return JGET_BAD;
	*out = json_object_get_boolean(v) ? 1 : 0;
	return JGET_OK;
}

enum jget
json_get_int(struct json_object *obj, const char *key, int64_t min,
    int64_t max, int64_t *out)
{
	struct json_object	*v;
	int64_t			 i;

	if (!json_object_object_get_ex(obj, key, &v))
		return JGET_ABSENT;
	if (!json_object_is_type(v, json_type_int))
		return JGET_BAD;
	/* json-c saturates out-of-range integers; errno tells. */
	errno = 0;
	i = json_object_get_int64(v);
	if (errno != 0 || i < min || i > max)
		return JGET_BAD;
	*out = i;
	return JGET_OK;
}

enum jget
json_get_object(struct json_object *obj, const char *key,
    struct json_object **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return JGET_ABSENT;
	if (!json_object_is_type(v, json_type_object))
		return JGET_BAD;
	*out = v;
	return JGET_OK;
}

enum jget
json_get_array(struct json_object *obj, const char *key, size_t maxlen,
    struct json_object **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return JGET_ABSENT;
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > maxlen)
		return JGET_BAD;
	*out = v;
	return JGET_OK;
}

int
json_array_string(struct json_object *arr, size_t i, size_t maxlen,
    const char **out)
{
	struct json_object *v = json_object_array_get_idx(arr, i);

	return v != NULL && string_ok(v, maxlen, out);
}

const char *
json_out(struct json_object *obj)
{
	return json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

int
json_add_string(struct json_object *obj, const char *key, const char *val)
{
	struct json_object *v;

	if ((v = json_object_new_string(val)) == NULL)
		return 0;
	if (json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return 0;
	}
	return 1;
}
