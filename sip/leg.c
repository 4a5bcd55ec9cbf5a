/*
 * leg.c: one side of a call.  The index of legs by Call-ID, a leg's set-up
 * from the request that created it or towards a gateway, the responses it
 * sends as UAS on its INVITE, and the retransmission of its 2xx until the
 * ACK comes (oSIP2 leaves that to the core: RFC 3261 13.3.1.4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

#define T1 0.5
#define T2 4.0

static void on_retx(struct ev_loop *loop, ev_timer *w, int revents);

/* The local endpoint's address text. */
const char *
ep_host(const struct leg *leg)
{
	return leg->ep->row.address;
}

/* A new, empty leg of call c (its watchers initialised, no sockets). */
void
leg_init(struct leg *leg, struct call *c, int is_a)
{
	memset(leg, 0, sizeof(*leg));
	leg->call = c;
	leg->is_a = is_a;
	leg->media.rtp_fd = leg->media.rtcp_fd = -1;
	ev_init(&leg->retx, on_retx);
	leg->retx.data = leg;
	timer_init(leg);
	rel_init(leg);
}

/* Index a leg by its Call-ID. */
void
leg_index(struct engine *e, struct leg *leg)
{
	unsigned h = hash_str(leg->dlg.call_id) % CALL_BUCKETS;

	leg->hnext = e->leg_hash[h];
	e->leg_hash[h] = leg;
	leg->indexed = 1;
}

void
leg_unindex(struct engine *e, struct leg *leg)
{
	struct leg **pp;

	if (!leg->indexed)
		return;
	for (pp = &e->leg_hash[hash_str(leg->dlg.call_id) % CALL_BUCKETS]; *pp;
	    pp = &(*pp)->hnext)
		if (*pp == leg) {
			*pp = leg->hnext;
			break;
		}
	leg->indexed = 0;
}

/* The leg of a live call with this Call-ID, or NULL. */
struct leg *
leg_find_callid(struct engine *e, const char *cid)
{
	for (struct leg *l = e->leg_hash[hash_str(cid) % CALL_BUCKETS]; l;
	    l = l->hnext)
		if (!l->call->dead && strcmp(l->dlg.call_id, cid) == 0)
			return l;
	return NULL;
}

/* The leg a message belongs to, by Call-ID. */
struct leg *
leg_find(struct engine *e, const osip_message_t *msg)
{
	char buf[512];

	if (callid_text(msg, buf, sizeof(buf)) != 0)
		return NULL;
	return leg_find_callid(e, buf);
}

/*
 * A leg made by a request referd answers (the caller's INVITE, or an
 * INVITE with Replaces): where it came from, its profile, its INVITE
 * transaction.
 */
void
leg_from_request(struct leg *leg, struct stx *stx, uint32_t sgp)
{
	leg->ep = stx->ep;
	endpoint_hold(leg->ep);
	leg->transport = stx->transport;
	leg->peer = stx->dest;
	leg->sgp = sgp;
	leg->invite = stx;
	stx->leg = leg;
	leg->allow_update = msg_allows(stx->tr->orig_request, "UPDATE");
	rel_from_request(leg, stx->tr->orig_request);
}

/*
 * Send the INVITE (CSeq 1) that starts a leg's dialog (b, or x towards a
 * transfer target), keeping what a CANCEL of it needs: its Request-URI,
 * Via branch and CSeq number (not the whole message).  inv may be NULL
 * (it could not be built): EINVAL.
 */
int
leg_send_invite(struct engine *e, struct leg *leg, osip_message_t *inv)
{
	const char *branch;
	char *ruri = NULL;

	if (inv == NULL)
		return EINVAL;
	branch = top_branch(inv);
	if (branch == NULL || inv->cseq == NULL ||
	    osip_uri_to_str(inv->req_uri, &ruri) != 0) {
		osip_message_free(inv);
		return EINVAL;
	}
	free(leg->invite_ruri);
	free(leg->invite_branch);
	leg->invite_ruri = strdup(ruri);
	leg->invite_branch = strdup(branch);
	leg->invite_cseq = (unsigned)strtoul(inv->cseq->number, NULL, 10);
	osip_free(ruri);
	if (leg->invite_ruri == NULL || leg->invite_branch == NULL) {
		osip_message_free(inv);
		return ENOMEM;
	}
	leg->dlg.local_cseq = leg->invite_cseq;
	return stack_send_request(e, leg, inv, &leg->invite);
}

