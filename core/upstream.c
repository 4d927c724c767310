/*
 * upstream.c - managed ACME (upstream.h): which managed challenge answers
 * for an identifier, and the job that fills an order at the upstream CA.
 *
 * The job is written to be interrupted anywhere and run again: what the
 * upstream must not see twice (the account, the order) is recorded before
 * it is used, everything else (authorizations, challenges, finalize,
 * download) is read back from the upstream order, which says how far it
 * got.
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme_client.h"
#include "ca.h"
#include "config.h"
#include "csr.h"
#include "ident.h"
#include "json.h"
#include "key.h"
#include "log.h"
#include "order.h"
#include "policy.h"
#include "problem.h"
#include "revoke.h"
#include "solver.h"
#include "upstream.h"

/* The longest one poll of the upstream may wait, in seconds. */
#define UPSTREAM_POLL_MAX	300

const struct db_mchall *
upstream_mchall_for(const struct db_mchall *mcs, size_t n,
    const struct identifier *id)
{
	if (id->type != IDENT_DNS)
		return NULL;
	/* Rules match as a template's do: "*.S" also matches "*.B" below S. */
	for (size_t i = 0; i < n; i++) {
		/* dns-01 is the only challenge for a wildcard (RFC 8555 §7.1.3). */
		if (id->wildcard && strcmp(mcs[i].type, "dns-01") != 0)
			continue;
		for (size_t r = 0; mcs[i].rules != NULL && mcs[i].rules[r] != NULL; r++)
			if (ident_rule_match(mcs[i].rules[r], id))
				return &mcs[i];
	}
	return NULL;
}

/* The managed challenges that an identifier is asked about, and how many. */
struct mchall_set {
	const struct db_mchall	*v;
	size_t			 n;
};

/* policy_refuse_each()'s question: why no managed challenge answers for id. */
static const char *
unanswered(const struct identifier *id, const void *arg)
{
	const struct mchall_set *set = arg;

	if (upstream_mchall_for(set->v, set->n, id) != NULL)
		return NULL;
	if (id->type != IDENT_DNS)
		return "this endpoint orders from an upstream CA, which is asked "
		    "for DNS names only";
	if (set->n == 0)
		return "this account may use no managed challenge";
	if (id->wildcard)
		return "no dns-01 managed challenge this account may use answers "
		    "for this wildcard's name";
	return "no managed challenge this account may use answers for this name";
}

int
upstream_authorize(const struct db_mchall *mcs, size_t n,
    const struct identifier *ids, size_t nids, struct problem *p)
{
	struct mchall_set set = { mcs, n };

	return policy_refuse_each(ids, nids, unanswered, &set,
	    " cannot be validated at the upstream CA",
	    "s cannot be validated at the upstream CA", p);
}

/* --- the job ------------------------------------------------------------------ */

/* What one attempt works with. */
struct up {
	struct job_run		*run;
	struct db_order		 o;
	struct db_upstream_order uo;
	struct db_account	 acct;
	struct db_policy	 pol;
	struct db_upstream	 up;
	struct db_mchall	*mcs;
	size_t			 nmcs;
	struct identifier	*ids;
	size_t			 nids;
	struct csr		 csr;
	struct key		 key;
	int			 key_loaded;
	struct acme_client	*c;
};

/* Whether the upstream's problem p may pass if we try again later. */
static int
transient(const struct problem *p)
{
	switch (p->type) {
	case PROB_CONNECTION:
	case PROB_TLS:
	case PROB_SERVER_INTERNAL:
	case PROB_RATE_LIMITED:
	case PROB_BAD_NONCE:
		return 1;
	default:
		return p->status >= 500;
	}
}

/*
 * Prefixes p's detail with what we were doing and the upstream's name, and
 * tells retry from failure.
 */
static enum job_result
upstream_fail(struct up *u, struct problem *p, const char *doing)
{
	char	detail[PROBLEM_DETAIL_MAX];
	int	n;

	if (u->run->lost || (u->run->stop != NULL && *u->run->stop))
		return JOB_R_STOPPED;
	n = snprintf(detail, sizeof(detail), "upstream \"%s\": %s: %s%s", u->up.name,
	    doing, problem_type_name(p->type) != NULL ? problem_type_name(p->type) :
	    "error", p->detail[0] != '\0' ? ": " : "");
	/* As much of the upstream's words as fits. */
	if (n > 0 && (size_t)n < sizeof(detail))
		snprintf(detail + n, sizeof(detail) - (size_t)n, "%.*s",
		    (int)(sizeof(detail) - (size_t)n - 1), p->detail);
	memcpy(p->detail, detail, sizeof(detail));
	return transient(p) ? JOB_R_RETRY : JOB_R_FAILED;
}

