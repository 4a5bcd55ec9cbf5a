/*
 * refer.c: REFER, referd as transferee (RFC 3515, 3892, 4488; the flows of
 * RFC 5589).  One leg of an established call (the transferor) asks referd
 * to call C; referd consumes the REFER, calls C on a third leg (call->x),
 * reports progress to the transferor in NOTIFYs (subscription.c), and
 * when C answers connects the other leg (the survivor) to C by
 * re-pointing the media relay (media_bridge): the survivor's own SDP and
 * dialog never change.
 *
 * The Refer Support row of the transferor's profile decides whether REFER
 * is honoured at all, the From user of the INVITE to C, and whether referd
 * hangs up the transferor itself once C answers (Release REFER Session).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* What a REFER asks for, once it has passed every check. */
struct refer_req {
	const struct referd_refer *row;    /* the transferor's Refer Support */
	const struct referd_gw *gw;        /* where the target goes */
	char *target;                      /* Refer-To without headers */
	char *replaces;                    /* its ?Replaces=, or NULL */
	struct leg *join;                  /* attended: the dialog to join */
	int   code;                        /* refused: the status */
	const char *why;                   /* refused: the log's reason */
};

static int invite_c(struct engine *e, struct call *c, const char *ruri,
    unsigned cseq);

/* Timer on C's INVITE: no final answer in time. */
static void
on_xfer_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;
	struct engine *e = c->x.media.engine ? c->x.media.engine :
	    c->a.media.engine;

	(void)loop;
	(void)revents;
	dialog_cancel(e, &c->x);
	refer_fail(e, c, 408);
}

/* Stop a transfer's timer and its x leg, if any (the call is ending). */
void
refer_stop(struct engine *e, struct call *c)
{
	if (c->xfer.timer.data != NULL)
		ev_timer_stop(e->loop, &c->xfer.timer);
	if (c->x.dlg.call_id != NULL && !dialog_is(&c->x, DLG_CONFIRMED) &&
	    c->xfer.active)
		dialog_cancel(e, &c->x);
	if (c->x.dlg.call_id != NULL && (c->xfer.active ||
	    !dialog_is(&c->x, DLG_CONFIRMED)))
		leg_forget(e, &c->x);
	sub_end(&c->xfer.sub);
	c->xfer.active = 0;
}

/* Free what a transfer's record holds (it may be used again). */
void
refer_clear(struct transfer *t)
{
	free(t->target);
	free(t->from_user);
	free(t->referred_by);
	free(t->replaces);
	t->target = t->from_user = t->referred_by = t->replaces = NULL;
}

/* The transfer failed with C's status: back to the call as it was. */
void
refer_fail(struct engine *e, struct call *c, int code)
{
	struct transfer *t = &c->xfer;
	struct engine_event ev;

	if (!t->active)
		return;
	ev_timer_stop(e->loop, &t->timer);
	sub_notify(e, &t->sub, code, 1);
	engine_count(e, t->sgp, REFERD_CTR_TRANSFERS_FAILED);
	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_TRANSFER_FAILED;
	ev.index = t->sgp;
	ev.call_index = c->index;
	ev.status = code;
	snprintf(ev.call_id, sizeof(ev.call_id), "%s", c->a.dlg.call_id);
	snprintf(ev.target, sizeof(ev.target), "%s", t->target ? t->target : "");
	snprintf(ev.text, sizeof(ev.text), "call %u: transfer to %s failed: %d",
	    c->index, ev.target, code);
	engine_emit(e, &ev);
	billing_transfer_end(e, c, code, NULL, 0);
	leg_forget(e, &c->x);
	t->active = 0;
	/* A caller in Delayed Answer keeps waiting: its timer still runs. */
	call_set_state(e, c, c->da_waiting ? CALL_DELAYED_ANSWER :
	    CALL_CONNECTED);
	/* Nobody to return to: the transferor hung up meanwhile. */
	if (t->transferor == NULL ||
	    !dialog_is(t->transferor, DLG_CONFIRMED)) {
		billing_end(c, "referd", "xfer-failed", code, NULL);
		dialog_bye(e, t->survivor);
		call_release(e, c);
	}
}

