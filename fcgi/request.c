/*
 * request.c - FastCGI (or CGI) request in, response out.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fcgi.h"
#include "json.h"
#include "log.h"

/* Longest request URI we look at. */
#define URI_MAX		4096
/* Body bytes we read and discard to keep a connection in sync. */
#define DRAIN_MAX	(64u << 20)

static const char *
param(struct io *io, const char *name)
{
	if (io->fcgi != NULL)
		return FCGX_GetParam(name, io->fcgi->envp);
	return getenv(name);
}

static size_t
io_read(struct io *io, void *buf, size_t n)
{
	size_t got;

	if (io->fcgi != NULL) {
		int r = FCGX_GetStr(buf, (int)n, io->fcgi->in);
		got = r > 0 ? (size_t)r : 0;
	} else
		got = fread(buf, 1, n, stdin);
	io->nread += got;
	return got;
}

static int
io_write(struct io *io, const void *buf, size_t n)
{
	if (n == 0)
		return 1;
	if (io->fcgi != NULL)
		return FCGX_PutStr(buf, (int)n, io->fcgi->out) == (int)n;
	return fwrite(buf, 1, n, stdout) == n;
}

void
req_drain(struct io *io)
{
	char		 buf[8192];
	size_t		 total = 0, n, want = sizeof(buf);
	unsigned long	 cl = 0;
	const char	*v;
	char		*end;

	if (io->fcgi == NULL) {
		/* CGI: the body is CONTENT_LENGTH bytes, no EOF promised. */
		if ((v = getenv("CONTENT_LENGTH")) == NULL || !isdigit((unsigned char)*v))
			return;
		errno = 0;
		cl = strtoul(v, &end, 10);
		if (*end != '\0' || errno != 0)
			return;
	}
	while (total < DRAIN_MAX) {
		if (io->fcgi == NULL) {
			if (io->nread >= cl)
				break;
			want = cl - io->nread < sizeof(buf) ? cl - io->nread : sizeof(buf);
		}
		if ((n = io_read(io, buf, want)) == 0)
			break;
		total += n;
	}
}

static char *
dupparam(struct io *io, const char *name, size_t max)
{
	const char *v = param(io, name);

	if (v == NULL || strlen(v) > max)
		return NULL;
	return strdup(v);
}

/* Sets path, query and url from the request URI and the configured base. */
static int
req_path(struct io *io, const struct config *cfg, struct req *r)
{
	const char	*uri = param(io, "REQUEST_URI");
	char		*q, *raw = NULL;
	size_t		 blen = strlen(cfg->base_path), len;

	if (uri != NULL && strlen(uri) <= URI_MAX)
		raw = strdup(uri);
	else if (uri == NULL) {
		/* No REQUEST_URI (some CGI hosts): SCRIPT_NAME + PATH_INFO. */
		const char *sn = param(io, "SCRIPT_NAME"), *pi = param(io, "PATH_INFO");
		struct buf b = { 0 };

		buf_puts(&b, sn != NULL ? sn : "");
		buf_puts(&b, pi != NULL ? pi : "");
		if (b.oom || b.len > URI_MAX) {
			buf_free(&b);
			return 1;
		}
		raw = b.p;
	}
	if (raw == NULL)
		return 1;
	if ((q = strchr(raw, '?')) != NULL) {
		*q++ = '\0';
		if ((r->query = strdup(q)) == NULL)
			goto oom;
	}
	/* Only requests below the base URL's path are ours. */
	if (strncmp(raw, cfg->base_path, blen) != 0 || raw[blen] != '/') {
		free(raw);
		return 1;
	}
	if ((r->path = strdup(raw + blen)) == NULL)
		goto oom;
	len = strlen(cfg->base_url) + strlen(r->path) +
	    (r->query != NULL ? strlen(r->query) + 1 : 0) + 1;
	if ((r->url = malloc(len)) == NULL)
		goto oom;
	snprintf(r->url, len, "%s%s%s%s", cfg->base_url, r->path,
	    r->query != NULL ? "?" : "", r->query != NULL ? r->query : "");
	free(raw);
	return 1;
oom:
	free(raw);
	return 0;
}