/* A failure on our side, for good. */
static enum job_result
local_fail(struct up *u, struct problem *p, enum problem_type t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum job_result
local_fail(struct up *u, struct problem *p, enum problem_type t, const char *fmt, ...)
{
	char	detail[PROBLEM_DETAIL_MAX - 64];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	problem_set(p, t, "upstream \"%s\": %s", u->up.name, detail);
	return JOB_R_FAILED;
}

static void
up_free(struct up *u)
{
	acme_client_free(u->c);
	if (u->key_loaded)
		key_free(&u->key);
	csr_free(&u->csr);
	free(u->ids);
	db_mchalls_free(u->mcs, u->nmcs);
	db_upstream_free(&u->up);
	db_policy_free(&u->pol);
	db_account_free(&u->acct);
	db_upstream_order_free(&u->uo);
	db_order_free(&u->o);
}

/* Seconds left before the job's deadline, at most cap, at least 1. */
static unsigned
left(const struct up *u, unsigned cap)
{
	time_t l = (time_t)u->run->job.deadline - time(NULL);

	if (l < 1)
		return 1;
	return l > (time_t)cap ? cap : (unsigned)l;
}

/*
 * Reads what the job works on.  Returns 1; 0 with p for a failure; -1 when
 * the order needs nothing more (it is no longer processing).
 */
static int
up_load(struct up *u, struct problem *p)
{
	struct db	*db = u->run->db;

	if (db_order_by_id(db, u->run->job.ref_id, &u->o) != DB_OK)
		return problem_set(p, PROB_SERVER_INTERNAL, "order %lld unreadable",
		    (long long)u->run->job.ref_id);
	if (u->o.status != ORDER_PROCESSING)
		return -1;
	if (db_upstream_order_get(db, u->o.id, &u->uo) != DB_OK ||
	    db_account_by_id(db, u->o.account_id, &u->acct) != DB_OK ||
	    db_upstream_get(db, u->uo.upstream_id, &u->up) != DB_OK)
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "the upstream order of order %s is unreadable", u->o.uid);
	if (db_policy_get(db, u->acct.endpoint_id, &u->pol) != DB_OK ||
	    db_mchalls_usable(db, u->acct.eab_key_id, &u->mcs, &u->nmcs) != DB_OK ||
	    (u->ids = order_ids_parse(u->o.identifiers, &u->nids)) == NULL)
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "the policy of order %s is unreadable", u->o.uid);
	if (!csr_parse(u->uo.csr, u->uo.csr_len, &u->csr, p))
		return 0;
	return 1;
}

/* The client for the upstream, with its account registered once. */
static enum job_result
up_client(struct up *u, struct problem *p)
{
	struct acme_client_opts	 o;
	struct acme_account_req	 ar;
	struct acme_account	 a = { 0 };
	const char		*contact[1];
	enum db_rc		 rc;
	char			 err[PATH_MAX + 64];

	/* The order's detail does not name the file; the log line does. */
	if (key_file_safe(u->up.account_key, err, sizeof(err)) == 0) {
		log_err("upstream \"%s\": the account key file is unsafe: %s",
		    u->up.name, err);
		return local_fail(u, p, PROB_SERVER_INTERNAL,
		    "the account key file is unsafe (see the server log)");
	}
	if (!key_load(&u->key, u->up.account_key))
		return local_fail(u, p, PROB_SERVER_INTERNAL,
		    "the account key %s cannot be read", u->up.account_key);
	u->key_loaded = 1;
	memset(&o, 0, sizeof(o));
	o.directory_url = u->up.directory;
	o.key = &u->key;
	o.account_url = u->up.account_url;
	o.ca_bundle = u->up.ca_bundle;
	o.poll_max = 60;
	o.poll_total = left(u, UPSTREAM_POLL_MAX);
	o.clock.now = job_now;
	o.clock.sleep = job_sleep;
	o.clock.ctx = u->run;
	if ((u->c = acme_client_new(&o, p)) == NULL)
		return upstream_fail(u, p, "client");
	if (u->up.account_url != NULL)
		return JOB_R_DONE;
	memset(&ar, 0, sizeof(ar));
	if (u->up.contact != NULL) {
		contact[0] = u->up.contact;
		ar.contact = contact;
		ar.ncontact = 1;
	}
	ar.agree_tos = 1;
	ar.eab_kid = u->up.eab_kid;
	ar.eab_hmac = u->up.eab_hmac;
	if (!acme_client_account(u->c, &ar, &a, p))
		return upstream_fail(u, p, "newAccount");
	if (!db_begin(u->run->db))
		rc = DB_ERROR;
	else if ((rc = db_upstream_set_account(u->run->db, u->up.id, a.url)) != DB_OK ||
	    !db_commit(u->run->db)) {
		db_rollback(u->run->db);
		rc = DB_ERROR;
	}
	if (rc == DB_OK)
		log_info("upstream %s: account %s", u->up.name, a.url);
	acme_account_free(&a);
	/* Not recorded: the next attempt finds the same account again. */
	if (rc != DB_OK) {
		problem_set(p, PROB_SERVER_INTERNAL, "database busy");
		return JOB_R_RETRY;
	}
	return JOB_R_DONE;
}