/* C answered: connect the survivor to C, report, release if asked to. */
static void
refer_done(struct engine *e, struct call *c, int code)
{
	struct transfer *t = &c->xfer;
	struct leg *x = &c->x;

	media_bridge(t->survivor, x);
	if (t->transferor != NULL)
		media_unbridge(t->transferor);
	sub_notify(e, &t->sub, code, 1);
	engine_count(e, t->sgp, REFERD_CTR_TRANSFERS_COMPLETED);
	t->active = 0;
	/*
	 * Delayed Answer: the caller is answered now, at the target, with
	 * the target's answer.  Otherwise the survivor and C share one
	 * session: when C's codecs differ from what the survivor has, the
	 * survivor is offered C's.
	 */
	if (c->da_waiting && t->survivor == &c->a)
		delayed_answer(e, c, x->remote_sdp);
	else
		session_align(e, t->survivor, x);
	billing_transfer_end(e, c, code, x, 0);
	call_set_state(e, c, CALL_CONNECTED);
	engine_log(e, ENGINE_LOG_INFO, "call %u: transferred to %s", c->index,
	    t->target);
	if (t->release_session && t->transferor != NULL)
		sub_then_bye(e, &t->sub, t->transferor);
}

/*
 * C redirected its INVITE (3xx): followed per C's profile as a called
 * side's is (leg_redirect: a configured gateway only, at most
 * referdSgpMaxRedirects times in the transfer), the INVITE going again
 * on leg x (its Call-ID and From tag, the next CSeq) as the Contact's
 * user at that gateway; the transfer's timer starts again.  1 when it
 * went (or the transfer failed trying), 0 when not followed.
 */
static int
x_redirect(struct engine *e, struct call *c, struct leg *x,
    const osip_message_t *resp)
{
	const struct referd_gw *gw = NULL;
	const char *user = NULL;
	char ruri[384];
	int rc;

	rc = leg_redirect(e, x, resp, &c->xfer.redirects,
	    "the transfer fails", &gw, &user);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		refer_fail(e, c, 503);
		return 1;
	}
	gateway_ruri(ruri, sizeof(ruri), gw, user, x->transport);
	leg_invite_reset(e, x);
	if (invite_c(e, c, ruri, x->invite_cseq + 1) != 0) {
		refer_fail(e, c, 500);
		return 1;
	}
	/* Not sent at all: refer_fail() has ended the transfer. */
	if (c->xfer.active)
		ev_timer_again(e->loop, &c->xfer.timer);
	return 1;
}

/* C answered, failed, or rang. */
void
refer_on_x_response(struct engine *e, struct leg *x, osip_message_t *resp)
{
	struct call *c = x->call;
	struct transfer *t = &c->xfer;
	int code = resp->status_code;
	const char *sdp = body_of(resp);

	if (!t->active)
		return;
	dialog_on_response(e, x, resp);
	if (code < 200) {
		if (code == 180 || code == 183)
			sub_notify(e, &t->sub, code, 0);
		ev_timer_again(e->loop, &t->timer);
		return;
	}
	ev_timer_stop(e->loop, &t->timer);
	if (code < 400 && x_redirect(e, c, x, resp))
		return;
	if (code >= 300) {
		refer_fail(e, c, code);
		return;
	}
	dialog_ack(e, x, x->invite_cseq, NULL);
	if (sdp == NULL || leg_learn_media(x, sdp) != 0 ||
	    leg_keep_sdp(x, sdp) != 0) {
		dialog_bye(e, x);
		refer_fail(e, c, 488);
		return;
	}
	/* A caller answered now (Delayed Answer) hears C's identity. */
	c->a.reply_relay = resp;
	c->a.reply_relay_sgp = x->sgp;
	refer_done(e, c, code);
	c->a.reply_relay = NULL;
}

/*
 * A URI header value unescaped (RFC 3261 19.1.2: %HH) into a new string,
 * or NULL when it would hold a control character (NUL, CR, LF...: an
 * escaped line break is a header someone wants added) or has a broken
 * escape.
 */
static char *
header_unescape(const char *v)
{
	char *out = malloc(strlen(v) + 1), *o = out;

	for (const char *p = v; out != NULL && *p != '\0'; p++) {
		unsigned c = (unsigned char)*p;

		if (c == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			char hex[3] = { p[1], p[2], '\0' };

			c = (unsigned)strtoul(hex, NULL, 16);
			p += 2;
		} else if (c == '%')
			c = 0;                 /* a broken escape */
		if (c < 0x20 || c == 0x7f) {
			free(out);
			return NULL;
		}
		*o++ = (char)c;
	}
	if (out != NULL)
		*o = '\0';
	return out;
}