/*
 * A leg's INVITE is over (a 3xx referd follows, a 422 it retries) and
 * another goes in its place: the leg has no dialog until that one is
 * answered, and the old transaction is no longer the leg's.
 */
void
leg_invite_reset(struct engine *e, struct leg *leg)
{
	if (leg->invite != NULL)
		leg->invite->leg = NULL;
	leg->invite = NULL;
	leg->provisional = 0;
	free(leg->dlg.remote_tag);
	free(leg->dlg.remote_target);
	free(leg->dlg.route_set);
	leg->dlg.remote_tag = leg->dlg.remote_target = leg->dlg.route_set =
	    NULL;
	dialog_set_state(e, leg, DLG_NONE);
}

/* Free what a leg holds (not its media: call_release does that). */
void
leg_clear(struct leg *leg)
{
	dialog_clear(&leg->dlg);
	session_clear(leg);
	rel_clear(leg);
	free(leg->remote_sdp);
	osip_message_free(leg->last_2xx);
	free(leg->invite_ruri);
	free(leg->invite_branch);
	free(leg->fork_tag);
	leg->fork_tag = NULL;
	free(leg->more);
	leg->more = NULL;
}

/*
 * Take a leg out of its call entirely (its media, index, transactions,
 * endpoint, dialog) and leave it empty, ready to be used again.
 */
void
leg_forget(struct engine *e, struct leg *leg)
{
	struct call *c = leg->call;
	int is_a = leg->is_a;

	leg_streams_close(e, leg);
	leg_unindex(e, leg);
	if (leg->partner != NULL && leg->partner->reinv_asker == leg)
		leg->partner->reinv_asker = NULL;
	if (leg->invite != NULL)
		leg->invite->leg = NULL;
	if (leg->ping != NULL)
		leg->ping->leg = NULL;
	if (leg->ep != NULL)
		endpoint_release(e, leg->ep);
	ev_timer_stop(e->loop, &leg->retx);
	timer_stop(e, leg);
	rel_final(e, leg);
	leg_clear(leg);
	leg_init(leg, c, is_a);
}

/*
 * Respond on one of a leg's server transactions that carry a session (its
 * first INVITE, a re-INVITE, an UPDATE, a PRACK) with body, the leg's SDP
 * already written (or NULL).  On the first INVITE a provisional response
 * makes the dialog early, and goes reliably where 100rel says so (rel.c);
 * an INVITE's 2xx is kept to be resent until the ACK (oSIP2 leaves that
 * to the core).
 */
int
leg_reply_body(struct engine *e, struct leg *leg, struct stx *stx, int code,
    const char *body, const char *extra_name, const char *extra_value)
{
	struct msg_resp r = { .leg = leg, .hdr = { extra_name, extra_value },
	    .relay = leg->reply_relay, .relay_sgp = leg->reply_relay_sgp };
	osip_message_t *resp = NULL;
	int rc;

	if (stx == NULL || stx->dead || stx->tr == NULL)
		return ENOENT;
	if (stx == leg->invite && code > 100 && code < 200 &&
	    dialog_is(leg, DLG_NONE))
		dialog_set_state(e, leg, DLG_EARLY);
	if (code > 100 && code < 200 && rel_wanted(e, leg, stx))
		return rel_reply(e, leg, stx, code, body);
	if (stx == leg->invite && code >= 200)
		rel_final(e, leg);
	if (body != NULL) {
		r.content_type = "application/sdp";
		r.body = body;
	}
	/* The 2xx says the leg's session interval (RFC 4028 9). */
	if (code >= 200 && code < 300 && stx->tr != NULL)
		timer_uas(e, leg, stx->tr->orig_request);
	if ((rc = msg_response(e, stx, code, &r, &resp)) != 0)
		return rc;
	if (code >= 200 && code < 300 && MSG_IS_INVITE(stx->tr->orig_request)) {
		osip_message_free(leg->last_2xx);
		leg->last_2xx = NULL;
		osip_message_clone(resp, &leg->last_2xx);
		dialog_set_state(e, leg, DLG_CONFIRMED);
		leg->retx_interval = T1;
		leg->retx_start = ev_now(e->loop);
		leg->retx.repeat = T1;
		ev_timer_again(e->loop, &leg->retx);
	}
	return stack_send_response(e, stx, resp);
}