/* The upstream order: placed once and recorded, or fetched. */
static enum job_result
up_order(struct up *u, struct acme_order *ao, struct problem *p)
{
	struct acme_order_req	r;
	enum db_rc		rc = DB_ERROR;

	if (u->uo.url != NULL) {
		if (!acme_client_order_get(u->c, u->uo.url, ao, p))
			return upstream_fail(u, p, "order");
		return JOB_R_DONE;
	}
	memset(&r, 0, sizeof(r));
	r.ids = u->ids;
	r.nids = u->nids;
	r.not_before = (time_t)u->o.not_before;
	r.not_after = (time_t)u->o.not_after;
	/* The profile the upstream was added with (draft-ietf-acme-profiles). */
	r.profile = u->up.profile;
	if (!acme_client_order_new(u->c, &r, ao, p))
		return upstream_fail(u, p, "newOrder");
	/*
	 * If this is lost, the next attempt places a new order; the one
	 * placed here expires unused at the upstream.  So is it when the
	 * job went to another runner meanwhile (which may have placed and
	 * recorded one of its own): its order is not replaced under it.
	 */
	job_keep(u->run);
	if (u->run->lost)
		return JOB_R_STOPPED;
	if (db_begin(u->run->db)) {
		rc = db_upstream_order_set_url(u->run->db, u->o.id, ao->url);
		if (rc != DB_OK || !db_commit(u->run->db)) {
			db_rollback(u->run->db);
			rc = DB_ERROR;
		}
	}
	if (rc != DB_OK) {
		problem_set(p, PROB_SERVER_INTERNAL, "database busy");
		return JOB_R_RETRY;
	}
	log_info("order %s: placed at upstream %s as %s", u->o.uid, u->up.name,
	    ao->url);
	return JOB_R_DONE;
}

/* One pending upstream authorization being answered. */
struct pending {
	struct acme_authz	 authz;
	const struct db_mchall	*mc;
	char			*token;		/* the challenge's: the authorization */
	char			*url;		/* is refreshed while it is answered */
	struct solver		 s;
	char			 value[ACME_TOKEN_MAX + 64];
	int			 deployed;
	int			 respond;	/* the challenge is pending */
};

static void
solver_of(const struct db_mchall *mc, const struct config *cfg, struct solver *s)
{
	memset(s, 0, sizeof(*s));
	s->name = mc->name;
	s->rfc2136_prog = cfg->rfc2136_solver;
	if (strcmp(mc->solver, "rfc2136") == 0)
		s->kind = SOLVER_RFC2136;
	else if (strcmp(mc->solver, "webroot") == 0)
		s->kind = SOLVER_WEBROOT;
	else
		s->kind = SOLVER_HOOK;
	s->type = mc->type;
	s->hook = mc->hook;
	s->server = mc->server;
	s->port = mc->port;
	s->tsig_key = mc->tsig_key;
	s->zone = mc->zone;
	s->webroot = mc->webroot;
	s->propagation_wait = mc->propagation_wait;
	s->propagation_check = mc->propagation_check;
}

