/*
 * billing.c: the call detail record of each call (cdr/record.h), filled
 * at the call's events and handed to the engine's sink (engine_set_cdr):
 *   set-up          call_new(): identities, gateways, profiles, Call-IDs
 *   first ringing   the first 180/183 referd sends the caller (the
 *                   called party's, or Delayed Answer's 183)
 *   answer          the first 2xx referd sends the caller: what the caller
 *                   saw, so Delayed Answer moves it to the target's answer
 *   each transfer   REFER accepted (who, target, time, kind), then its
 *                   outcome (C's status, C's answer, the new party); an
 *                   INVITE with Replaces that took over one of its dialogs
 *   end             who and why, set where the call is ended; the record
 *                   goes to the sink when the call is released
 * A call has a record only when the configuration asks for one
 * (cdrDirectory or a RADIUS server set): without, nothing here allocates
 * or copies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* The role of a leg in its call's record. */
static const char *
role_of(const struct leg *l)
{
	const struct call *c = l->call;

	return l == &c->a ? "caller" : l == &c->b ? "called" : "target";
}

/* A URI's user (as on the wire: escaped) and host. */
static void
uri_parts(const osip_uri_t *u, char *user, char *host)
{
	char buf[CDR_STR];

	buf[0] = '\0';
	if (u != NULL && u->username != NULL)
		user_escaped(u->username, buf, sizeof(buf));
	cdr_copy(user, CDR_STR, buf);
	cdr_copy(host, CDR_STR, u != NULL ? u->host : NULL);
}

/* user@host of a name-addr or URI text into buf (CDR_LONG). */
static void
party_of(const char *text, char *buf)
{
	osip_from_t *f = NULL;
	char u[CDR_STR], h[CDR_STR], out[2 * CDR_STR + 2];

	buf[0] = '\0';
	if (text == NULL || osip_from_init(&f) != 0)
		return;
	if (osip_from_parse(f, text) == 0 && f->url != NULL) {
		uri_parts(f->url, u, h);
		snprintf(out, sizeof(out), "%s%s%s", u, u[0] ? "@" : "", h);
		cdr_copy(buf, CDR_LONG, out);
	}
	osip_from_free(f);
}

void
engine_set_cdr(struct engine *e, const struct cdr_sink *sink)
{
	e->cdr_sink = *sink;
}

/* "ADDRESS:PORT" ("[ADDRESS]:PORT" for IPv6) into buf (64), "" for none. */
static void
radius_server(char *buf, const char *addr, uint32_t port)
{
	buf[0] = '\0';
	if (addr[0] != '\0')
		snprintf(buf, 64, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr,
		    port);
}

/* A new snapshot: the sink gets the files' and RADIUS's settings. */
void
billing_settings(struct engine *e)
{
	const struct referd_config *cfg = e->current;
	struct cdr_settings s;

	if (e->cdr_sink.settings == NULL || cfg == NULL)
		return;
	memset(&s, 0, sizeof(s));
	cdr_copy(s.dir, sizeof(s.dir), cfg->cdr_dir);
	s.format = cfg->cdr_format == REFERD_CDR_JSON ? CDR_FORMAT_JSON :
	    CDR_FORMAT_CSV;
	s.rotate_size = cfg->cdr_rotate_size;
	s.rotate_interval = cfg->cdr_rotate_interval;
	s.sync_ms = cfg->cdr_sync_interval;
	radius_server(s.radius_server[0], cfg->radius_server, cfg->radius_port);
	radius_server(s.radius_server[1], cfg->radius_server2,
	    cfg->radius_port2);
	cdr_copy(s.radius_secret[0], sizeof(s.radius_secret[0]),
	    cfg->radius_secret);
	cdr_copy(s.radius_secret[1], sizeof(s.radius_secret[1]),
	    cfg->radius_secret2);
	cdr_copy(s.radius_spool, sizeof(s.radius_spool), cfg->radius_spool);
	s.radius_timeout = cfg->radius_timeout;
	s.radius_retry = cfg->radius_retry;
	s.radius_interim = cfg->radius_interim;
	e->cdr_sink.settings(e->cdr_sink.arg, &s);
}

static void
emit(struct engine *e, struct call *c, enum cdr_event ev)
{
	if (c->cdr != NULL && e->cdr_sink.record != NULL)
		e->cdr_sink.record(e->cdr_sink.arg, ev, c->cdr);
}

void
billing_setup(struct engine *e, struct call *c, const osip_message_t *req,
    const struct referd_gw *gwa, const struct referd_gw *gwb)
{
	struct cdr_record *r;
	const char *pai, *bcid;

	if (e->cdr_sink.record == NULL || (e->current->cdr_dir[0] == '\0' &&
	    e->current->radius_server[0] == '\0' &&
	    e->current->radius_server2[0] == '\0'))
		return;
	if ((r = c->cdr = calloc(1, sizeof(*r))) == NULL)
		return;
	/* B's Call-ID before its '@': INSTANCE~128 random bits, unique
	 * across instances and restarts. */
	bcid = c->b.dlg.call_id ? c->b.dlg.call_id : "";
	snprintf(r->session, sizeof(r->session), "%.*s",
	    (int)strcspn(bcid, "@"), bcid);
	r->call_index = c->index;
	cdr_copy(r->a_call_id, sizeof(r->a_call_id), c->a.dlg.call_id);
	cdr_copy(r->b_call_id, sizeof(r->b_call_id), c->b.dlg.call_id);
	uri_parts(req->from ? req->from->url : NULL, r->from_user,
	    r->from_host);
	uri_parts(req->to ? req->to->url : NULL, r->to_user, r->to_host);
	uri_parts(req->req_uri, r->ruri_user, r->ruri_host);
	if ((pai = header_first(req, "p-asserted-identity", NULL, NULL))) {
		osip_from_t *f = NULL;

		if (osip_from_init(&f) == 0 && osip_from_parse(f, pai) == 0)
			uri_parts(f->url, r->pai_user, r->pai_host);
		if (f != NULL)
			osip_from_free(f);
	}
	r->in_gw = gwa->index;
	cdr_copy(r->in_gw_name, sizeof(r->in_gw_name), gwa->name);
	r->in_sgp = c->a.sgp;
	r->out_gw = gwb->index;
	cdr_copy(r->out_gw_name, sizeof(r->out_gw_name), gwb->name);
	r->out_sgp = c->b.sgp;
	r->setup = c->started;
}

