/*
 * refer.c: REFER, referd as transferee (RFC 3515, 3892, 4488; the flows of
 * RFC 5589).  One leg of an established call (the transferor) asks referd
 * to call C; referd consumes the REFER, calls C on a third leg (call->x),
 * reports progress to the transferor in NOTIFYs, and when C answers
 * connects the other leg (the survivor) to C by re-pointing the media
 * relay: the survivor's own SDP and dialog never change.
 *
 * The Refer Support row of the transferor's profile decides whether REFER
 * is honoured at all, the From user of the INVITE to C, and whether referd
 * hangs up the transferor itself once C answers (Release REFER Session).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* The user part of a name-addr or URI text, into buf ("" if none). */
void
user_of(const char *text, char *buf, size_t len)
{
	osip_from_t *f = NULL;

	buf[0] = '\0';
	if (text == NULL || osip_from_init(&f) != 0)
		return;
	if (osip_from_parse(f, text) == 0 && f->url && f->url->username)
		snprintf(buf, len, "%s", f->url->username);
	osip_from_free(f);
}

/* The message/sipfrag body of a NOTIFY: a status line; snprintf's result. */
int
refer_sipfrag(char *buf, size_t len, int code, const char *reason)
{
	return snprintf(buf, len, "SIP/2.0 %d %s\r\n", code,
	    reason ? reason : osip_message_get_reason(code));
}

/* Send a NOTIFY with a sipfrag status line to the transferor. */
static void
notify(struct engine *e, struct call *c, int code, const char *reason, int final)
{
	struct transfer *t = &c->xfer;
	struct leg *tl = t->transferor;
	char extra[512], event[48], body[160], hp[96];
	osip_message_t *msg;
	struct stx *stx = NULL;

	if (t->no_sub || t->sub_dead || tl == NULL || !tl->confirmed)
		return;
	if (t->event_id)
		snprintf(event, sizeof(event), "refer;id=%u", t->event_id);
	else
		snprintf(event, sizeof(event), "refer");
	hostport(hp, sizeof(hp), ep_host(tl), tl->ep->row.port);
	snprintf(extra, sizeof(extra),
	    "Event: %s\r\n"
	    "Subscription-State: %s\r\n"
	    "Contact: <sip:referd@%s>\r\n"
	    "Content-Type: message/sipfrag;version=2.0\r\n",
	    event, final ? "terminated;reason=noresource" : "active;expires=60",
	    hp);
	refer_sipfrag(body, sizeof(body), code, reason);
	msg = leg_request_ex(e, tl, "NOTIFY", ++tl->local_cseq, NULL, extra,
	    body);
	if (msg == NULL)
		return;
	if (tl->notify != NULL)
		tl->notify->leg = NULL;    /* only the latest one's 481 counts */
	tl->notify = NULL;
	/*
	 * A NOTIFY that could not be sent (a transport error) has already
	 * ended, and its kill event was handled inside stack_send_request
	 * (before tl->notify pointed at it): keeping it would leave the leg
	 * pointing at a transaction freed at the end of the iteration.
	 */
	if (stack_send_request(e, tl, msg, &stx) == 0 && !stx->dead)
		tl->notify = stx;
	if (final)
		t->sub_dead = 1;
}

void
refer_on_notify_response(struct engine *e, struct stx *stx, int code)
{
	struct leg *leg = stx->leg;

	if (leg == NULL || leg->notify != stx)
		return;
	if (code == 481)
		leg->call->xfer.sub_dead = 1;   /* and nothing else */
}

/* Timer on C's INVITE: no final answer in time. */
static void
on_xfer_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;
	struct engine *e = c->x.media.engine ? c->x.media.engine :
	    c->a.media.engine;

	leg_cancel(e, &c->x);
	refer_fail(e, c, 408);
}