/*
 * Respond on a UAS leg's first INVITE (leg a, or a leg that replaced a
 * dialog), with the leg's copy of sdp when sdp != NULL.
 */
int
leg_reply(struct engine *e, struct leg *leg, int code, const char *sdp,
    const char *extra_name, const char *extra_value)
{
	char *body = NULL;
	int rc;

	if (leg->invite == NULL || leg->invite->dead)
		return ENOENT;
	/*
	 * The answer went in a reliable 1xx: a 2xx that would say the same
	 * repeats none (the offer/answer is complete).  One with other media
	 * (Delayed Answer: the transfer target's) still carries it.
	 */
	if (code >= 200 && code < 300 && leg->rel_answered && sdp != NULL &&
	    leg->rel_src != NULL && strcmp(sdp, leg->rel_src) == 0)
		sdp = NULL;
	if (code > 100 && code < 200 && sdp != NULL &&
	    rel_wanted(e, leg, leg->invite)) {
		free(leg->rel_src);
		leg->rel_src = strdup(sdp);
	}
	if (sdp != NULL && (body = leg_sdp(leg, sdp, NULL, NULL)) == NULL)
		return EINVAL;
	rc = leg_reply_body(e, leg, leg->invite, code, body, extra_name,
	    extra_value);
	free(body);
	return rc;
}

/* Resend a leg's 2xx until its ACK; give up after 64*T1 (RFC 3261 13.3.1.4). */
static void
on_retx(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct leg *leg = w->data;
	struct call *c = leg->call;
	struct engine *e = c->a.media.engine;

	(void)revents;
	if (leg->last_2xx == NULL)
		return;
	if (ev_now(loop) - leg->retx_start >= 64 * T1) {
		engine_log(e, ENGINE_LOG_WARNING, "call %u: no ACK for 2xx: "
		    "released", c->index);
		billing_end(c, "referd", "no-ack", 0, NULL);
		call_end(e, c);
		return;
	}
	stack_send_raw(e, leg->ep, leg->transport, &leg->peer, leg->last_2xx);
	leg->retx_interval *= 2;
	w->repeat = leg->retx_interval < T2 ? leg->retx_interval : T2;
	ev_timer_again(loop, w);
}

/* The ACK of a leg's 2xx arrived: no more retransmissions. */
void
leg_acked(struct engine *e, struct leg *leg)
{
	if (leg->last_2xx == NULL)
		return;
	ev_timer_stop(e->loop, &leg->retx);
	osip_message_free(leg->last_2xx);
	leg->last_2xx = NULL;
}

/*
 * An INVITE that repeats one whose IST has ended (it ends with the 2xx):
 * without a To tag, the caller's first INVITE; with the leg's tag and the
 * CSeq of the last request, a re-INVITE already answered.  The 2xx is
 * sent again if it is still being retransmitted; no new transaction is
 * created (RFC 3261 13.3.1.4).  1 when absorbed.
 */
int
leg_absorb(struct engine *e, osip_message_t *msg)
{
	const char *to = header_tag(msg->to);
	struct leg *leg;

	if (!MSG_IS_INVITE(msg) || (leg = leg_find(e, msg)) == NULL)
		return 0;
	if (to == NULL ? !leg->is_a : leg->dlg.local_tag == NULL ||
	    strcmp(to, leg->dlg.local_tag) != 0 || leg->last_2xx == NULL ||
	    strtoul(msg->cseq->number, NULL, 10) != leg->dlg.remote_cseq)
		return 0;
	if (leg->last_2xx != NULL)
		stack_send_raw(e, leg->ep, leg->transport, &leg->peer,
		    leg->last_2xx);
	return 1;
}
