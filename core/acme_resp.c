#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "acme_client.h"
#include "acme_resp.h"
#include "json.h"
#include "problem.h"

#define ACME_URN	"urn:ietf:params:acme:error:"

/* --- text and URLs ------------------------------------------------------------- */

void
acme_text_copy(char *dst, size_t size, const char *src)
{
	const unsigned char	*s = (const unsigned char *)src;
	const unsigned char	*end = s + strlen(src);
	size_t			 o = 0, n;

	while (s < end) {
		n = utf8_len(s, end);
		/* C0 and C1 controls and DEL, like bytes that are not UTF-8. */
		if (n == 0 || (n == 1 && (*s < 0x20 || *s == 0x7f)) ||
		    (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
			if (o + 1 >= size)
				break;
			dst[o++] = '?';
			s++;
			continue;
		}
		if (o + n >= size)
			break;
		memcpy(dst + o, s, n);
		o += n;
		s += n;
	}
	dst[o] = '\0';
}

int
acme_url_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > ACME_URL_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

char *
acme_url_resolve(const char *base, const char *ref, size_t len)
{
	CURLU	*u = NULL;
	char	*r, *got = NULL, *res = NULL;

	if ((r = strndup(ref, len)) == NULL)
		return NULL;
	if (strncasecmp(r, "https://", 8) == 0 || strncasecmp(r, "http://", 7) == 0) {
		if (acme_url_ok(r))
			return r;
		free(r);
		return NULL;
	}
	if ((u = curl_url()) != NULL &&
	    curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, r, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &got, 0) == CURLUE_OK && acme_url_ok(got))
		res = strdup(got);
	curl_free(got);
	curl_url_cleanup(u);
	free(r);
	return res;
}

/* --- header fields ----------------------------------------------------------- */

int
acme_resp_header(const struct acme_http_resp *r, const char *name, size_t idx,
    const char **val, size_t *len)
{
	const char	*s = r->headers.p, *lim, *eol, *v, *e;
	size_t		 nlen = strlen(name);

	if (s == NULL)
		return 0;
	for (lim = s + r->headers.len; s < lim; s = eol + 1) {
		if ((eol = memchr(s, '\n', (size_t)(lim - s))) == NULL)
			eol = lim;
		if ((size_t)(eol - s) <= nlen || s[nlen] != ':' ||
		    strncasecmp(s, name, nlen) != 0)
			continue;
		v = s + nlen + 1;
		e = eol;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (idx-- == 0) {
			*val = v;
			*len = (size_t)(e - v);
			return 1;
		}
	}
	return 0;
}

int
acme_resp_header_text(const struct acme_http_resp *r, const char *name, char *out,
    size_t max)
{
	const char	*v;
	size_t		 len, i;

	if (!acme_resp_header(r, name, 0, &v, &len))
		return 0;
	if (len == 0 || len > max)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return -1;
	memcpy(out, v, len);
	out[len] = '\0';
	return 1;
}