/* Forget the x leg (its media, index, dialog state). */
void
call_x_clear(struct engine *e, struct call *c)
{
	struct leg *x = &c->x;

	media_close(e, &x->media);
	leg_unindex(e, x);
	if (x->invite != NULL)
		x->invite->leg = NULL;
	if (x->notify != NULL)
		x->notify->leg = NULL;
	if (x->ping != NULL)
		x->ping->leg = NULL;
	if (x->ep != NULL)
		endpoint_release(e, x->ep);
	leg_clear(x);
	{
		/* Keep the (stopped) 2xx retransmission watcher initialised. */
		ev_timer retx;

		ev_timer_stop(e->loop, &x->retx);
		retx = x->retx;
		memset(x, 0, sizeof(*x));
		x->retx = retx;
	}
	x->call = c;
	x->media.rtp_fd = x->media.rtcp_fd = -1;
}

/* Stop a transfer's timer and its x leg, if any (the call is ending). */
void
refer_stop(struct engine *e, struct call *c)
{
	if (c->xfer.timer.data != NULL)
		ev_timer_stop(e->loop, &c->xfer.timer);
	if (c->x.call_id != NULL && !c->x.confirmed && c->xfer.active)
		leg_cancel(e, &c->x);
	if (c->x.call_id != NULL && (c->xfer.active || !c->x.confirmed))
		call_x_clear(e, c);
	c->xfer.active = 0;
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
	notify(e, c, code, NULL, 1);
	engine_count(e, t->sgp, ENGINE_CTR_TRANSFERS_FAILED);
	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_TRANSFER_FAILED;
	ev.index = t->sgp;
	ev.call_index = c->index;
	ev.status = code;
	snprintf(ev.call_id, sizeof(ev.call_id), "%s", c->a.call_id);
	snprintf(ev.target, sizeof(ev.target), "%s", t->target ? t->target : "");
	snprintf(ev.text, sizeof(ev.text), "call %u: transfer to %s failed: %d",
	    c->index, ev.target, code);
	engine_emit(e, &ev);
	call_x_clear(e, c);
	t->active = 0;
	/* A caller in Delayed Answer keeps waiting: its timer still runs. */
	call_set_state(e, c, c->da_waiting ? CALL_DELAYED_ANSWER :
	    CALL_CONNECTED);
	/* Nobody to return to: the transferor hung up meanwhile. */
	if (t->transferor == NULL || !t->transferor->confirmed) {
		leg_bye(e, t->survivor);
		call_release(e, c);
	}
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
	if (header_tag(resp->to) && x->remote_tag == NULL)
		x->remote_tag = strdup(header_tag(resp->to));
	if (code < 200) {
		if (code == 180 || code == 183)
			notify(e, c, code, NULL, 0);
		ev_timer_again(e->loop, &t->timer);
		return;
	}
	ev_timer_stop(e->loop, &t->timer);
	if (code >= 300) {
		refer_fail(e, c, code);
		return;
	}
	free(x->remote_target);
	x->remote_target = contact_uri(resp);
	free(x->route_set);
	x->route_set = route_set_of(resp, 1);
	x->confirmed = 1;
	leg_ack(e, x, 1);
	if (sdp == NULL || leg_learn_media(x, sdp) != 0) {
		leg_bye(e, x);
		refer_fail(e, c, 488);
		return;
	}
	free(x->remote_sdp);
	x->remote_sdp = strdup(sdp);
	/* Connect the survivor to C: only the relay moves. */
	t->survivor->media.peer = &x->media;
	x->media.peer = &t->survivor->media;
	t->survivor->partner = x;
	x->partner = t->survivor;
	if (t->transferor != NULL) {
		t->transferor->media.peer = NULL;
		t->transferor->partner = NULL;
	}
	notify(e, c, code, NULL, 1);
	engine_count(e, t->sgp, ENGINE_CTR_TRANSFERS_COMPLETED);
	t->active = 0;
	/* Delayed Answer: the caller is answered now, at the target. */
	if (c->da_waiting && t->survivor == &c->a)
		call_answer_delayed(e, c, x->remote_sdp);
	call_set_state(e, c, CALL_CONNECTED);
	engine_log(e, ENGINE_LOG_INFO, "call %u: transferred to %s", c->index,
	    t->target);
	if (t->release_session && t->transferor != NULL)
		leg_bye(e, t->transferor);
}