/*
 * A Refer-To URI's text without its headers (they are removed from url)
 * in *targetp (NULL if it cannot be written), and its first Replaces
 * header, unescaped and checked against the Replaces grammar, in
 * *replacesp (NULL if none); the caller frees both.  0, or EINVAL when
 * the Replaces value is not one (a control character once unescaped, or
 * not RFC 3891's grammar): nothing of it may reach another message.
 */
int
refer_split_target(osip_uri_t *url, char **targetp, char **replacesp)
{
	osip_uri_header_t *uh;
	char *replaces = NULL, *target = NULL;
	struct replaces rep;
	int rc = 0;

	for (int i = 0; (uh = osip_list_get(&url->url_headers, i)); i++)
		if (uh->gname && strcasecmp(uh->gname, "Replaces") == 0 &&
		    replaces == NULL && rc == 0) {
			replaces = uh->gvalue ? header_unescape(uh->gvalue) : NULL;
			if (replaces == NULL || parse_replaces(replaces, &rep) != 0)
				rc = EINVAL;
		}
	osip_uri_header_freelist(&url->url_headers);
	osip_uri_to_str(url, &target);
	if (rc != 0) {
		free(replaces);
		replaces = NULL;
	}
	*targetp = target;
	*replacesp = replaces;
	return rc;
}

/* Refuse a REFER check: the status and why; always returns 1. */
static int
refuse(struct refer_req *rq, int code, const char *why)
{
	rq->code = code;
	rq->why = why;
	return 1;
}

/*
 * Are two legs with one party: the same transport address, or the same
 * configured gateway (whose port 0 takes any port of its address)?
 */
static int
same_party(const struct engine *e, const struct leg *x, const struct leg *y)
{
	const struct referd_gw *g = trusted_gateway(e, &x->peer);

	return addr_equal(&x->peer, &y->peer) ||
	    (g != NULL && g == trusted_gateway(e, &y->peer));
}

/*
 * An attended transfer through referd (RFC 5589 7): the Replaces of the
 * Refer-To names another dialog referd holds with the same transferor.
 * 0 when it may be joined to the REFER's call (rq->join), else refused.
 */
static int
check_join(struct engine *e, struct leg *tl, struct leg *j,
    struct refer_req *rq)
{
	if (j == tl || j->call == tl->call)
		return refuse(rq, 403, "Replaces names the REFER's own call");
	if (!same_party(e, j, tl))
		return refuse(rq, 403, "Replaces names a dialog with another "
		    "party than the transferor");
	if (!dialog_is(j, DLG_CONFIRMED) || j->partner == NULL ||
	    !dialog_is(j->partner, DLG_CONFIRMED) || j->call->dead)
		return refuse(rq, 403, "the dialog Replaces names is not in an "
		    "established call");
	if (j->call->xfer.active || j->call->joined != NULL ||
	    tl->call->joined != NULL)
		return refuse(rq, 491, "the other call is busy");
	rq->join = j;
	return 0;
}

/* The Refer-To header's target checks (RFC 3515 2.4.1); 0 or refused. */
static int
check_target(struct engine *e, const osip_message_t *req, struct leg *tl,
    struct refer_req *rq)
{
	struct call *c = tl->call;
	const char *rt_text;
	osip_from_t *rt = NULL;
	osip_uri_param_t *method = NULL;
	struct leg *j;
	int n_rt = 0, rc = 0;