/* Runs the solver of a deployed or to-be-deployed response; logs its output. */
static int
solve(struct up *u, struct pending *pa, enum solver_op op, struct problem *p)
{
	struct buf	out = { NULL, 0, 0, 0 };
	int		ok;

	ok = solver_run(&pa->s, op, pa->authz.id.value, pa->token, pa->value,
	    &out, p);
	if (out.len > 0)
		log_info("order %s: managed challenge %s (%s %s): %.*s", u->o.uid,
		    pa->mc->name, op == SOLVER_DEPLOY ? "deploy" : "clean",
		    pa->authz.id.value, (int)out.len, out.p);
	buf_free(&out);
	return ok;
}

/*
 * Answers every pending authorization of the upstream order: deploys
 * each response, waits for DNS, asks the upstream to validate them all,
 * waits for each, and cleans every response it deployed, whatever
 * happened.
 */
static enum job_result
up_authorize(struct up *u, const struct acme_order *ao, struct problem *p)
{
	struct pending		*pa;
	struct acme_chall	 ch = { 0 };
	const struct acme_chall	*ch0;
	struct problem		 cp = { 0 };
	enum job_result		 res = JOB_R_DONE;
	size_t			 n = 0, i;

	if ((pa = calloc(ao->nauthzs, sizeof(*pa))) == NULL) {
		problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
		return JOB_R_RETRY;
	}
	for (i = 0; i < ao->nauthzs && res == JOB_R_DONE; i++) {
		struct pending *a = &pa[n];

		/*
		 * A hook or a request renews no lease: it is renewed between
		 * them, or another runner could take the job over and answer
		 * the same challenges while this one goes on.
		 */
		if (!job_keep(u->run)) {
			res = JOB_R_STOPPED;
			break;
		}
		if (!acme_client_authz_get(u->c, ao->authzs[i], &a->authz, p)) {
			res = upstream_fail(u, p, "authorization");
			break;
		}
		if (a->authz.status == ACME_VALID) {
			acme_authz_free(&a->authz);
			continue;
		}
		n++;
		if (a->authz.status != ACME_PENDING) {
			res = local_fail(u, p, PROB_SERVER_INTERNAL,
			    "the authorization of %s is %s", a->authz.id.value,
			    acme_status_name(a->authz.status));
			break;
		}
		{
			struct identifier id = a->authz.id;

			/* The authorization names a wildcard's base name. */
			if (a->authz.wildcard) {
				id.wildcard = 1;
				if (snprintf(id.value, sizeof(id.value), "*.%s",
				    a->authz.id.value) >= (int)sizeof(id.value))
					id.type = IDENT_IP;	/* matches nothing */
			}
			a->mc = upstream_mchall_for(u->mcs, u->nmcs, &id);
		}
		if (a->mc == NULL) {
			res = local_fail(u, p, PROB_REJECTED_IDENTIFIER,
			    "no managed challenge this account may use answers "
			    "for %s%s", a->authz.wildcard ? "*." : "", a->authz.id.value);
			break;
		}
		if ((ch0 = acme_authz_chall(&a->authz, a->mc->type)) == NULL ||
		    ch0->token == NULL) {
			res = local_fail(u, p, PROB_SERVER_INTERNAL,
			    "the upstream offers no %s challenge for %s (managed "
			    "challenge \"%s\")", a->mc->type, a->authz.id.value,
			    a->mc->name);
			break;
		}
		/*
		 * One an earlier attempt responded to is being validated: a
		 * second response is refused (malformed), but its record is
		 * still looked for.
		 */
		a->respond = ch0->status == ACME_PENDING;
		if ((a->token = strdup(ch0->token)) == NULL ||
		    (a->url = strdup(ch0->url)) == NULL) {
			problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
			res = JOB_R_RETRY;
			break;
		}
		if (strcmp(a->mc->type, "dns-01") == 0) {
			if (!acme_client_dns01_value(u->c, a->token, a->value))
				res = local_fail(u, p, PROB_SERVER_INTERNAL,
				    "unusable challenge token");
			a->value[43] = '\0';
		} else {
			char *ka = acme_client_key_authz(u->c, a->token);

			if (ka == NULL || strlen(ka) >= sizeof(a->value))
				res = local_fail(u, p, PROB_SERVER_INTERNAL,
				    "unusable challenge token");
			else
				snprintf(a->value, sizeof(a->value), "%s", ka);
			free(ka);
		}
		if (res != JOB_R_DONE)
			break;
		solver_of(a->mc, u->run->cfg, &a->s);
		if (!solve(u, a, SOLVER_DEPLOY, p)) {
			res = local_fail(u, p, PROB_SERVER_INTERNAL, "%s", p->detail);
			break;
		}
		a->deployed = 1;
	}
	/*
	 * DNS first: every record where the upstream will look.  A wait
	 * begins only while the job goes on: job_now() jumps ahead when a
	 * stop comes, so a wait begun after it would not end at once.
	 */
	for (i = 0; i < n && res == JOB_R_DONE; i++) {
		if (strcmp(pa[i].mc->type, "dns-01") != 0)
			continue;
		if (!job_keep(u->run))
			res = JOB_R_STOPPED;
		else if (!solver_propagated(&pa[i].s, pa[i].authz.id.value,
		    pa[i].value, left(u, UPSTREAM_POLL_MAX), job_wait, u->run, p))
			res = job_keep(u->run) ? local_fail(u, p, PROB_DNS, "%s",
			    p->detail) : JOB_R_STOPPED;
	}
	for (i = 0; i < n && res == JOB_R_DONE; i++) {
		if (!pa[i].respond)
			continue;
		if (!job_keep(u->run))
			res = JOB_R_STOPPED;
		else if (!acme_client_chall_respond(u->c, pa[i].url, &ch, p))
			res = upstream_fail(u, p, "challenge");
		acme_chall_free(&ch);
	}
	for (i = 0; i < n && res == JOB_R_DONE; i++) {
		if (!job_keep(u->run))
			res = JOB_R_STOPPED;
		else if (!acme_client_authz_wait(u->c, &pa[i].authz, p)) {
			/* Still pending after the poll: look again next time. */
			if (pa[i].authz.status == ACME_PENDING)
				res = upstream_fail(u, p, "authorization");
			else
				res = local_fail(u, p, p->type == PROB_NONE ?
				    PROB_INCORRECT_RESPONSE : p->type,
				    "the %s challenge for %s failed: %s",
				    pa[i].mc->type, pa[i].authz.id.value, p->detail);
		}
	}
	for (i = 0; i < n; i++) {
		/* Cleaned whatever happened, the lease kept while it can be. */
		job_keep(u->run);
		if (pa[i].deployed && !solve(u, &pa[i], SOLVER_CLEAN, &cp))
			log_warn("order %s: managed challenge %s: clean: %s",
			    u->o.uid, pa[i].mc->name, cp.detail);
		acme_authz_free(&pa[i].authz);
		free(pa[i].token);
		free(pa[i].url);
	}
	problem_clear(&cp);
	free(pa);
	return res;
}

