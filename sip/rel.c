/*
 * rel.c: reliable provisional responses (RFC 3262, option tag 100rel), on
 * each leg on its own, as the leg's profile says (referdSgp100rel).
 *
 * As UAS, on a party's INVITE that supports or requires 100rel, every
 * provisional response but 100 goes reliably: Require: 100rel and an RSeq
 * one higher than the last, resent at T1, 2*T1, 4*T1, ... until the
 * party's PRACK names it (RAck: RSeq, the INVITE's CSeq, INVITE).  Only
 * one is unacknowledged at a time: a provisional response that comes
 * meanwhile waits for that PRACK (the latest one waits, with the last
 * body that came).  Without a PRACK for 64*T1 the INVITE is refused with
 * 500 (RFC 3262 3) and the call is ended.  A PRACK that names no
 * unacknowledged response gets 481.
 *
 * As UAC, each reliable provisional response to an INVITE referd sent is
 * acknowledged with a PRACK in the early dialog; a retransmission (the
 * same RSeq) or one out of order (not the last RSeq + 1) is neither
 * acknowledged nor processed (RFC 3262 4).  On a profile where 100rel is
 * disabled referd never offered it: such a response is taken as an
 * unreliable one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

#define T1 0.5

static void on_rel_retx(struct ev_loop *loop, ev_timer *w, int revents);

/* A new leg's watcher. */
void
rel_init(struct leg *leg)
{
	ev_init(&leg->rel_retx, on_rel_retx);
	leg->rel_retx.data = leg;
}

/* Does this request support or require 100rel? */
static int
asks_100rel(const osip_message_t *req)
{
	return header_lists(req, "Supported", "k", "100rel") ||
	    header_lists(req, "Require", NULL, "100rel");
}

/* What a party's first INVITE says of 100rel. */
void
rel_from_request(struct leg *leg, const osip_message_t *req)
{
	leg->rel_peer = asks_100rel(req);
	leg->rel_cseq = req->cseq && req->cseq->number ?
	    (unsigned)strtoul(req->cseq->number, NULL, 10) : 0;
}

/*
 * A profile that requires 100rel refuses an INVITE that does not support
 * it: 421 with Require: 100rel (RFC 3262 3).  1 once refused.
 */
int
rel_refuse(struct engine *e, struct stx *stx, uint32_t sgp)
{
	if (profile_100rel(e->current, sgp) != REFERD_100REL_REQUIRED ||
	    asks_100rel(stx->tr->orig_request))
		return 0;
	stack_reply(e, stx, 421, "Require", "100rel");
	return 1;
}

/* Does a provisional response on stx go reliably? */
int
rel_wanted(struct engine *e, const struct leg *leg, const struct stx *stx)
{
	return stx == leg->invite && leg->rel_peer &&
	    profile_100rel(e->current, leg->sgp) != REFERD_100REL_DISABLED;
}

/*
 * Send a provisional response reliably on a leg's INVITE (body: the leg's
 * SDP, or NULL), or keep it until the PRACK of the one before.
 */
int
rel_reply(struct engine *e, struct leg *leg, struct stx *stx, int code,
    const char *body)
{
	struct msg_resp r = { .leg = leg, .relay = leg->reply_relay,
	    .relay_sgp = leg->reply_relay_sgp };
	osip_message_t *resp = NULL;
	int rc;

	if (leg->rel_1xx != NULL) {
		leg->rel_next = code;
		if (body != NULL) {
			free(leg->rel_next_sdp);
			leg->rel_next_sdp = strdup(body);
		}
		return 0;
	}
	/* The first RSeq is chosen uniformly in 1..2^31 - 1 (RFC 3262 3). */
	if (leg->rseq == 0)
		leg->rseq = stack_random_u32(e) % 0x7fffffffu;
	r.rseq = ++leg->rseq;
	if (body != NULL) {
		r.content_type = "application/sdp";
		r.body = body;
	}
	if ((rc = msg_response(e, stx, code, &r, &resp)) != 0)
		return rc;
	if (osip_message_clone(resp, &leg->rel_1xx) != 0)
		leg->rel_1xx = NULL;
	leg->rel_acked = 0;
	if (body != NULL)
		leg->rel_answered = 1;
	leg->rel_interval = T1;
	leg->rel_start = ev_now(e->loop);
	leg->rel_retx.repeat = T1;
	ev_timer_again(e->loop, &leg->rel_retx);
	return stack_send_response(e, stx, resp);
}

/* Resend the unacknowledged response: T1 doubling, 64*T1 at most. */
static void
on_rel_retx(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct leg *leg = w->data;
	struct call *c = leg->call;
	struct engine *e = c->a.media.engine;
	double left;

	(void)revents;
	if (leg->rel_1xx == NULL)
		return;
	if (ev_now(loop) - leg->rel_start >= 64 * T1 - 0.01) {
		engine_log(e, ENGINE_LOG_NOTICE, "call %u: no PRACK for the "
		    "reliable %d (RSeq %u): the INVITE is refused with 500",
		    c->index, leg->rel_1xx->status_code, leg->rseq);
		rel_final(e, leg);
		if (leg != &c->a)
			leg_reply(e, leg, 500, NULL, NULL, NULL);
		call_abort(e, c, 500);
		return;
	}
	stack_send_raw(e, leg->ep, leg->transport, &leg->peer, leg->rel_1xx);
	leg->rel_interval *= 2;
	/* The next one, or the end at 64*T1 if that comes first. */
	left = leg->rel_start + 64 * T1 - ev_now(loop);
	w->repeat = leg->rel_interval < left ? leg->rel_interval : left;
	ev_timer_again(loop, w);
}

