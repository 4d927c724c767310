/*
 * h_nonce.c - newNonce (RFC 8555 §7.2): HEAD 200, GET 204, no body.  The
 * router adds Replay-Nonce and Cache-Control: no-store to every response.
 */
#include "autoconfig.h"

#include "fcgi.h"

int
h_new_nonce(struct ctx *c)
{
	c->resp->status = c->req->method == HTTP_HEAD ? 200 : 204;
	return 1;
}