/* Stores the certificate of the valid upstream order; the order turns valid. */
static enum job_result
up_store(struct up *u, const struct acme_order *ao, struct problem *p)
{
	struct acme_chains		 cs = { NULL, 0 };
	const struct acme_chain		*pick;
	struct ca_name			*names = NULL;
	struct ca_upstream_leaf		 leaf;
	struct db_cert			 cert;
	struct json_object		*jn = NULL;
	char				 why[128];
	enum job_result			 res = JOB_R_FAILED;
	struct db			*db = u->run->db;

	memset(&leaf, 0, sizeof(leaf));
	memset(&cert, 0, sizeof(cert));
	if (ao->certificate == NULL)
		return local_fail(u, p, PROB_SERVER_INTERNAL,
		    "the valid order names no certificate");
	if (!acme_client_cert(u->c, ao->certificate, &cs, p))
		return upstream_fail(u, p, "certificate");
	pick = acme_chains_pick(&cs, u->up.preferred_chain);
	if ((names = calloc(u->nids, sizeof(*names))) == NULL ||
	    (jn = json_object_new_array_ext((int)u->nids)) == NULL) {
		problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
		res = JOB_R_RETRY;
		goto out;
	}
	for (size_t i = 0; i < u->nids; i++) {
		names[i].type = u->ids[i].type == IDENT_IP ? CA_NAME_IP : CA_NAME_DNS;
		names[i].value = u->ids[i].value;
		json_object_array_add(jn, json_object_new_string(u->ids[i].value));
	}
	if (!ca_upstream_leaf(pick->pem, u->csr.pub, names, u->nids, &leaf, why,
	    sizeof(why))) {
		res = local_fail(u, p, PROB_SERVER_INTERNAL,
		    "the certificate it issued is refused: %s", why);
		goto out;
	}
	if (!ident_new(cert.uid) || (cert.names = strdup(json_out_compact(jn))) == NULL) {
		problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
		res = JOB_R_RETRY;
		goto out;
	}
	snprintf(cert.serial, sizeof(cert.serial), "%s", leaf.serial);
	cert.order_id = u->o.id;
	cert.account_id = u->acct.id;
	cert.endpoint_id = u->acct.endpoint_id;
	cert.application_id = u->pol.application_id;
	cert.template_id = u->pol.template_id;
	snprintf(cert.tag, sizeof(cert.tag), "%s", u->pol.tag);
	cert.upstream_id = u->up.id;
	snprintf(cert.key_type, sizeof(cert.key_type), "%s",
	    key_type_name(u->csr.key_type));
	cert.not_before = leaf.not_before;
	cert.not_after = leaf.not_after;
	cert.pem = leaf.leaf_pem;
	cert.chain = leaf.chain_pem;
	cert.created = time(NULL);
	res = JOB_R_RETRY;
	problem_set(p, PROB_SERVER_INTERNAL, "database busy");
	if (!job_keep(u->run)) {
		res = JOB_R_STOPPED;
		goto out;
	}
	/* The certificate, the order and the job: all or nothing. */
	if (!db_begin(db))
		goto out;
	if (db_cert_insert(db, &cert) != DB_OK ||
	    db_order_set_status(db, u->o.id, ORDER_PROCESSING, ORDER_VALID,
	    NULL) != DB_OK ||
	    db_job_done(db, u->run->job.id, u->run->owner, cert.created) != DB_OK ||
	    !db_commit(db)) {
		db_rollback(db);
		goto out;
	}
	problem_clear(p);
	log_info("order %s: certificate %s from upstream %s for account %s",
	    u->o.uid, cert.serial, u->up.name, u->acct.uid);
	res = JOB_R_DONE;
out:
	json_object_put(jn);
	free(cert.names);
	free(names);
	ca_upstream_leaf_free(&leaf);
	acme_chains_free(&cs);
	return res;
}