static int
is_token_char(char ch)
{
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL ? 1 :
	    (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z');
}

/* 1 if the space-separated relation types of val include rel (RFC 8288 §3.3). */
static int
rel_has(const char *val, const char *rel)
{
	size_t rlen = strlen(rel), n;

	while (*val != '\0') {
		while (*val == ' ')
			val++;
		n = strcspn(val, " ");
		if (n == rlen && strncasecmp(val, rel, n) == 0)
			return 1;
		val += n;
	}
	return 0;
}

/*
 * One Link field value (RFC 8288 §3): appends the targets whose "rel" has
 * rel, resolved against base, to out while it has fewer than max.  Stops at
 * the first thing that is not a link-value.  Returns 0 only when memory ran
 * out.
 */
static int
link_value(const char *s, const char *end, const char *base, const char *rel,
    struct acme_strlist *out, size_t max)
{
	const char	*uri, *q;
	char		 name[16], val[256], **v;
	size_t		 urilen, nn, vn;
	int		 match;

	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == ','))
			s++;
		if (s >= end || *s != '<')
			return 1;
		uri = s + 1;
		if ((q = memchr(uri, '>', (size_t)(end - uri))) == NULL)
			return 1;
		urilen = (size_t)(q - uri);
		s = q + 1;
		match = 0;
		for (;;) {
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if (s >= end || *s == ',')
				break;
			if (*s++ != ';')
				return 1;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			for (nn = 0; s < end && is_token_char(*s); s++)
				if (nn < sizeof(name) - 1)
					name[nn++] = *s;
			name[nn] = '\0';
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			vn = 0;
			if (s < end && *s == '=') {
				s++;
				while (s < end && (*s == ' ' || *s == '\t'))
					s++;
				if (s < end && *s == '"') {
					for (s++; s < end && *s != '"'; s++) {
						if (*s == '\\' && s + 1 < end)
							s++;
						if (vn < sizeof(val) - 1)
							val[vn++] = *s;
					}
					if (s >= end)
						return 1;
					s++;
				} else
					for (; s < end && is_token_char(*s); s++)
						if (vn < sizeof(val) - 1)
							val[vn++] = *s;
			}
			val[vn] = '\0';
			if (strcasecmp(name, "rel") == 0 && rel_has(val, rel))
				match = 1;
		}
		if (!match || out->n >= max)
			continue;
		if ((v = realloc(out->v, (out->n + 1) * sizeof(*v))) == NULL)
			return 0;
		out->v = v;
		/* A target we cannot use is skipped, as a browser would. */
		if (memchr(uri, '\0', urilen) == NULL &&
		    (v[out->n] = acme_url_resolve(base, uri, urilen)) != NULL)
			out->n++;
	}
}

int
acme_resp_links(const struct acme_http_resp *r, const char *base,
    const char *rel, struct acme_strlist *out, size_t max)
{
	const char	*v;
	size_t		 len;

	for (size_t i = 0; acme_resp_header(r, "Link", i, &v, &len); i++)
		if (!link_value(v, v + len, base, rel, out, max))
			return 0;
	return 1;
}

/* --- Retry-After ------------------------------------------------------------------ */

static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const wdays[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *const wdays_long[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};

/* Exactly n digits at s into *out. */
static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int
month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (strncmp(s, months[i], 3) == 0)
			return i;
	return -1;
}

static int
wday_ok(const char *s, size_t n, const char *const *names)
{
	for (int i = 0; i < 7; i++)
		if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

/* "HH:MM:SS" into tm. */
static int
hms(const char *s, struct tm *tm)
{
	if (!digits(s, 2, &tm->tm_hour) || s[2] != ':' ||
	    !digits(s + 3, 2, &tm->tm_min) || s[5] != ':' ||
	    !digits(s + 6, 2, &tm->tm_sec))
		return 0;
	return tm->tm_hour <= 23 && tm->tm_min <= 59 && tm->tm_sec <= 60;
}

/*
 * An HTTP-date (RFC 9110 §5.6.7) in any of its three forms:
 *   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
 *   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
 *   asctime      Sun Nov  6 08:49:37 1994
 */
static int
http_date(const char *s, time_t now, time_t *out)
{
	struct tm	 tm;
	const char	*comma = strchr(s, ',');
	size_t		 len = strlen(s);
	int		 mday, year;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if (comma != NULL && comma - s == 3 && len == 29) {
		if (!wday_ok(s, 3, wdays) || s[4] != ' ' || !digits(s + 5, 2, &mday) ||
		    s[7] != ' ' || (tm.tm_mon = month_of(s + 8)) < 0 || s[11] != ' ' ||
		    !digits(s + 12, 4, &year) || s[16] != ' ' || !hms(s + 17, &tm) ||
		    strcmp(s + 25, " GMT") != 0)
			return 0;
	} else if (comma != NULL) {
		const char *d = comma + 2;

		if (!wday_ok(s, (size_t)(comma - s), wdays_long) || comma[1] != ' ' ||
		    strlen(d) != 22 || !digits(d, 2, &mday) || d[2] != '-' ||
		    (tm.tm_mon = month_of(d + 3)) < 0 || d[6] != '-' ||
		    !digits(d + 7, 2, &year) || d[9] != ' ' || !hms(d + 10, &tm) ||
		    strcmp(d + 18, " GMT") != 0)
			return 0;
		/* §5.6.7: a year more than 50 years ahead is in the past century. */
		struct tm nowtm;
		if (gmtime_r(&now, &nowtm) == NULL)
			return 0;
		year += 1900 + (nowtm.tm_year / 100) * 100;
		if (year > nowtm.tm_year + 1900 + 50)
			year -= 100;
	} else if (len == 24) {
		if (!wday_ok(s, 3, wdays) || s[3] != ' ' ||
		    (tm.tm_mon = month_of(s + 4)) < 0 || s[7] != ' ' ||
		    !(s[8] == ' ' ? digits(s + 9, 1, &mday) : digits(s + 8, 2, &mday)) ||
		    s[10] != ' ' || !hms(s + 11, &tm) || s[19] != ' ' ||
		    !digits(s + 20, 4, &year))
			return 0;
	} else
		return 0;
	if (mday < 1 || mday > 31 || year < 1970)
		return 0;
	tm.tm_mday = mday;
	tm.tm_year = year - 1900;
	if (tm.tm_sec == 60)
		tm.tm_sec = 59;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != mday)
		return 0;
	*out = t;
	return 1;
}