	rt_text = header_first(req, "refer-to", "r", &n_rt);
	if (n_rt != 1 || rt_text == NULL || osip_from_init(&rt) != 0 ||
	    osip_from_parse(rt, rt_text) != 0 || rt->url == NULL)
		rc = refuse(rq, 400, "zero, several or unreadable Refer-To "
		    "headers");
	else if (rt->url->scheme == NULL ||
	    strcasecmp(rt->url->scheme, "sip") != 0)
		/* sips: no TLS transport to reach it with (RFC 5630 3.1.3) */
		rc = refuse(rq, 416, "Refer-To is not a sip URI (sips needs "
		    "TLS, which referd has not)");
	else if (osip_uri_param_get_byname(&rt->url->url_params, "method",
	    &method), method != NULL && method->gvalue != NULL &&
	    strcasecmp(method->gvalue, "INVITE") != 0)
		rc = refuse(rq, 403, "Refer-To asks for a method other than "
		    "INVITE");
	/* The target without its headers; a Replaces kept aside, checked. */
	else if (refer_split_target(rt->url, &rq->target, &rq->replaces) != 0)
		rc = refuse(rq, 400, "Refer-To's Replaces is not a Replaces "
		    "value (RFC 3891 grammar, no control character)");
	else if (c->xfer.active)
		rc = refuse(rq, 491, "a transfer is already in progress");
	else {
		if (rq->target == NULL)
			rc = refuse(rq, 500, NULL);
		else if (rq->replaces != NULL &&
		    (j = replaces_find(e, rq->replaces)) != NULL)
			rc = check_join(e, tl, j, rq);
		else if ((rq->gw = target_gateway(e, rt->url)) == NULL)
			rc = refuse(rq, 403, "the transfer target is not a "
			    "configured gateway and matches no route");
		else if (c->x.dlg.call_id != NULL)
			/*
			 * The call already holds a completed transfer's target
			 * dialog in its third leg: a call keeps at most three
			 * dialogs, so a second completed transfer in it is
			 * refused rather than overwriting a live dialog
			 * (documented in the README).
			 */
			rc = refuse(rq, 403, "the call was already transferred "
			    "once");
	}
	if (rt != NULL)
		osip_from_free(rt);
	return rc;
}

/* Every check of a REFER in leg tl's dialog; 0, or rq says the refusal. */
static int
refer_check(struct engine *e, struct stx *stx, struct leg *tl,
    struct refer_req *rq)
{
	if ((rq->row = profile_refer(e->current, tl->sgp)) == NULL)
		return refuse(rq, 403, "Refer Support is not enabled on the "
		    "leg's profile");
	if (!dialog_is(tl, DLG_CONFIRMED) || tl->partner == NULL ||
	    &tl->call->x == tl)
		return refuse(rq, 403, "the leg is not in an established call");
	return check_target(e, stx->tr->orig_request, tl, rq);
}

/* The From user of the INVITE to C (the seed's two settings). */
static void
from_user_of(const struct refer_req *rq, const struct leg *tl,
    const char *referred_by, char *buf, size_t len)
{
	if (rq->row->from_header == REFERD_FROM_ORIGINAL_CALLER) {
		if (tl->is_a)
			snprintf(buf, len, "unavailable");
		else
			user_of(tl->call->a.dlg.remote_uri, buf, len);
	} else
		user_of(referred_by, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "unavailable");
}

/*
 * Build and send the INVITE to C on leg x, to ruri with CSeq cseq: the
 * transfer's first (to its target, CSeq 1), or one after a 3xx from C
 * followed (x_redirect).  The From user, Referred-By and Replaces are
 * the transfer's own.
 */
static int
invite_c(struct engine *e, struct call *c, const char *ruri, unsigned cseq)
{
	struct leg *x = &c->x, *sv = c->xfer.survivor;
	const char *from_user = c->xfer.from_user;
	const char *replaces = c->xfer.replaces;
	struct msg_req r = {
		.method = "INVITE", .ruri = ruri, .leg = x, .cseq = cseq,
		.contact_user = from_user, .allow = 1,
		.hdrs = { { "Referred-By", c->xfer.referred_by } },
		.content_type = "application/sdp",
	};
	struct pt_set keep[SDP_MEDIA_MAX];
	osip_message_t *inv;
	char *sdp;
	int n = 1;

	if (replaces != NULL)
		r.hdrs[n++] = (struct msg_hdr){ "Replaces", replaces };
	/*
	 * The identity the From Header setting gives C is asserted too
	 * (RFC 3325), where C's profile takes identity: the From's own
	 * name-addr; `unavailable` (nobody's to give) with Privacy: id.
	 */
	if (msg_relays(e, "P-Asserted-Identity", x->sgp, x->sgp)) {
		r.hdrs[n++] = (struct msg_hdr){ "P-Asserted-Identity",
		    x->dlg.local_uri };
		if (strcmp(from_user, "unavailable") == 0)
			r.hdrs[n++] = (struct msg_hdr){ "Privacy", "id" };
	}

	/*
	 * C is offered what the survivor's session allows: its own SDP with
	 * only the payload types it negotiated (a caller still waiting in
	 * Delayed Answer has negotiated nothing yet: its whole offer).
	 */
	leg_allowed(sv, keep);
	/* A two-way session: a transferor usually holds the survivor first
	 * (RFC 5589 6.1), and that hold is not the survivor's wish for C. */
	sdp = sv->remote_sdp ? leg_sdp(x, sv->remote_sdp, "sendrecv",
	    c->da_waiting && sv == &c->a ? NULL : keep) : NULL;
	if (sdp == NULL)
		return EINVAL;
	r.body = sdp;
	inv = msg_request(e, &r);
	free(sdp);
	return leg_send_invite(e, x, inv);
}