/* Refuse a REFER: the status, counted as rejected. */
static void
reject(struct engine *e, struct stx *stx, uint32_t sgp, int code,
    const char *why)
{
	engine_count(e, sgp, ENGINE_CTR_REFER_REJECTED);
	if (why != NULL)
		engine_log(e, ENGINE_LOG_INFO, "REFER refused %d: %s", code, why);
	stack_reply(e, stx, code, NULL, NULL);
}

/* The gateway a transfer target goes to: its host:port, else its user. */
static const struct referd_gw *
target_gateway(const struct engine *e, const osip_uri_t *uri)
{
	const struct referd_config *cfg = e->current;
	struct addr ta;
	int port = uri->port ? atoi(uri->port) : 5060;

	if (uri->host != NULL && addr_from_text(&ta, uri->host, port) == 0)
		for (size_t i = 0; i < cfg->n_gw; i++) {
			const struct referd_gw *g = &cfg->gw[i];
			const struct addr *ga = gateway_addr(e, g);

			if (g->status == REFERD_RS_ACTIVE && ga != NULL &&
			    addr_equal(ga, &ta))
				return g;
		}
	return route_lookup(cfg, uri->username ? uri->username : "");
}

/*
 * A Refer-To URI's text without its headers (they are removed from url)
 * in *targetp (NULL if it cannot be written), and its first Replaces
 * header, unescaped, in *replacesp (NULL if none); the caller frees
 * both.  Returns 0.
 */
int
refer_split_target(osip_uri_t *url, char **targetp, char **replacesp)
{
	osip_uri_header_t *uh;
	char *replaces = NULL, *target = NULL;

	for (int i = 0; (uh = osip_list_get(&url->url_headers, i)); i++)
		if (uh->gname && strcasecmp(uh->gname, "Replaces") == 0 &&
		    uh->gvalue && replaces == NULL) {
			replaces = strdup(uh->gvalue);
			if (replaces)
				__osip_uri_unescape(replaces);
		}
	osip_uri_header_freelist(&url->url_headers);
	osip_uri_to_str(url, &target);
	*targetp = target;
	*replacesp = replaces;
	return 0;
}

/* Build and send the INVITE to C on leg x. */
static int
invite_c(struct engine *e, struct call *c, const struct referd_gw *gw,
    const char *from_user, const char *referred_by, const char *replaces)
{
	struct leg *x = &c->x, *sv = c->xfer.survivor;
	char hp_us[96], branch[64], extra[1024], *text, *sdp;
	osip_message_t *inv;
	size_t n;

	hostport(hp_us, sizeof(hp_us), ep_host(x), x->ep->row.port);
	stack_new_branch(e, branch, sizeof(branch));
	sdp = sv->remote_sdp ? leg_sdp(x, sv->remote_sdp, NULL) : NULL;
	if (sdp == NULL)
		return EINVAL;
	snprintf(extra, sizeof(extra), "Referred-By: %s\r\n%s%s%s",
	    referred_by, replaces ? "Replaces: " : "",
	    replaces ? replaces : "", replaces ? "\r\n" : "");
	n = strlen(sdp) + strlen(extra) + strlen(c->xfer.target) * 2 +
	    strlen(x->local_uri) + 1024;
	text = malloc(n);
	if (text == NULL) {
		free(sdp);
		return ENOMEM;
	}
	snprintf(text, n,
	    "INVITE %s SIP/2.0\r\n"
	    "Via: SIP/2.0/%s %s;branch=%s;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: %s;tag=%s\r\n"
	    "To: <%s>\r\n"
	    "Call-ID: %s\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Contact: <sip:%s@%s>\r\n"
	    "Allow: %s\r\n"
	    "%s"
	    "Content-Type: application/sdp\r\n"
	    "Content-Length: %zu\r\n\r\n%s",
	    c->xfer.target,
	    x->transport == REFERD_TRANSPORT_TCP ? "TCP" : "UDP", hp_us, branch,
	    x->local_uri, x->local_tag, c->xfer.target, x->call_id,
	    from_user, hp_us, leg_allow(e, x), extra, strlen(sdp), sdp);
	free(sdp);
	inv = parse_text(text);
	free(text);
	if (inv == NULL)
		return EINVAL;
	x->local_cseq = 1;
	if (leg_sent_invite(x, inv) != 0) {
		osip_message_free(inv);
		return ENOMEM;
	}
	(void)gw;
	return stack_send_request(e, x, inv, &x->invite);
}