int64_t
acme_retry_after_parse(const char *v, time_t now)
{
	int64_t	d = 0;
	time_t	t;

	if (*v >= '0' && *v <= '9') {
		for (; *v >= '0' && *v <= '9'; v++)
			if ((d = d * 10 + (*v - '0')) > INT32_MAX)
				d = INT32_MAX;
		return *v == '\0' ? d : -1;
	}
	if (!http_date(v, now, &t))
		return -1;
	if (t <= now)
		return 0;
	return t - now > INT32_MAX ? INT32_MAX : (int64_t)(t - now);
}

/* --- problem documents --------------------------------------------------------- */

enum problem_type
acme_problem_type(const char *type)
{
	if (strncmp(type, ACME_URN, strlen(ACME_URN)) != 0)
		return PROB_NONE;
	return problem_type_parse(type);
}

void
acme_problem_parse(struct json_object *o, int status, struct problem *p)
{
	struct json_object	*subs, *s, *id;
	const char		*type, *detail, *itype, *ivalue;
	char			 raw[PROBLEM_DETAIL_MAX + ACME_PROBLEM_TYPE_MAX + 8];
	char			 text[PROBLEM_DETAIL_MAX], st[IDENT_MAX + 1], sv[IDENT_MAX + 1];
	enum problem_type	 t;
	int64_t			 n;
	size_t			 i, len;

	if (json_get_string(o, "type", ACME_PROBLEM_TYPE_MAX, &type) != JGET_OK)
		type = "about:blank";
	if (json_get_string(o, "detail", ACME_BODY_MAX, &detail) != JGET_OK)
		detail = "";
	if (status == 0 && json_get_int(o, "status", 100, 599, &n) == JGET_OK)
		status = (int)n;
	if ((t = acme_problem_type(type)) == PROB_NONE) {
		t = PROB_SERVER_INTERNAL;
		snprintf(raw, sizeof(raw), "%s: %.*s", type, PROBLEM_DETAIL_MAX, detail);
		detail = raw;
	}
	acme_text_copy(text, sizeof(text), detail);
	problem_set_status(p, t, status != 0 ? status : problem_type_status(t),
	    "%s", text);
	if (json_get_array(o, "subproblems", SIZE_MAX, &subs) != JGET_OK)
		return;
	len = json_object_array_length(subs);
	for (i = 0; i < len && p->nsub < PROBLEM_SUB_MAX; i++) {
		s = json_object_array_get_idx(subs, i);
		if (!json_object_is_type(s, json_type_object))
			continue;
		if (json_get_string(s, "type", ACME_PROBLEM_TYPE_MAX, &type) != JGET_OK ||
		    (t = acme_problem_type(type)) == PROB_NONE)
			t = PROB_SERVER_INTERNAL;
		if (json_get_string(s, "detail", ACME_BODY_MAX, &detail) != JGET_OK)
			detail = "";
		itype = ivalue = "";
		if (json_get_object(s, "identifier", &id) == JGET_OK &&
		    (json_get_string(id, "type", IDENT_MAX, &itype) != JGET_OK ||
		    json_get_string(id, "value", IDENT_MAX, &ivalue) != JGET_OK))
			itype = ivalue = "";
		acme_text_copy(text, sizeof(text), detail);
		acme_text_copy(st, sizeof(st), itype);
		acme_text_copy(sv, sizeof(sv), ivalue);
		if (!problem_add_sub(p, t, st, sv, text))
			break;
	}
}