/* Set up leg x towards C: its own Call-ID, tag, From and To. */
static int
x_setup(struct engine *e, struct call *c, struct leg *tl,
    const struct referd_gw *gw, const char *from_user)
{
	struct leg *x = &c->x;
	char cid[160], tag[32], hp[96], local_uri[256];

	if (leg_towards(x, tl->ep, e, gw) != 0)
		return ENOTCONN;
	stack_new_call_id(e, ep_host(x), cid, sizeof(cid));
	x->dlg.call_id = strdup(cid);
	stack_new_tag(e, tag, sizeof(tag));
	x->dlg.local_tag = strdup(tag);
	hostport(hp, sizeof(hp), ep_host(x), x->ep->row.port);
	snprintf(local_uri, sizeof(local_uri), "<sip:%s@%s>", from_user, hp);
	x->dlg.local_uri = strdup(local_uri);
	if (asprintf(&x->dlg.remote_uri, "<%s>", c->xfer.target) < 0)
		x->dlg.remote_uri = NULL;
	if (x->dlg.call_id == NULL || x->dlg.local_tag == NULL ||
	    x->dlg.local_uri == NULL || x->dlg.remote_uri == NULL)
		return ENOMEM;
	leg_index(e, x);
	return 0;
}

/* Accepted: the transfer's record, 202, and NOTIFY 100 Trying. */
static void
refer_accept(struct engine *e, struct stx *stx, struct leg *tl,
    struct refer_req *rq)
{
	osip_message_t *req = stx->tr->orig_request;
	struct call *c = tl->call;
	struct transfer *t = &c->xfer;
	const char *sub = header_first(req, "refer-sub", NULL, NULL);
	int no_sub = sub != NULL && strncasecmp(sub, "false", 5) == 0;

	/* A transfer before this one in the call (it failed): its timer may
	 * still be armed and its target is still allocated. */
	if (t->timer.data != NULL)
		ev_timer_stop(e->loop, &t->timer);
	sub_end(&t->sub);
	refer_clear(t);
	memset(t, 0, sizeof(*t));
	t->active = 1;
	t->transferor = tl;
	t->survivor = tl->partner;
	t->sgp = tl->sgp;
	t->release_session = rq->row->release_session == REFERD_ENABLED;
	t->target = rq->target;
	rq->target = NULL;
	tl->refers++;
	sub_start(&t->sub, tl, tl->refers > 1 ?
	    (unsigned)strtoul(req->cseq->number, NULL, 10) : 0, !no_sub);
	free(c->target_uri);
	c->target_uri = strdup(t->target);
	billing_transfer(e, c, tl, t->target,
	    header_first(req, "referred-by", "b", NULL) ?
	    header_first(req, "referred-by", "b", NULL) : tl->dlg.remote_uri,
	    rq->join ? "attended" : rq->replaces ? "replaces" : "blind");
	engine_count(e, tl->sgp, REFERD_CTR_REFER_ACCEPTED);
	stack_reply(e, stx, 202, no_sub ? "Refer-Sub" : NULL,
	    no_sub ? "false" : NULL);
	call_set_state(e, c, CALL_TRANSFERRING);
	sub_notify(e, &t->sub, 100, 0);
	ev_init(&t->timer, on_xfer_timer);
	t->timer.data = c;
}

/*
 * Attended transfer through referd (RFC 5589 7): the transferor holds both
 * calls with referd, so referd connects their other parties itself (the
 * survivor of this call and the other party of the call j is in), reports
 * 200 to the transferor and releases the transferor's two legs, the
 * REFER's once its final NOTIFY has been answered.  The two calls stay
 * linked (call->joined) until either party hangs up.
 */