/*
 * A response referd sends on the caller's INVITE: the first 180 or 183
 * is the ringing the caller saw (a called party's alerting or early
 * media, or Delayed Answer's 183), the first final one its status, and
 * a 2xx its answer.
 */
void
billing_reply_a(struct engine *e, struct call *c, int code)
{
	struct cdr_record *r = c->cdr;

	if (r == NULL)
		return;
	if ((code == 180 || code == 183) && r->ringing == 0 &&
	    r->a_status == 0)
		r->ringing = ev_now(e->loop);
	if (code < 200 || r->a_status != 0)
		return;
	r->a_status = code;
	if (code < 300) {
		r->answer = ev_now(e->loop);
		emit(e, c, CDR_EV_START);
	}
}

/* The current transfer's entry (the last one), or NULL. */
static struct cdr_transfer *
xfer_cur(struct call *c)
{
	struct cdr_record *r = c->cdr;

	if (r == NULL || r->n_xfer == 0 || r->n_xfer > CDR_XFER_MAX)
		return NULL;
	return &r->xfer[r->n_xfer - 1];
}

void
billing_transfer(struct engine *e, struct call *c, const struct leg *tl,
    const char *target, const char *referred_by, const char *kind)
{
	struct cdr_record *r = c->cdr;
	struct cdr_transfer *t;

	if (r == NULL)
		return;
	if (++r->n_xfer > CDR_XFER_MAX)
		return;
	t = &r->xfer[r->n_xfer - 1];
	cdr_copy(t->by, sizeof(t->by), tl ? role_of(tl) : "");
	party_of(referred_by, t->by_uri);
	cdr_copy(t->target, sizeof(t->target), target);
	cdr_copy(t->kind, sizeof(t->kind), kind);
	t->time = ev_now(e->loop);
}

/*
 * The current transfer ended with status code; on success the new
 * connected party is `party` (a leg), answered at `answered` (0: now).
 */
void
billing_transfer_end(struct engine *e, struct call *c, int code,
    const struct leg *party, double answered)
{
	struct cdr_transfer *t = xfer_cur(c);

	if (t == NULL || t->code != 0)
		return;
	t->code = code;
	if (party != NULL) {
		cdr_copy(t->call_id, sizeof(t->call_id), party->dlg.call_id);
		party_of(party->dlg.remote_uri, t->party);
	} else if (c->x.dlg.call_id != NULL)
		cdr_copy(t->call_id, sizeof(t->call_id), c->x.dlg.call_id);
	if (code >= 200 && code < 300)
		t->answer = answered > 0 ? answered : ev_now(e->loop);
	emit(e, c, CDR_EV_INTERIM);
}

/* The answer time of a call's record (0: none), for a joined call. */
double
billing_answer_of(const struct call *c)
{
	return c->cdr != NULL ? c->cdr->answer : 0;
}

/* Who ended the call and why; the first one set stays. */
void
billing_end(struct call *c, const char *who, const char *cause, int code,
    const char *reason)
{
	struct cdr_record *r = c->cdr;

	if (r == NULL || r->ended_by[0] != '\0')
		return;
	cdr_copy(r->ended_by, sizeof(r->ended_by), who);
	cdr_copy(r->end_cause, sizeof(r->end_cause), cause);
	r->end_code = code;
	cdr_copy(r->end_reason, sizeof(r->end_reason), reason);
}

/* A message's Reason header (RFC 3326), or NULL. */
const char *
billing_reason(const osip_message_t *msg)
{
	return msg ? header_first(msg, "reason", NULL, NULL) : NULL;
}

/* A BYE arrived on leg: its Reason is kept until the call's end is known. */
void
billing_bye(struct leg *leg, const osip_message_t *req)
{
	struct call *c = leg->call;
	const char *reason = billing_reason(req);

	if (c->cdr == NULL)
		return;
	free(c->bye_reason);
	c->bye_reason = reason ? strdup(reason) : NULL;
	c->bye_leg = leg;
}

/* leg's party ended the call: by its BYE, or it stopped answering. */
void
billing_leg_ended(struct call *c, const struct leg *leg)
{
	if (c->bye_leg == leg)
		billing_end(c, role_of(leg), "bye", 0, c->bye_reason);
	else
		billing_end(c, role_of(leg), "keepalive", 0, NULL);
}

/* The call is released: end time, the final record to the sink. */
void
billing_released(struct engine *e, struct call *c)
{
	struct cdr_record *r = c->cdr;

	if (r == NULL)
		return;
	billing_end(c, "referd", "released", 0, NULL);
	r->end = ev_now(e->loop);
	emit(e, c, CDR_EV_STOP);
	free(r);
	c->cdr = NULL;
}