void
refer_on_request(struct engine *e, struct stx *stx)
{
	const struct referd_config *cfg = e->current;
	osip_message_t *req = stx->tr->orig_request;
	struct leg *tl = leg_find(e, req), *x;
	struct call *c;
	const struct referd_refer *row;
	const struct referd_gw *gw;
	const char *rt_text, *rb_text, *sub;
	osip_from_t *rt = NULL;
	osip_uri_param_t *method = NULL;
	char *target = NULL, *replaces = NULL, from_user[128], tag[32];
	char cid[96], local_uri[256], referred_by[512], hp[96];
	int n_rt = 0, rc;
	struct transfer *t;

	if (header_tag(req->to) == NULL) {
		/* referd never acts on a REFER outside a dialog. */
		stack_reply(e, stx, 403, NULL, NULL);
		return;
	}
	if (tl == NULL || !in_dialog(tl, req)) {
		stack_reply(e, stx, 481, NULL, NULL);
		return;
	}
	c = tl->call;
	engine_count(e, tl->sgp, ENGINE_CTR_REFER_RECEIVED);
	row = referd_config_refer(cfg, tl->sgp);
	if (row == NULL || row->status != REFERD_RS_ACTIVE ||
	    row->support != REFERD_ENABLED) {
		reject(e, stx, tl->sgp, 403, "Refer Support is not enabled on "
		    "the leg's profile");
		return;
	}
	if (!tl->confirmed || tl->partner == NULL || &c->x == tl) {
		reject(e, stx, tl->sgp, 403, "the leg is not in an established "
		    "call");
		return;
	}
	rt_text = header_first(req, "refer-to", "r", &n_rt);
	if (n_rt != 1 || rt_text == NULL || osip_from_init(&rt) != 0 ||
	    osip_from_parse(rt, rt_text) != 0 || rt->url == NULL) {
		if (rt)
			osip_from_free(rt);
		reject(e, stx, tl->sgp, 400, "zero, several or unreadable "
		    "Refer-To headers");
		return;
	}
	if (rt->url->scheme == NULL || (strcasecmp(rt->url->scheme, "sip") != 0 &&
	    strcasecmp(rt->url->scheme, "sips") != 0)) {
		osip_from_free(rt);
		reject(e, stx, tl->sgp, 416, "Refer-To is not a sip or sips URI");
		return;
	}
	osip_uri_param_get_byname(&rt->url->url_params, "method", &method);
	if (method != NULL && method->gvalue != NULL &&
	    strcasecmp(method->gvalue, "INVITE") != 0) {
		osip_from_free(rt);
		reject(e, stx, tl->sgp, 403, "Refer-To asks for a method other "
		    "than INVITE");
		return;
	}
	gw = target_gateway(e, rt->url);
	if (gw == NULL) {
		osip_from_free(rt);
		reject(e, stx, tl->sgp, 403, "the transfer target is not a "
		    "configured gateway and matches no route");
		return;
	}
	if (c->xfer.active) {
		osip_from_free(rt);
		reject(e, stx, tl->sgp, 491, "a transfer is already in progress");
		return;
	}
	if (c->x.call_id != NULL) {
		/*
		 * The call already holds a completed transfer's target dialog
		 * in its third leg: a call keeps at most three dialogs, so a
		 * second completed transfer in it is refused rather than
		 * overwriting a live dialog (documented in the README).
		 */
		osip_from_free(rt);
		reject(e, stx, tl->sgp, 403, "the call was already transferred "
		    "once");
		return;
	}
	/* The target without its headers; a Replaces header kept aside. */
	refer_split_target(rt->url, &target, &replaces);
	osip_from_free(rt);
	if (target == NULL) {
		free(replaces);
		reject(e, stx, tl->sgp, 500, NULL);
		return;
	}

	/* Accepted: 202, then NOTIFY 100 Trying, then the INVITE to C. */
	sub = header_first(req, "refer-sub", NULL, NULL);
	t = &c->xfer;
	/* A transfer before this one in the call (it failed): its timer may
	 * still be armed and its target is still allocated. */
	if (t->timer.data != NULL)
		ev_timer_stop(e->loop, &t->timer);
	free(t->target);
	memset(t, 0, sizeof(*t));
	t->active = 1;
	t->transferor = tl;
	t->survivor = tl->partner;
	t->no_sub = sub != NULL && strncasecmp(sub, "false", 5) == 0;
	t->sgp = tl->sgp;
	t->release_session = row->release_session == REFERD_ENABLED;
	t->target = target;
	tl->refers++;
	if (tl->refers > 1)
		t->event_id = (unsigned)strtoul(req->cseq->number, NULL, 10);
	free(c->target_uri);
	c->target_uri = strdup(target);
	engine_count(e, tl->sgp, ENGINE_CTR_REFER_ACCEPTED);
	stack_reply(e, stx, 202, t->no_sub ? "Refer-Sub" : NULL,
	    t->no_sub ? "false" : NULL);
	call_set_state(e, c, CALL_TRANSFERRING);
	notify(e, c, 100, "Trying", 0);

	/* Referred-By: copied from the REFER, or the transferor's identity. */
	rb_text = header_first(req, "referred-by", "b", NULL);
	snprintf(referred_by, sizeof(referred_by), "%s",
	    rb_text ? rb_text : tl->remote_uri);
	/* The From user of the INVITE to C (the seed's two settings). */
	if (row->from_header == REFERD_FROM_ORIGINAL_CALLER) {
		if (tl->is_a)
			snprintf(from_user, sizeof(from_user), "unavailable");
		else
			user_of(c->a.remote_uri, from_user, sizeof(from_user));
	} else
		user_of(referred_by, from_user, sizeof(from_user));
	if (from_user[0] == '\0')
		snprintf(from_user, sizeof(from_user), "unavailable");

	x = &c->x;
	x->call = c;
	leg_towards(x, tl->ep, e, gw);
	snprintf(cid, sizeof(cid), "%s-%x-x%u@%s", e->node, c->index,
	    tl->refers, ep_host(x));
	x->call_id = strdup(cid);
	stack_new_tag(e, tag, sizeof(tag));
	x->local_tag = strdup(tag);
	hostport(hp, sizeof(hp), ep_host(x), x->ep->row.port);
	snprintf(local_uri, sizeof(local_uri), "<sip:%s@%s>", from_user, hp);
	x->local_uri = strdup(local_uri);
	{
		size_t k = strlen(target) + 3;

		x->remote_uri = malloc(k);
		if (x->remote_uri)
			snprintf(x->remote_uri, k, "<%s>", target);
	}
	ev_init(&t->timer, on_xfer_timer);
	t->timer.data = c;
	if (x->call_id == NULL || x->local_tag == NULL || x->local_uri == NULL ||
	    x->remote_uri == NULL) {
		free(replaces);
		refer_fail(e, c, 500);
		return;
	}
	leg_index(e, x);
	if (media_open(e, &x->media, x->ep) != 0) {
		free(replaces);
		refer_fail(e, c, 503);
		return;
	}
	rc = invite_c(e, c, gw, from_user, referred_by, replaces);
	free(replaces);
	if (rc != 0) {
		refer_fail(e, c, 500);
		return;
	}
	/* The INVITE could not be sent at all (a TCP target refusing the
	 * connection): refer_fail() has already ended the transfer. */
	if (!t->active)
		return;
	engine_count(e, x->sgp, ENGINE_CTR_CALLS_OUT);
	t->timer.repeat = cfg->invite_timeout;
	ev_timer_again(e->loop, &t->timer);
}