static void
refer_join(struct engine *e, struct leg *tl, struct leg *j)
{
	struct call *c = tl->call, *c2 = j->call;
	struct leg *s = tl->partner, *n = j->partner;
	struct transfer *t = &c->xfer;

	media_unbridge(tl);
	media_unbridge(j);
	media_bridge(s, n);
	c->joined = c2;
	c2->joined = c;
	sub_notify(e, &t->sub, 200, 1);
	engine_count(e, t->sgp, REFERD_CTR_TRANSFERS_COMPLETED);
	t->active = 0;
	if (c->da_waiting && s == &c->a)
		delayed_answer(e, c, n->remote_sdp);
	else
		session_align(e, s, n);
	billing_transfer_end(e, c, 200, n, billing_answer_of(c2));
	call_set_state(e, c, CALL_CONNECTED);
	call_set_state(e, c2, CALL_CONNECTED);
	engine_log(e, ENGINE_LOG_INFO, "call %u: joined to call %u (attended "
	    "transfer)", c->index, c2->index);
	dialog_bye(e, j);
	sub_then_bye(e, &t->sub, tl);
}

/* Call C for an accepted REFER (any failure ends the transfer). */
static void
refer_call_target(struct engine *e, struct stx *stx, struct leg *tl,
    struct refer_req *rq)
{
	osip_message_t *req = stx->tr->orig_request;
	struct call *c = tl->call;
	char referred_by[512], from_user[128];
	const char *rb_text;
	int rc;

	/* Referred-By: copied from the REFER, or the transferor's identity. */
	rb_text = header_first(req, "referred-by", "b", NULL);
	snprintf(referred_by, sizeof(referred_by), "%s",
	    rb_text ? rb_text : tl->dlg.remote_uri);
	from_user_of(rq, tl, referred_by, from_user, sizeof(from_user));
	if ((rc = x_setup(e, c, tl, rq->gw, from_user)) != 0) {
		refer_fail(e, c, rc == ENOTCONN ? 503 : 500);
		return;
	}
	if (leg_streams_open(e, &c->x, 1) != 0) {
		refer_fail(e, c, 503);
		return;
	}
	/* Topology hiding: the Referred-By's header parameters (a tag of
	 * the transferor's dialog) stay on the transferor's side. */
	if (profile_hides_topology(e->current, c->x.sgp)) {
		char *bare = name_addr_only(referred_by);

		if (bare != NULL) {
			snprintf(referred_by, sizeof(referred_by), "%s", bare);
			free(bare);
		}
	}
	c->xfer.from_user = strdup(from_user);
	c->xfer.referred_by = strdup(referred_by);
	if (rq->replaces != NULL) {
		c->xfer.replaces = rq->replaces;
		rq->replaces = NULL;
	}
	rc = c->xfer.from_user == NULL || c->xfer.referred_by == NULL ? ENOMEM :
	    invite_c(e, c, c->xfer.target, 1);
	if (rc != 0) {
		refer_fail(e, c, 500);
		return;
	}
	/* The INVITE could not be sent at all (a TCP target refusing the
	 * connection): refer_fail() has already ended the transfer. */
	if (!c->xfer.active)
		return;
	engine_count(e, c->x.sgp, REFERD_CTR_CALLS_OUT);
	c->xfer.timer.repeat = e->current->invite_timeout;
	ev_timer_again(e->loop, &c->xfer.timer);
}

/* A REFER: checked, refused or accepted, and then C is called. */
void
refer_on_request(struct engine *e, struct stx *stx)
{
	osip_message_t *req = stx->tr->orig_request;
	struct leg *tl = leg_find(e, req);
	struct refer_req rq;
	int code;

	if (header_tag(req->to) == NULL) {
		/* referd never acts on a REFER outside a dialog. */
		stack_reply(e, stx, 403, NULL, NULL);
		return;
	}
	if (tl == NULL || (code = dialog_check(tl, req)) != 0) {
		stack_reply(e, stx, tl == NULL ? 481 : code, NULL, NULL);
		return;
	}
	engine_count(e, tl->sgp, REFERD_CTR_REFER_RECEIVED);
	memset(&rq, 0, sizeof(rq));
	if (refer_check(e, stx, tl, &rq) != 0) {
		engine_count(e, tl->sgp, REFERD_CTR_REFER_REJECTED);
		if (rq.why != NULL)
			engine_log(e, ENGINE_LOG_INFO, "REFER refused %d: %s",
			    rq.code, rq.why);
		stack_reply(e, stx, rq.code, NULL, NULL);
		free(rq.target);
		free(rq.replaces);
		return;
	}
	refer_accept(e, stx, tl, &rq);
	if (rq.join != NULL)
		refer_join(e, tl, rq.join);
	else
		refer_call_target(e, stx, tl, &rq);
	free(rq.replaces);
}
