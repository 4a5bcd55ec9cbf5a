/*
 * call.c: the B2BUA call.  A call has two legs: `a` towards the caller
 * (referd is its UAS) and `b` towards the called gateway (referd is its
 * UAC), and a third, `x`, for a transfer target or a leg that replaced a
 * dialog.  Each leg has its own Call-ID, tags, CSeq, Contact and media
 * port; the only things carried across are the dialled number, the
 * From/To URIs, the codecs of the SDP, and the responses' status codes.
 *
 * Everything here runs on the engine thread, after oSIP2 has returned
 * (see stack.c).  A call is released by call_release(), which stops its
 * timers and media and puts it on the reap list; engine_reap() frees it
 * at the end of the loop iteration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

#define T1 0.5

/* Index a new call: its legs by Call-ID, the call in the engine's list. */
static void
call_index(struct engine *e, struct call *c)
{
	leg_index(e, &c->a);
	leg_index(e, &c->b);
	c->next = e->calls_head;
	if (e->calls_head)
		e->calls_head->prev = c;
	e->calls_head = c;
}

/* Take a call out of the indexes. */
static void
call_unindex(struct engine *e, struct call *c)
{
	leg_unindex(e, &c->a);
	leg_unindex(e, &c->b);
	leg_unindex(e, &c->x);
	if (c->prev)
		c->prev->next = c->next;
	else
		e->calls_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

/* Move a call to state s (published in referdCallTable). */
void
call_set_state(struct engine *e, struct call *c, enum call_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	engine_calls_changed(e);
}

/* Respond on the caller's INVITE. */
int
call_reply_a(struct engine *e, struct call *c, int code, const char *sdp,
    const char *extra_name, const char *extra_value)
{
	billing_reply_a(e, c, code);
	return leg_reply(e, &c->a, code, sdp, extra_name, extra_value);
}

/*
 * The caller is gone before b answered: CANCEL b now if it sent a
 * provisional response (RFC 3261 9.1: not before), else as soon as it
 * sends one.  The call stays allocated until b's INVITE transaction ends,
 * so that a 2xx racing the CANCEL is still ACKed and hung up.
 */
static void
abandon_b(struct engine *e, struct call *c)
{
	if (dialog_is(&c->b, DLG_CONFIRMED) || c->b.invite == NULL)
		return;
	if (c->b.provisional && c->cancel_pending != 2) {
		dialog_cancel(e, &c->b);
		c->cancel_pending = 2;
	} else if (c->cancel_pending == 0)
		c->cancel_pending = 1;
}

/*
 * Timer C: b never gave a final answer.  For a released call it is the
 * guard that ends INVITE transactions a peer never finishes.
 */
static void
on_timer_c(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;
	struct engine *e = c->a.media.engine;

	(void)loop;
	(void)revents;
	if (c->dead) {
		if (c->b.invite != NULL)
			stack_abandon(e, c->b.invite);
		if (c->x.invite != NULL)
			stack_abandon(e, c->x.invite);
		return;
	}
	engine_log(e, ENGINE_LOG_NOTICE, "call %u: no final answer in %u s: "
	    "cancelled", c->index, e->current->invite_timeout);
	billing_end(c, "referd", "timeout", 408, NULL);
	abandon_b(e, c);
	call_reply_a(e, c, 408, NULL, NULL, NULL);
	call_release(e, c);
}

/* Free a released call and what its legs hold. */
static void
call_free(struct call *c)
{
	leg_clear(&c->a);
	leg_clear(&c->b);
	leg_clear(&c->x);
	osip_message_free(c->ending);
	osip_message_free(c->da_answer);
	refer_clear(&c->xfer);
	free(c->target_uri);
	free(c->caller_uri);
	free(c->callee_uri);
	free(c->bye_reason);
	free(c->cdr);
	free(c);
}

/* Build and send the INVITE (CSeq cseq) towards b. */
static int
send_invite_b(struct engine *e, struct call *c, osip_message_t *req,
    const struct referd_gw *gw, const char *user, int max_forwards,
    unsigned cseq)
{
	struct leg *b = &c->b;
	struct msg_req r = {
		.method = "INVITE", .leg = b, .cseq = cseq,
		.max_forwards = max_forwards, .contact_user = "referd",
		.allow = 1, .relay = req, .relay_sgp = c->a.sgp,
	};
	char ruri[384];
	char *text, *sdp, *ri;
	osip_message_t *inv;

	/* No offer from the caller (delayed offer): none to b either. */
	sdp = body_of(req) ? leg_sdp(b, body_of(req), NULL, NULL) : NULL;
	if (body_of(req) != NULL && sdp == NULL)
		return EINVAL;
	r.body = sdp;
	r.content_type = sdp ? "application/sdp" : NULL;
	r.ruri = ruri;
	/* The Info Packages A takes (RFC 6086 5.2.2): INFO is carried. */
	if ((ri = header_all(req, "Recv-Info")) != NULL)
		r.hdrs[0] = (struct msg_hdr){ "Recv-Info", ri };
	for (int pass = 0; pass < 2; pass++) {
		gateway_ruri(ruri, sizeof(ruri), gw, user, b->transport);
		if ((text = msg_request_text(e, &r)) == NULL)
			break;
		/*
		 * RFC 3261 18.1.1: a request within 200 bytes of the path MTU
		 * (1500) goes over TCP when the peer takes TCP; otherwise it
		 * goes over UDP as configured.
		 */
		if (transport_reliable(b->transport) ||
		    strlen(text) <= 1300 ||
		    !transport_tcp_reachable(e, b->ep, &b->peer))
			break;
		free(text);
		text = NULL;
		b->transport = REFERD_TRANSPORT_TCP;
	}
	free(sdp);
	free(ri);
	inv = text ? parse_text(text) : NULL;
	free(text);
	return leg_send_invite(e, b, inv);
}

/*
 * A 2xx to an INVITE of ours whose leg is gone: a transfer given up (its
 * CANCEL crossed the target's answer), or any INVITE whose call ended
 * while it was pending.  RFC 3261 13.2.2.4, 15: the 2xx is ACKed, and the
 * dialog it made is ended with a BYE at once (bye = 0: a retransmitted
 * 2xx, ACKed again only).  The dialog is the response's alone: its From
 * is ours, its To the peer's; ACK and BYE go where the 2xx came from.
 */
void
call_hangup_orphan(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, osip_message_t *resp, int bye)
{
	struct leg l;
	char cid[256];
	unsigned cseq;

	if (ep == NULL || resp->cseq == NULL || resp->cseq->number == NULL ||
	    header_tag(resp->from) == NULL || header_tag(resp->to) == NULL ||
	    callid_text(resp, cid, sizeof(cid)) != 0)
		return;
	memset(&l, 0, sizeof(l));
	l.ep = ep;
	l.transport = transport;
	l.peer = *to;
	l.dlg.call_id = strdup(cid);
	l.dlg.local_uri = name_addr(resp->from);
	l.dlg.local_tag = strdup(header_tag(resp->from));
	l.dlg.remote_uri = name_addr(resp->to);
	l.dlg.remote_tag = strdup(header_tag(resp->to));
	l.dlg.remote_target = contact_uri(resp);
	l.dlg.route_set = route_set_of(resp, 1);
	l.dlg.state = DLG_CONFIRMED;
	cseq = (unsigned)strtoul(resp->cseq->number, NULL, 10);
	l.dlg.local_cseq = cseq;
	if (l.dlg.call_id && l.dlg.local_uri && l.dlg.local_tag &&
	    l.dlg.remote_uri && l.dlg.remote_tag) {
		engine_log(e, ENGINE_LOG_NOTICE, "a %d to an INVITE given up "
		    "(Call-ID %s): ACK%s", resp->status_code, cid,
		    bye ? " and BYE" : " again");
		dialog_ack(e, &l, cseq, NULL);
		if (bye)
			dialog_bye(e, &l);
	}
	leg_clear(&l);
}

/*
 * May this INVITE start a call?  The gateway it comes from, where it goes
 * and its Max-Forwards in *gwap, *gwbp, *mfp; 0, or 1 once the INVITE has
 * been answered (refused, or taken by Replaces).
 */
static int
call_admit(struct engine *e, struct stx *stx, const struct referd_gw **gwap,
    const struct referd_gw **gwbp, int *mfp)
{
	const struct referd_config *cfg = e->current;
	osip_message_t *req = stx->tr->orig_request;
	const char *user, *offer = body_of(req);
	osip_header_t *mf = NULL;
	char host[INET6_ADDRSTRLEN];
	int port, rc;

	addr_to_text(&stx->dest, host, sizeof(host), &port);
	if ((*gwap = trusted_gateway(e, &stx->dest)) == NULL) {
		engine_log(e, ENGINE_LOG_INFO, "INVITE from %s:%d refused: not "
		    "a gateway", host, port);
		replaces_from_stranger(e, stx, stx->ep->row.sgp_index);
		return stack_reply(e, stx, 403, NULL, NULL), 1;
	}
	if (rel_refuse(e, stx, (*gwap)->sgp_index ? (*gwap)->sgp_index :
	    stx->ep->row.sgp_index))
		return 1;
	/* An INVITE with Replaces names one of referd's dialogs. */
	if (replaces_on_invite(e, stx, (*gwap)->sgp_index ?
	    (*gwap)->sgp_index : stx->ep->row.sgp_index))
		return 1;
	user = req->req_uri && req->req_uri->username ?
	    req->req_uri->username : "";
	if ((*gwbp = route_lookup(cfg, user)) == NULL)
		return stack_reply(e, stx, 404, NULL, NULL), 1;
	if (cfg->max_calls != 0 && e->n_live_calls >= cfg->max_calls)
		return stack_reply(e, stx, 503, "Retry-After", "5"), 1;
	*mfp = 70;
	if (osip_message_get_max_forwards(req, 0, &mf) >= 0 && mf && mf->hvalue)
		*mfp = atoi(mf->hvalue);
	if (*mfp <= 1)
		return stack_reply(e, stx, 483, NULL, NULL), 1;
	if (offer != NULL &&
	    (rc = sdp_get_media(offer, host, sizeof(host), &port)) != 0) {
		/* An offer referd cannot anchor (no usable first stream), or
		 * that is not SDP at all (a line not "<type>=<value>"). */
		stack_reply(e, stx, 488, "Warning", rc == EBADMSG ?
		    "399 referd \"a line of the SDP is not <type>=<value>\"" :
		    "399 referd \"no media stream referd can anchor\"");
		return 1;
	}
	return 0;
}

/* A new call's legs: a is the caller's dialog as it is, b a new one. */
static int
call_legs(struct engine *e, struct call *c, struct stx *stx,
    const struct referd_gw *gwa, const struct referd_gw *gwb)
{
	osip_message_t *req = stx->tr->orig_request;
	char tag[32], cid[160], *ru = NULL;

	leg_from_request(&c->a, stx, gwa->sgp_index ? gwa->sgp_index :
	    stx->ep->row.sgp_index);
	if (dialog_from_request(e, &c->a, req) != 0)
		return ENOMEM;
	if (leg_towards(&c->b, stx->ep, e, gwb) != 0)
		return ENOTCONN;
	stack_new_call_id(e, ep_host(&c->b), cid, sizeof(cid));
	memcpy(c->instance, e->instance, sizeof(c->instance));
	c->b.dlg.call_id = strdup(cid);
	stack_new_tag(e, tag, sizeof(tag));
	c->b.dlg.local_tag = strdup(tag);
	/* Topology hiding: From and To name referd's address on b's side,
	 * not A's network (the users and display names stay). */
	if (profile_hides_topology(e->current, c->b.sgp)) {
		c->b.dlg.local_uri = name_addr_at(req->from, ep_host(&c->b),
		    c->b.ep->row.port);
		c->b.dlg.remote_uri = name_addr_at(req->to, ep_host(&c->b),
		    c->b.ep->row.port);
	} else {
		c->b.dlg.local_uri = name_addr(req->from);
		c->b.dlg.remote_uri = name_addr(req->to);
	}
	c->caller_uri = strdup(c->a.dlg.remote_uri);
	osip_uri_to_str(req->req_uri, &ru);
	c->callee_uri = strdup(ru ? ru : "");
	osip_free(ru);
	return c->b.dlg.call_id && c->b.dlg.local_tag && c->b.dlg.local_uri &&
	    c->b.dlg.remote_uri && c->caller_uri && c->callee_uri ? 0 : ENOMEM;
}

/* A new call record, its legs empty and its watchers initialised. */
static struct call *
call_alloc(struct engine *e)
{
	struct call *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->index = ++e->next_call_index ? e->next_call_index :
	    ++e->next_call_index;
	c->state = CALL_TRYING;
	c->started = ev_now(e->loop);
	leg_init(&c->a, c, 1);
	leg_init(&c->b, c, 0);
	leg_init(&c->x, c, 0);
	ev_init(&c->timer_c, on_timer_c);
	c->timer_c.data = c;
	delayed_init(c);
	return c;
}

/* A call that could not be set up: its endpoints and memory go. */
static void
call_discard(struct engine *e, struct call *c, struct stx *stx)
{
	stx->leg = NULL;
	if (c->a.ep != NULL)
		endpoint_release(e, c->a.ep);
	if (c->b.ep != NULL)
		endpoint_release(e, c->b.ep);
	call_free(c);
}

/* A new INVITE outside any dialog: trust, route, limit, then call b. */
void
call_new(struct engine *e, struct stx *stx)
{
	osip_message_t *req = stx->tr->orig_request;
	const struct referd_gw *gwa, *gwb;
	const char *offer = body_of(req);
	struct call *c;
	int max_forwards, rc;

	if (call_admit(e, stx, &gwa, &gwb, &max_forwards))
		return;
	if ((c = call_alloc(e)) == NULL) {
		stack_reply(e, stx, 500, NULL, NULL);
		return;
	}
	if ((rc = call_legs(e, c, stx, gwa, gwb)) != 0) {
		/* ENOTCONN: no endpoint of the gateway's transport */
		stack_reply(e, stx, rc == ENOTCONN ? 503 : 500, NULL, NULL);
		call_discard(e, c, stx);
		return;
	}
	call_index(e, c);
	billing_setup(e, c, req, gwa, gwb);
	e->n_live_calls++;
	atomic_store(&e->active_calls, e->n_live_calls);
	engine_count(e, c->a.sgp, REFERD_CTR_CALLS_IN);
	keepalive_start(e, c);
	/* The caller hears 100 Trying at once (oSIP2 never sends it). */
	stack_reply(e, stx, 100, NULL, NULL);
	if (leg_streams_open(e, &c->a, 1) != 0 ||
	    leg_streams_open(e, &c->b, 1) != 0) {
		billing_end(c, "referd", "error", 503, NULL);
		call_reply_a(e, c, 503, NULL, "Retry-After", "5");
		call_release(e, c);
		return;
	}
	media_bridge(&c->a, &c->b);
	if (offer != NULL) {
		leg_learn_media(&c->a, offer);
		leg_keep_sdp(&c->a, offer);
	}
	/*
	 * Timer C runs before the INVITE goes: a send that fails at once
	 * ends the call inside send_invite_b() (503 to A, released), and
	 * call_release() must find the timer it stops or turns into the
	 * zombie's guard, not have it armed afterwards on a call being freed.
	 */
	c->timer_c.repeat = e->current->invite_timeout;
	ev_timer_again(e->loop, &c->timer_c);
	if (send_invite_b(e, c, req, gwb, req->req_uri && req->req_uri->username ?
	    req->req_uri->username : "", max_forwards - 1, 1) != 0) {
		billing_end(c, "referd", "error", 500, NULL);
		call_reply_a(e, c, 500, NULL, NULL, NULL);
		call_release(e, c);
		return;
	}
	if (c->dead)
		return;
	engine_count(e, c->b.sgp, REFERD_CTR_CALLS_OUT);
	engine_calls_changed(e);
}

/* Release a call: timers, media, index; freed once nothing runs for it. */
void
call_release(struct engine *e, struct call *c)
{
	if (c->dead)
		return;
	refer_stop(e, c);
	billing_released(e, c);
	c->dead = 1;
	if (c->joined != NULL) {
		c->joined->joined = NULL;
		c->joined = NULL;
	}
	ev_timer_stop(e->loop, &c->timer_c);
	ev_timer_stop(e->loop, &c->a.retx);
	ev_timer_stop(e->loop, &c->x.retx);
	rel_final(e, &c->a);
	rel_final(e, &c->x);
	delayed_stop(e, c);
	ev_timer_stop(e->loop, &c->keepalive);
	leg_streams_close(e, &c->x);
	for (struct leg *l = &c->a; l; l = l == &c->a ? &c->b :
	    l == &c->b ? &c->x : NULL) {
		timer_stop(e, l);
		if (l->ping != NULL) {
			l->ping->leg = NULL;
			l->ping = NULL;
		}
		/* referd's re-INVITE or UPDATE still running outlives the call:
		 * its answer goes to nobody (a 2xx is ACKed and hung up as an
		 * orphan's), never to the freed leg. */
		if (l->reinv_out != NULL) {
			l->reinv_out->leg = NULL;
			l->reinv_out = NULL;
			l->reinv_asker = NULL;
		}
		/* A party's re-INVITE or UPDATE still waiting for the other
		 * party's answer ends with the dialog (RFC 3261 15.1.2). */
		if (l->reinv_in != NULL) {
			stack_reply(e, l->reinv_in, 487, NULL, NULL);
			l->reinv_in = NULL;
		}
	}
	leg_streams_close(e, &c->a);
	leg_streams_close(e, &c->b);
	if (c->a.invite)
		c->a.invite->leg = NULL;
	c->a.invite = NULL;
	call_unindex(e, c);
	e->n_live_calls--;
	atomic_store(&e->active_calls, e->n_live_calls);
	engine_calls_changed(e);
	/*
	 * INVITE transactions towards b or x still running keep the call
	 * (their 2xx must be ACKed and hung up), under a 64*T1 guard.
	 */
	if (c->b.invite != NULL || c->x.invite != NULL) {
		c->reap_when_idle = 1;
		c->reap_next = e->call_zombies;
		e->call_zombies = c;
		ev_timer_stop(e->loop, &c->timer_c);
		ev_timer_set(&c->timer_c, 64 * T1, 0.);
		ev_timer_start(e->loop, &c->timer_c);
		return;
	}
	c->reap_next = e->call_reap;
	e->call_reap = c;
}

/* At shutdown: calls still waiting for an INVITE transaction go too. */
void
call_free_zombies(struct engine *e)
{
	struct call *c;

	while ((c = e->call_zombies) != NULL) {
		e->call_zombies = c->reap_next;
		ev_timer_stop(e->loop, &c->timer_c);
		if (c->b.invite)
			c->b.invite->leg = NULL;
		if (c->x.invite)
			c->x.invite->leg = NULL;
		c->reap_next = e->call_reap;
		e->call_reap = c;
	}
	call_reap(e);
}

void
call_reap(struct engine *e)
{
	struct call *c;

	while ((c = e->call_reap) != NULL) {
		e->call_reap = c->reap_next;
		endpoint_release(e, c->a.ep);
		endpoint_release(e, c->b.ep);
		if (c->x.ep != NULL)
			endpoint_release(e, c->x.ep);
		call_free(c);
	}
}

/* At shutdown: every call is ended, with BYE, 503 or CANCEL. */
void
call_release_all(struct engine *e)
{
	while (e->calls_head != NULL) {
		struct call *c = e->calls_head;

		billing_end(c, "referd", "shutdown", 0, NULL);
		if (dialog_is(&c->a, DLG_CONFIRMED))
			dialog_bye(e, &c->a);
		else
			call_reply_a(e, c, 503, NULL, NULL, NULL);
		if (dialog_is(&c->b, DLG_CONFIRMED))
			dialog_bye(e, &c->b);
		else
			abandon_b(e, c);
		call_release(e, c);
	}
}

/* A transaction ended: whatever pointed at it forgets it. */
void
call_kill_stx(struct engine *e, struct stx *stx)
{
	struct leg *leg = stx->leg;

	relay_kill_stx(stx);
	if (leg == NULL)
		return;
	if (leg->invite == stx)
		leg->invite = NULL;
	session_kill_stx(leg, stx);
	sub_kill_stx(e, &leg->call->xfer.sub, stx);
	if (leg->ping == stx)
		leg->ping = NULL;
	stx->leg = NULL;
	/* A released call waited for its last INVITE transaction. */
	{
		struct call *c = leg->call;

		if (c->dead && c->reap_when_idle && c->b.invite == NULL &&
		    c->x.invite == NULL) {
			struct call **pp;

			c->reap_when_idle = 0;
			ev_timer_stop(e->loop, &c->timer_c);
			for (pp = &e->call_zombies; *pp; pp = &(*pp)->reap_next)
				if (*pp == c) {
					*pp = c->reap_next;
					break;
				}
			c->reap_next = e->call_reap;
			e->call_reap = c;
		}
	}
}

/* A provisional response from b: relayed to the caller. */
static void
b_provisional(struct engine *e, struct call *c, struct leg *b, int code,
    const char *sdp)
{
	b->provisional = 1;
	if (c->cancel_pending == 1) {
		dialog_cancel(e, b);
		c->cancel_pending = 2;
		return;
	}
	if (code == 100 || c->dead || c->cancel_pending)
		return;
	/* Timer C restarts on each provisional (RFC 3261 16.6). */
	ev_timer_again(e->loop, &c->timer_c);
	/* Without the caller's offer, SDP in a 1xx is no answer: not sent. */
	if (c->a.remote_sdp == NULL)
		sdp = NULL;
	if (sdp != NULL)
		leg_learn_media(b, sdp);
	call_set_state(e, c, CALL_RINGING);
	call_reply_a(e, c, code, sdp, NULL, NULL);
}

/*
 * b answered an INVITE without an offer (delayed offer): its 2xx holds the
 * offer, which goes to the caller in referd's 2xx; b's ACK waits for the
 * caller's answer in its ACK (session_on_ack).  No Delayed Answer here:
 * the offer cannot wait in a 183.
 */
static void
b_answered_offer(struct engine *e, struct call *c, struct leg *b,
    const char *sdp, unsigned cseq, const char *recv_info)
{
	leg_learn_media(b, sdp);
	leg_keep_sdp(b, sdp);
	b->ack_hold = 1;
	b->ack_cseq = cseq;
	c->a.ack_wait = 1;
	call_reply_a(e, c, 200, sdp, recv_info ? "Recv-Info" : NULL, recv_info);
	call_set_state(e, c, CALL_CONNECTED);
}

/*
 * b answered: ACK it, then answer the caller (or hold it: Delayed Answer),
 * with the Info Packages b takes (recv_info, its Recv-Info, or NULL).
 */
static void
b_answered(struct engine *e, struct call *c, struct leg *b, const char *sdp,
    const char *recv_info)
{
	if (c->a.remote_sdp == NULL && sdp != NULL && !c->dead &&
	    !c->cancel_pending && c->a.invite != NULL) {
		b_answered_offer(e, c, b, sdp, b->invite_cseq, recv_info);
		return;
	}
	/* Its answer came in a reliable 1xx: a 2xx without SDP keeps it. */
	if (sdp == NULL && b->rseq_in != 0 && b->rseq_in_cseq == b->invite_cseq)
		sdp = b->remote_sdp;
	dialog_ack(e, b, b->invite_cseq, NULL);
	if (c->dead || c->cancel_pending || c->a.invite == NULL) {
		/* The caller is gone: hang up the answer. */
		dialog_bye(e, b);
		call_release(e, c);
		return;
	}
	if (sdp == NULL || leg_learn_media(b, sdp) != 0 ||
	    leg_keep_sdp(b, sdp) != 0) {
		dialog_bye(e, b);
		call_reply_a(e, c, 502, NULL, NULL, NULL);
		call_release(e, c);
		return;
	}
	sdp = b->remote_sdp;    /* the same text: sdp may have been the old copy */
	/* Delayed Answer: A hears B (183) but is answered only when a
	 * transfer target answers, or at the timer. */
	if (delayed_start(e, c, sdp))
		return;
	call_reply_a(e, c, 200, sdp, recv_info ? "Recv-Info" : NULL, recv_info);
	call_set_state(e, c, CALL_CONNECTED);
}

/*
 * b's INVITE goes again as a new transaction, after a 3xx referd follows
 * or a 422 it retries: the caller's INVITE with the next CSeq, the same
 * Call-ID and From tag (RFC 3261 8.1.3.4, RFC 4028 7.3), and its
 * Max-Forwards less one as the first time (leg_invite_reset: b has no
 * dialog until it is answered again).  Timer C starts again before it
 * goes (as in call_new).  0, or nonzero when it could not be sent.
 */
static int
invite_b_again(struct engine *e, struct call *c, struct leg *b,
    const struct referd_gw *gw, const char *user)
{
	osip_message_t *req = c->a.invite->tr->orig_request;
	osip_header_t *mf = NULL;
	int max_forwards = 70;

	if (osip_message_get_max_forwards(req, 0, &mf) >= 0 && mf && mf->hvalue)
		max_forwards = atoi(mf->hvalue);
	leg_invite_reset(e, b);
	ev_timer_again(e->loop, &c->timer_c);
	return send_invite_b(e, c, req, gw, user, max_forwards - 1,
	    b->invite_cseq + 1);
}

/*
 * A redirection (3xx) to an INVITE of referd's on leg (b, the called side,
 * or x, a transfer target) whose profile follows redirections
 * (referdSgpRedirect follow), fewer than referdSgpMaxRedirects (*count)
 * so far for that INVITE: the Contact of highest q-value that reaches a
 * configured gateway (target_gateway: its address, else its user's route;
 * never anywhere else) is where the INVITE goes on.  The leg is pointed
 * at that gateway (leg_towards: another peer and profile), *gwp is it and
 * *userp the Contact's user.  1 then, -1 when no endpoint reaches that
 * gateway, 0 when the redirection is not followed (what is done instead
 * is the caller's: what names that is what).
 */
int
leg_redirect(struct engine *e, struct leg *leg, const osip_message_t *resp,
    unsigned *count, const char *what, const struct referd_gw **gwp,
    const char **userp)
{
	const struct referd_sgp *p = referd_config_sgp(e->current, leg->sgp);
	const struct call *c = leg->call;
	const struct referd_gw *gw = NULL;
	osip_contact_t *ct = NULL;

	if (p == NULL || p->redirect != REFERD_REDIRECT_FOLLOW)
		return 0;
	if (*count >= p->max_redirects) {
		engine_log(e, ENGINE_LOG_NOTICE, "call %u: %d after %u "
		    "redirections: %s", c->index, resp->status_code, *count,
		    what);
		return 0;
	}
	/* The highest q-value first, the order given among equals (RFC 3261
	 * 8.1.3.4); a Contact without q counts as 1. */
	{
		double best_q = -1;
		osip_contact_t *k;

		for (int i = 0; (k = osip_list_get(&resp->contacts, i)) != NULL;
		    i++) {
			const struct referd_gw *g;
			osip_generic_param_t *q = NULL;
			double kq = 1;

			if (k->url == NULL || k->url->scheme == NULL ||
			    strcasecmp(k->url->scheme, "sip") != 0 ||
			    (g = target_gateway(e, k->url)) == NULL)
				continue;
			if (osip_contact_param_get_byname(k, "q", &q) == 0 &&
			    q != NULL && q->gvalue != NULL)
				kq = strtod(q->gvalue, NULL);
			if (kq > best_q) {
				best_q = kq;
				gw = g;
				ct = k;
			}
		}
	}
	if (gw == NULL) {
		engine_log(e, ENGINE_LOG_NOTICE, "call %u: %d: no Contact "
		    "reaches a configured gateway: %s", c->index,
		    resp->status_code, what);
		return 0;
	}
	(*count)++;
	/* Another peer (and profile). */
	endpoint_release(e, leg->ep);
	leg->ep = NULL;
	engine_log(e, ENGINE_LOG_INFO, "call %u: %d: %s redirected to gateway "
	    "%u (%s), redirection %u", c->index, resp->status_code,
	    leg == &c->x ? "transfer" : "call", gw->index, gw->name, *count);
	*gwp = gw;
	*userp = ct->url->username ? ct->url->username : "";
	return leg_towards(leg, c->a.ep, e, gw) == 0 ? 1 : -1;
}

/*
 * b redirected the call (3xx): followed per b's profile (leg_redirect),
 * on leg b (same Call-ID and From tag, the next CSeq: RFC 3261 8.1.3.4),
 * as the Contact's user at that gateway, like any call, at most
 * referdSgpMaxRedirects times in the call.  1 when it went (or the call
 * ended trying), 0 to relay the 3xx.
 */
static int
b_redirect(struct engine *e, struct call *c, struct leg *b,
    const osip_message_t *resp)
{
	const struct referd_gw *gw = NULL;
	const char *user = NULL;
	int rc;

	if (c->a.invite == NULL || c->a.invite->tr == NULL)
		return 0;
	rc = leg_redirect(e, b, resp, &c->redirects, "relayed to the caller",
	    &gw, &user);
	if (rc == 0)
		return 0;
	if ((rc < 0 || invite_b_again(e, c, b, gw, user) != 0) && !c->dead) {
		call_reply_a(e, c, 500, NULL, NULL, NULL);
		call_release(e, c);
	}
	return 1;
}

/*
 * b refused our INVITE with 422 (its Min-SE above our Session-Expires):
 * the INVITE goes again, in the same dialog-to-be, with the interval b
 * asks for (RFC 4028 7.3), once.  1 when sent, 0 to relay the failure.
 */
static int
retry_b_422(struct engine *e, struct call *c, struct leg *b,
    const osip_message_t *resp)
{
	const osip_message_t *req;
	const struct referd_gw *gw;
	const char *user;

	if (c->dead || c->cancel_pending || c->a.invite == NULL ||
	    c->a.invite->tr == NULL || timer_on_422(e, b, resp) == 0)
		return 0;
	req = c->a.invite->tr->orig_request;
	user = req->req_uri && req->req_uri->username ?
	    req->req_uri->username : "";
	if ((gw = route_lookup(e->current, user)) == NULL)
		return 0;
	engine_log(e, ENGINE_LOG_INFO, "call %u: the called party answered "
	    "422: INVITE again with Session-Expires %u", c->index,
	    b->se_asked);
	return invite_b_again(e, c, b, gw, user) == 0;
}

/* A response from b to our INVITE. */
static void
b_response(struct engine *e, struct leg *b, osip_message_t *resp)
{
	struct call *c = b->call;
	int code = resp->status_code;
	const char *sdp = body_of(resp);

	dialog_on_response(e, b, resp);
	if (code < 200) {
		b_provisional(e, c, b, code, sdp);
		return;
	}
	if (!c->dead)
		ev_timer_stop(e->loop, &c->timer_c);
	if (code < 300) {
		char *ri = header_all(resp, "Recv-Info");

		b_answered(e, c, b, sdp, ri);
		free(ri);
		return;
	}
	if (code == 422 && retry_b_422(e, c, b, resp))
		return;
	/* A redirection b's profile follows: the call goes on. */
	if (code < 400 && !c->cancel_pending && !c->dead &&
	    b_redirect(e, c, b, resp))
		return;
	/* A failure: the caller gets the same status (oSIP2 ACKs b); a
	 * redirection with every Contact it carried. */
	billing_end(c, "called", "failure", code, billing_reason(resp));
	if (!c->cancel_pending && !c->dead) {
		char *contacts = code < 400 ? contacts_of(resp) : NULL;

		call_reply_a(e, c, code, NULL, contacts ? "Contact" : NULL,
		    contacts);
		free(contacts);
	}
	call_release(e, c);
}

/*
 * A response from b to our INVITE; what referd answers the caller with
 * carries its identity as the header policy allows (build.c).  A
 * released call stays allocated until the loop reaps it.
 */
void
call_on_b_response(struct engine *e, struct leg *b, osip_message_t *resp)
{
	struct leg *a = &b->call->a;

	a->reply_relay = resp;
	a->reply_relay_sgp = b->sgp;
	b_response(e, b, resp);
	a->reply_relay = NULL;
}

/* b's or x's INVITE got no answer (Timer B) or could not be sent. */
void
call_on_invite_failed(struct engine *e, struct leg *leg, int code)
{
	struct call *c = leg->call;

	if (leg == &c->x) {
		refer_fail(e, c, code);
		return;
	}
	billing_end(c, "referd", "failure", code, NULL);
	if (!c->cancel_pending)
		call_reply_a(e, c, code, NULL, NULL, NULL);
	call_release(e, c);
}

/*
 * A party's BYE or CANCEL (req, on a leg of profile sgp) may end the
 * call: the requests referd sends to end the others carry what the
 * header policy lets pass of it (its Reason).  Kept only while it does
 * end the call (call_ended_by with req NULL, after: forgotten if not).
 */
void
call_ended_by(struct call *c, const osip_message_t *req, uint32_t sgp)
{
	if (req != NULL) {
		osip_message_free(c->ending);
		c->ending = NULL;
		osip_message_clone(req, &c->ending);
		c->ending_sgp = sgp;
	} else if (!c->dead) {
		osip_message_free(c->ending);
		c->ending = NULL;
	}
}

/* CANCEL from the caller: 487 to its INVITE, and everyone else released. */
void
call_cancelled(struct engine *e, struct call *c)
{
	call_abort(e, c, 487);
}

/* The caller's INVITE refused with code; everyone else released. */
void
call_abort(struct engine *e, struct call *c, int code)
{
	call_reply_a(e, c, code, NULL, NULL, NULL);
	abandon_b(e, c);
	/* During Delayed Answer B (and any C) had answered: hang them up. */
	dialog_bye(e, &c->b);
	dialog_bye(e, &c->x);
	call_release(e, c);
}

/*
 * End a call and the call joined to it (an attended transfer): BYE on
 * every dialog still up, then both released.
 */
void
call_end(struct engine *e, struct call *c)
{
	struct call *j = c->joined;

	if (j != NULL && c->cdr != NULL)
		billing_end(j, "joined", c->cdr->end_cause, c->cdr->end_code,
		    c->cdr->end_reason);
	for (struct call *k = c; k != NULL; k = k == c ? j : NULL) {
		dialog_bye(e, &k->a);
		dialog_bye(e, &k->b);
		dialog_bye(e, &k->x);
	}
	call_release(e, c);
	if (j != NULL)
		call_release(e, j);
}

/*
 * A party's dialog ended (its BYE, or it no longer answers): the call
 * goes on without it where it can (a transferor), else everyone else is
 * released.
 */
void
call_leg_gone(struct engine *e, struct leg *leg)
{
	struct call *c = leg->call;

	dialog_set_state(e, leg, DLG_TERMINATED);
	ev_timer_stop(e->loop, &leg->retx);
	sub_leg_gone(&c->xfer.sub, leg);
	/* The transferor hangs up during the transfer: it goes on, silently. */
	if (c->xfer.active && leg == c->xfer.transferor) {
		leg->partner = NULL;
		return;
	}
	/* A transferor still there after its transfer: only its leg ends. */
	if (leg->partner == NULL)
		return;
	/* The survivor or the transfer target: everyone else is released. */
	if (!dialog_is(leg->partner, DLG_CONFIRMED) && !leg->is_a)
		call_reply_a(e, c, 487, NULL, NULL, NULL);
	if (leg->is_a && !dialog_is(&c->b, DLG_CONFIRMED)) {
		/* A's BYE on the early dialog ends its INVITE like a CANCEL. */
		call_reply_a(e, c, 487, NULL, NULL, NULL);
		abandon_b(e, c);
	}
	billing_leg_ended(c, leg);
	call_end(e, c);
}