/* The unacknowledged response and the one waiting are dropped. */
static void
drop_pending(struct leg *leg)
{
	osip_message_free(leg->rel_1xx);
	leg->rel_1xx = NULL;
	leg->rel_next = 0;
	free(leg->rel_next_sdp);
	leg->rel_next_sdp = NULL;
}

/* A final response went on the leg's INVITE: no more reliable ones. */
void
rel_final(struct engine *e, struct leg *leg)
{
	ev_timer_stop(e->loop, &leg->rel_retx);
	drop_pending(leg);
}

/*
 * A PRACK from a leg's party (its dialog checked).  0 when it acknowledged
 * the reliable response referd sent last (the one waiting goes now), for
 * the caller to answer; 1 once answered 481 (it names no unacknowledged
 * response: RFC 3262 3).
 */
int
rel_on_prack(struct engine *e, struct stx *stx, struct leg *leg)
{
	const char *rack = header_first(stx->tr->orig_request, "RAck", NULL,
	    NULL);
	unsigned rseq = 0, cseq = 0;
	char method[16] = "";
	int next;
	char *sdp;

	if (rack == NULL || sscanf(rack, "%u %u %15s", &rseq, &cseq,
	    method) != 3 || leg->rseq == 0 || rseq != leg->rseq ||
	    cseq != leg->rel_cseq || strcasecmp(method, "INVITE") != 0 ||
	    leg->rel_acked) {
		engine_log(e, ENGINE_LOG_INFO, "call %u: PRACK with RAck "
		    "\"%s\" matches no reliable response: 481",
		    leg->call->index, rack ? rack : "");
		stack_reply(e, stx, 481, NULL, NULL);
		return 1;
	}
	leg->rel_acked = 1;
	next = leg->rel_next;
	sdp = leg->rel_next_sdp;
	leg->rel_next_sdp = NULL;
	rel_final(e, leg);
	if (next != 0 && leg->invite != NULL && !leg->invite->dead)
		rel_reply(e, leg, leg->invite, next, sdp);
	free(sdp);
	return 0;
}

/*
 * A provisional response to an INVITE referd sent on a leg: when reliable,
 * PRACKed in its early dialog.  1 when it is to be ignored (a
 * retransmission, or out of order), else 0.
 */
int
rel_on_response(struct engine *e, struct leg *leg, const osip_message_t *resp)
{
	const char *h = header_first(resp, "RSeq", NULL, NULL);
	unsigned rseq, cseq;
	char rack[48];
	struct msg_hdr hdrs[2] = { { "RAck", rack }, { NULL, NULL } };
	osip_message_t *prack;

	if (resp->status_code <= 100 || resp->status_code >= 200 || h == NULL ||
	    resp->cseq == NULL || resp->cseq->number == NULL ||
	    header_tag(resp->to) == NULL ||
	    !header_lists(resp, "Require", NULL, "100rel") ||
	    profile_100rel(e->current, leg->sgp) == REFERD_100REL_DISABLED)
		return 0;
	rseq = (unsigned)strtoul(h, NULL, 10);
	cseq = (unsigned)strtoul(resp->cseq->number, NULL, 10);
	if (leg->rseq_in != 0 && leg->rseq_in_cseq == cseq &&
	    rseq != leg->rseq_in + 1) {
		engine_log(e, ENGINE_LOG_DEBUG, "call %u: reliable %d with RSeq "
		    "%u after %u: %s, ignored", leg->call->index,
		    resp->status_code, rseq, leg->rseq_in,
		    rseq == leg->rseq_in ? "a retransmission" : "out of order");
		return 1;
	}
	leg->rseq_in = rseq;
	leg->rseq_in_cseq = cseq;
	dialog_on_response(e, leg, resp);
	/* An answer to referd's INVITE in it is the answer (RFC 3262 5): the
	 * 2xx need not repeat it. */
	if (cseq == leg->invite_cseq && body_of(resp) != NULL)
		leg_keep_sdp(leg, body_of(resp));
	snprintf(rack, sizeof(rack), "%u %u INVITE", rseq, cseq);
	prack = dialog_request(e, leg, "PRACK", hdrs, NULL, NULL);
	if (prack != NULL)
		stack_send_request(e, leg, prack, NULL);
	return 0;
}

/* Free what a leg's 100rel state holds (its timer is stopped). */
void
rel_clear(struct leg *leg)
{
	drop_pending(leg);
	free(leg->rel_src);
	leg->rel_src = NULL;
}