static int
req_body(struct io *io, const struct config *cfg, struct req *r)
{
	const char	*cl = param(io, "CONTENT_LENGTH");
	unsigned long	 want = 0;
	char		*end;
	size_t		 cap, n;

	if (cl != NULL && *cl != '\0') {
		errno = 0;
		want = strtoul(cl, &end, 10);
		if (!isdigit((unsigned char)*cl) || *end != '\0' || errno != 0) {
			r->too_large = 1;	/* unparseable: refuse, read nothing */
			return 1;
		}
		if (want > cfg->max_body) {
			r->too_large = 1;
			return 1;
		}
	} else if (r->method != HTTP_POST)
		return 1;
	/* Without a length, read to EOF but no further than the limit. */
	cap = cl != NULL && *cl != '\0' ? want : cfg->max_body + 1;
	if ((r->body = malloc(cap + 1)) == NULL)
		return 0;
	while (r->body_len < cap &&
	    (n = io_read(io, r->body + r->body_len, cap - r->body_len)) > 0)
		r->body_len += n;
	r->body[r->body_len] = '\0';
	if (r->body_len > cfg->max_body)
		r->too_large = 1;
	return 1;
}

int
req_read(struct io *io, const struct config *cfg, struct req *r)
{
	const char *m = param(io, "REQUEST_METHOD"), *ra;

	memset(r, 0, sizeof(*r));
	if (m == NULL)
		return 0;
	snprintf(r->method_name, sizeof(r->method_name), "%s", m);
	if (strcmp(m, "GET") == 0)
		r->method = HTTP_GET;
	else if (strcmp(m, "HEAD") == 0)
		r->method = HTTP_HEAD;
	else if (strcmp(m, "POST") == 0)
		r->method = HTTP_POST;
	else
		r->method = HTTP_OTHER;
	if ((ra = param(io, "REMOTE_ADDR")) != NULL)
		snprintf(r->remote, sizeof(r->remote), "%s", ra);
	r->content_type = dupparam(io, "CONTENT_TYPE", 256);
	r->accept = dupparam(io, "HTTP_ACCEPT", 1024);
	if (!req_path(io, cfg, r) || !req_body(io, cfg, r)) {
		req_free(r);
		return 0;
	}
	return 1;
}

void
req_free(struct req *r)
{
	free(r->path);
	free(r->query);
	free(r->url);
	free(r->content_type);
	free(r->accept);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void
resp_init(struct resp *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->status = 200;
}

void
resp_header(struct resp *rs, const char *name, const char *fmt, ...)
{
	char	value[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	/* Header values never carry line breaks (response splitting). */
	for (char *p = value; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	buf_printf(&rs->headers, "%s: %s\r\n", name, value);
}

void
resp_json(struct resp *rs, int status, struct json_object *obj)
{
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	if (obj == NULL) {
		rs->status = 500;
		rs->content_type = "application/problem+json";
		buf_puts(&rs->body, "{\"type\":\"urn:ietf:params:acme:error:serverInternal\","
		    "\"detail\":\"out of memory\",\"status\":500}");
		return;
	}
	buf_puts(&rs->body, json_out(obj));
	buf_puts(&rs->body, "\n");
	json_object_put(obj);
}

void
resp_problem(struct resp *rs, const struct problem *p)
{
	resp_json(rs, p->status, problem_to_json(p));
	rs->status = p->status;
	rs->content_type = "application/problem+json";
}

void
resp_reset(struct resp *rs)
{
	rs->status = 200;
	rs->content_type = NULL;
	buf_reset(&rs->headers);
	buf_reset(&rs->body);
}

void
resp_free(struct resp *rs)
{
	buf_free(&rs->headers);
	buf_free(&rs->body);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

int
resp_write(struct io *io, const struct req *r, const struct resp *rs)
{
	struct buf	head = { 0 };
	int		ok;

	if (rs->headers.oom || rs->body.oom) {
		const char *oom = "Status: 500 Internal Server Error\r\n\r\n";
		return io_write(io, oom, strlen(oom));
	}
	buf_printf(&head, "Status: %d %s\r\n", rs->status, reason(rs->status));
	if (rs->content_type != NULL)
		buf_printf(&head, "Content-Type: %s\r\n", rs->content_type);
	if (rs->content_type != NULL || rs->status != 204)
		buf_printf(&head, "Content-Length: %zu\r\n", rs->body.len);
	if (rs->headers.len > 0)
		buf_append(&head, rs->headers.p, rs->headers.len);
	buf_puts(&head, "\r\n");
	ok = !head.oom && io_write(io, head.p, head.len);
	if (ok && r->method != HTTP_HEAD && rs->body.len > 0)
		ok = io_write(io, rs->body.p, rs->body.len);
	buf_free(&head);
	if (io->fcgi == NULL)
		fflush(stdout);
	return ok;
}