enum job_result
upstream_job(struct job_run *r, struct problem *p)
{
	struct up		 u;
	struct acme_order	 ao = { 0 };
	enum job_result		 res;
	int			 rc;

	memset(&u, 0, sizeof(u));
	u.run = r;
	if ((rc = up_load(&u, p)) <= 0) {
		up_free(&u);
		if (rc < 0) {
			/* Ended otherwise (by the deadline sweep): nothing to do. */
			problem_clear(p);
			if (db_begin(r->db) && db_job_done(r->db, r->job.id, r->owner,
			    time(NULL)) == DB_OK && db_commit(r->db))
				return JOB_R_DONE;
			db_rollback(r->db);
			return JOB_R_RETRY;
		}
		return JOB_R_FAILED;
	}
	if ((res = up_client(&u, p)) != JOB_R_DONE ||
	    (res = up_order(&u, &ao, p)) != JOB_R_DONE)
		goto out;
	if (ao.status == ACME_PENDING) {
		char *url;

		if ((res = up_authorize(&u, &ao, p)) != JOB_R_DONE)
			goto out;
		if (!job_keep(r)) {
			res = JOB_R_STOPPED;
			goto out;
		}
		/* The order as the validations left it (ready, or invalid). */
		url = ao.url;
		ao.url = NULL;
		acme_order_free(&ao);
		rc = acme_client_order_get(u.c, url, &ao, p);
		free(url);
		if (!rc) {
			res = upstream_fail(&u, p, "order");
			goto out;
		}
	}
	if (ao.status == ACME_READY && !acme_client_finalize(u.c, &ao,
	    u.uo.csr, u.uo.csr_len, p)) {
		res = upstream_fail(&u, p, "finalize");
		goto out;
	}
	if (ao.status == ACME_PROCESSING && !job_keep(r)) {
		res = JOB_R_STOPPED;
		goto out;
	}
	if (ao.status == ACME_PROCESSING && !acme_client_order_wait(u.c, &ao, p)) {
		res = ao.status == ACME_PROCESSING ? upstream_fail(&u, p, "order") :
		    local_fail(&u, p, p->type, "the order failed: %s", p->detail);
		goto out;
	}
	switch (ao.status) {
	case ACME_VALID:
		res = up_store(&u, &ao, p);
		break;
	case ACME_INVALID:
		res = local_fail(&u, p, ao.error.type != PROB_NONE ? ao.error.type :
		    PROB_SERVER_INTERNAL, "the order is invalid%s%s",
		    ao.error.detail[0] != '\0' ? ": " : "", ao.error.detail);
		break;
	default:
		res = local_fail(&u, p, PROB_SERVER_INTERNAL, "the order is %s",
		    acme_status_name(ao.status));
	}
out:
	acme_order_free(&ao);
	up_free(&u);
	return res;
}

