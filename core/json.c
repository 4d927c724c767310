#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/*
 * A second, strict pass over text json-c has accepted.  json-c is lenient
 * in ways RFC 8259 is not: it takes NaN and Infinity, raw control
 * characters in strings, overlong UTF-8 and encoded surrogates, and it
 * saturates integers that do not fit.  It also keeps the last of duplicate
 * members silently; we reject them, so that no two parsers can disagree
 * about what a signed document says (RFC 7515 §4 allows this).
 */

struct scan {
	const char	*p;
	const char	*end;
	const char	*err;
};

static int
scan_fail(struct scan *s, const char *err)
{
	if (s->err == NULL)
		s->err = err;
	return 0;
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/*
 * Length of the UTF-8 sequence at p (RFC 3629 §4), or 0 if it is not one:
 * no overlong forms, no surrogates, nothing above U+10FFFF.
 */
size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* Checks the string at the opening quote and steps past it; its raw span. */
static int
scan_string(struct scan *s, const char **start, size_t *len)
{
	const unsigned char	*p = (const unsigned char *)s->p + 1;
	const unsigned char	*end = (const unsigned char *)s->end;
	size_t			 n, i;

	*start = (const char *)p;
	while (p < end && *p != '"') {
		if (*p < 0x20)
			return scan_fail(s, "control character in a JSON string");
		if (*p == '\\') {
			if (p + 1 >= end || strchr("\"\\/bfnrtu", p[1]) == NULL)
				return scan_fail(s, "bad escape in a JSON string");
			if (p[1] == 'u') {
				for (i = 2; i < 6; i++)
					if (p + i >= end || !strchr("0123456789abcdefABCDEF", p[i]) ||
					    p[i] == '\0')
						return scan_fail(s, "bad escape in a JSON string");
				p += 6;
			} else
				p += 2;
			continue;
		}
		if ((n = utf8_len(p, end)) == 0)
			return scan_fail(s, "JSON document is not valid UTF-8");
		p += n;
	}
	if (p >= end)
		return scan_fail(s, "unterminated JSON string");
	*len = (size_t)(p - (const unsigned char *)*start);
	s->p = (const char *)p + 1;
	return 1;
}

static int
is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/*
 * RFC 8259 §6 number grammar.  An integer (no fraction, no exponent) must
 * fit in 64 bits; anything larger would be silently clamped.
 */
static int
scan_number(struct scan *s)
{
	const char	*b = s->p, *p = s->p;
	int		 integer = 1;
	char		 tmp[32];

	if (p < s->end && *p == '-')
		p++;
	if (!is_digit(p, s->end))
		return scan_fail(s, "JSON syntax error");
	if (*p == '0')
		p++;
	else
		while (is_digit(p, s->end))
			p++;
	if (p < s->end && *p == '.') {
		integer = 0;
		if (!is_digit(++p, s->end))
			return scan_fail(s, "JSON syntax error");
		while (is_digit(p, s->end))
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		integer = 0;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, s->end))
			return scan_fail(s, "JSON syntax error");
		while (is_digit(p, s->end))
			p++;
	}
	if (integer) {
		if ((size_t)(p - b) >= sizeof(tmp))
			return scan_fail(s, "JSON integer out of range");
		memcpy(tmp, b, (size_t)(p - b));
		tmp[p - b] = '\0';
		errno = 0;
		(void)strtoll(tmp, NULL, 10);
		if (errno == ERANGE)
			return scan_fail(s, "JSON integer out of range");
	}
	s->p = p;
	return 1;
}

static int
scan_literal(struct scan *s)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t	i, n;

	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		n = strlen(lits[i]);
		if ((size_t)(s->end - s->p) >= n && memcmp(s->p, lits[i], n) == 0) {
			s->p += n;
			return 1;
		}
	}
	return scan_fail(s, "JSON syntax error");
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

static int scan_value(struct scan *s);

static int
scan_object(struct scan *s)
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
		if (*s->p != '"') {
			scan_fail(s, "JSON syntax error");
			goto out;
		}
		if (n == JSON_MAX_MEMBERS) {
			scan_fail(s, "too many members in a JSON object");
			goto out;
		}
		if (!scan_string(s, &raw, &rawlen))
			goto out;
		if ((keys[n] = decode_key(raw, rawlen)) == NULL) {
			scan_fail(s, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++)
			if (strcmp(keys[i], keys[n]) == 0) {
				n++;
				scan_fail(s, "duplicate member in a JSON object");
				goto out;
			}
		n++;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':') {
			scan_fail(s, "JSON syntax error");
			goto out;
		}
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
scan_value(struct scan *s)
{
	const char	*raw;
	size_t		 rawlen;

	skip_ws(s);
	if (s->p >= s->end)
		return scan_fail(s, "truncated JSON document");
	switch (*s->p) {
	case '{':
		return scan_object(s);
	case '[':
		s->p++;
		for (;;) {
			skip_ws(s);
			if (s->p >= s->end)
				return scan_fail(s, "truncated JSON document");
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
		return scan_string(s, &raw, &rawlen);
	case 't':
	case 'f':
	case 'n':
		return scan_literal(s);
	default:
		return scan_number(s);
	}
}

struct json_object *
json_parse(const char *buf, size_t len, int max_depth, const char **err)
{
	struct json_tokener	*tok;
	struct json_object	*obj = NULL;
	struct scan		 s;
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
	end = json_tokener_get_parse_end(tok);
	/*
	 * A number or literal at the top level ends only with the input:
	 * json-c waits for more unless told, with a NUL, that there is none.
	 */
	if (json_tokener_get_error(tok) == json_tokener_continue && end == len)
		obj = json_tokener_parse_ex(tok, "", 1);
	switch (json_tokener_get_error(tok)) {
	case json_tokener_success:
		break;
	case json_tokener_error_depth:
		*err = "JSON nested too deeply";
		goto fail;
	case json_tokener_continue:
	case json_tokener_error_parse_eof:
		*err = "truncated JSON document";
		goto fail;
	case json_tokener_error_parse_utf8_string:
		*err = "JSON document is not valid UTF-8";
		goto fail;
	default:
		*err = "JSON syntax error";
		goto fail;
	}
	/* json-c's null is NULL; no caller wants a document that is only null. */
	if (obj == NULL) {
		*err = "JSON document is null";
		goto fail;
	}
	while (end < len && strchr(" \t\r\n", buf[end]) != NULL)
		end++;
	if (end != len) {
		*err = "trailing data after JSON document";
		goto fail;
	}
	s.p = buf;
	s.end = buf + len;
	s.err = NULL;
	if (!scan_value(&s)) {
		*err = s.err != NULL ? s.err : "JSON syntax error";
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

const char *
json_out_compact(struct json_object *obj)
{
	return json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
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