int
upstream_job_failed(struct db *db, int64_t order_id, const struct problem *p)
{
	struct json_object	*err;
	enum db_rc		 rc;

	if ((err = problem_to_json(p)) == NULL)
		return 0;
	/* The client's order keeps what the upstream said; status is ours. */
	json_object_object_del(err, "status");
	rc = db_order_set_status(db, order_id, ORDER_PROCESSING, ORDER_INVALID,
	    json_out_compact(err));
	json_object_put(err);
	/* DB_NOTFOUND: the order ended already. */
	return rc != DB_ERROR;
}

/* --- revocation ------------------------------------------------------------------ */

int
upstream_revoke_send(struct acme_client *c, const uint8_t *der, size_t len,
    int reason, struct problem *p)
{
	if (acme_client_revoke(c, der, len, reason, p))
		return 1;
	if (p->type != PROB_BAD_REVOCATION_REASON || reason == REVOKE_REASON_NONE)
		return 0;
	log_warn("upstream revokeCert: reason %d refused (%s); sent again without one",
	    reason, p->detail);
	return acme_client_revoke(c, der, len, REVOKE_REASON_NONE, p);
}

/* Marks r's job done, in a transaction of its own. */
static enum job_result
revoke_done(struct job_run *r, struct problem *p)
{
	problem_clear(p);
	if (db_begin(r->db) && db_job_done(r->db, r->job.id, r->owner,
	    time(NULL)) == DB_OK && db_commit(r->db))
		return JOB_R_DONE;
	db_rollback(r->db);
	problem_set(p, PROB_SERVER_INTERNAL, "database busy");
	return JOB_R_RETRY;
}

enum job_result
upstream_revoke_job(struct job_run *r, struct problem *p)
{
	struct up	 u;
	struct db_cert	 cert;
	gnutls_datum_t	 der = { NULL, 0 };
	enum job_result	 res;

	memset(&u, 0, sizeof(u));
	u.run = r;
	switch (db_cert_by_id(r->db, r->job.ref_id, &cert)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		problem_set(p, PROB_SERVER_INTERNAL, "no certificate %lld",
		    (long long)r->job.ref_id);
		return JOB_R_FAILED;
	default:
		problem_set(p, PROB_SERVER_INTERNAL, "certificate %lld unreadable",
		    (long long)r->job.ref_id);
		return JOB_R_RETRY;
	}
	switch (db_upstream_get(r->db, cert.upstream_id, &u.up)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		problem_set(p, PROB_SERVER_INTERNAL,
		    "certificate %s: its upstream is gone", cert.serial);
		res = JOB_R_FAILED;
		goto out;
	default:
		/* A busy database is no reason to give the revocation up. */
		problem_set(p, PROB_SERVER_INTERNAL,
		    "certificate %s: its upstream is unreadable", cert.serial);
		res = JOB_R_RETRY;
		goto out;
	}
	if (!cert.revoked) {
		res = local_fail(&u, p, PROB_SERVER_INTERNAL,
		    "certificate %s is not revoked here", cert.serial);
		goto out;
	}
	if (!ca_pem_to_der(cert.pem, &der)) {
		res = local_fail(&u, p, PROB_SERVER_INTERNAL,
		    "certificate %s: stored certificate unreadable", cert.serial);
		goto out;
	}
	if ((res = up_client(&u, p)) != JOB_R_DONE)
		goto out;
	if (!job_keep(r)) {
		res = JOB_R_STOPPED;
		goto out;
	}
	if (upstream_revoke_send(u.c, der.data, der.size, cert.reason, p)) {
		log_info("certificate %s: revoked at upstream %s", cert.serial,
		    u.up.name);
		res = revoke_done(r, p);
	} else if (p->type == PROB_ALREADY_REVOKED) {
		log_info("certificate %s: revoked at upstream %s already", cert.serial,
		    u.up.name);
		res = revoke_done(r, p);
	} else
		res = upstream_fail(&u, p, "revokeCert");
out:
	/* The runner logs a failure (job_failed()), however it came. */
	gnutls_free(der.data);
	db_cert_free(&cert);
	up_free(&u);
	return res;
}
