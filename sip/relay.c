/*
 * relay.c: in-dialog requests carried to the other party of a call, and
 * their final response carried back: INFO (RFC 6086: DTMF as
 * application/dtmf-relay or application/dtmf, ISUP, any Info Package)
 * and MESSAGE (RFC 3428).  referd is a B2BUA: such a request belongs to
 * the two parties, so it is not answered here but becomes a request of
 * referd's in the other party's dialog (its CSeq, tags, route set), with
 * the body byte for byte under its Content-Type and the headers that
 * describe it; the other party's final status (and its reason phrase,
 * and its body likewise) goes back to the sender.
 *
 * The two transactions are paired by their `relay` pointers (struct stx);
 * when either ends, the other forgets it.  No leg is referenced, so a
 * call that ends meanwhile leaves nothing dangling: the request's
 * transaction still gets the answer, or 408 when none comes (Timer F),
 * 503 when it could not be sent.
 *
 * During a transfer a request goes to the party its sender is connected
 * to at that moment (leg->partner): the transferor until the transfer
 * target answers, the target from then on.  It is neither held nor
 * refused: DTMF must reach whoever listens (an IVR on the transferor's
 * side keeps the call until the target answers), and a 491 or 500
 * would make the sender's digits arrive late or out of order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/*
 * Headers of a relayed request that describe it or its body; those of
 * the body (of_body) go back too with the body of a final response.
 */
static const struct {
	const char *name, *compact;
	int         of_body;
} carried[] = {
	{ "Info-Package", NULL, 0 },          /* RFC 6086 */
	{ "Content-Disposition", NULL, 1 },
	{ "Content-Encoding", "e", 1 },
	{ "Content-Language", NULL, 1 },
	{ "Subject", "s", 0 },                /* MESSAGE */
};

/* Headers of a final response carried back with its status. */
static const char *const carried_back[] = {
	"Recv-Info", "Retry-After", "Unsupported", "Accept", "Warning",
};

/*
 * Is there a party to relay a request of `leg` to: its partner, in an
 * early or confirmed dialog (an INFO to an IVR during Delayed Answer goes
 * in B's confirmed dialog from A's early one)?
 */
static struct leg *
relay_target(struct leg *leg)
{
	struct leg *p = leg->partner;

	if (p == NULL || p->call->dead || p->dlg.remote_tag == NULL ||
	    !(dialog_is(p, DLG_CONFIRMED) || dialog_is(p, DLG_EARLY)))
		return NULL;
	return p;
}

/*
 * An INFO or MESSAGE in one of referd's dialogs (checked by the caller:
 * dialog_check): sent to the other party, or answered 480 when nobody is
 * behind the dialog (a transferor left alone after its transfer, a
 * transfer target not yet answered).
 */
void
relay_on_request(struct engine *e, struct stx *stx, struct leg *leg)
{
	osip_message_t *req = stx->tr->orig_request, *out;
	struct msg_hdr hdrs[MSG_HDRS_MAX] = { { NULL, NULL } };
	struct leg *p = relay_target(leg);
	struct stx *cstx = NULL;
	char *ct = NULL;
	const char *body;
	size_t blen = 0;
	int n = 0;

	if (p == NULL) {
		stack_reply(e, stx, 480, NULL, NULL);
		return;
	}
	for (size_t i = 0; i < sizeof(carried) / sizeof(carried[0]); i++) {
		const char *v = header_first(req, carried[i].name,
		    carried[i].compact, NULL);

		if (v != NULL && n < MSG_HDRS_MAX)
			hdrs[n++] = (struct msg_hdr){ carried[i].name, v };
	}
	body = body_raw(req, &blen);
	if (body != NULL)
		ct = header_raw(req, "Content-Type", "c");
	if (body != NULL && ct == NULL) {
		/* A body without a type says nothing the other side can read. */
		stack_reply(e, stx, 400, NULL, NULL);
		return;
	}
	{
		struct msg_req r = {
			.method = req->sip_method, .leg = p, .in_dialog = 1,
			.cseq = ++p->dlg.local_cseq, .content_type = ct,
			.body = body, .body_len = blen,
		};

		memcpy(r.hdrs, hdrs, sizeof(hdrs));
		out = msg_request(e, &r);
	}
	free(ct);
	if (out == NULL || stack_send_request(e, p, out, &cstx) != 0 ||
	    cstx == NULL || cstx->dead) {
		stack_reply(e, stx, 500, NULL, NULL);
		return;
	}
	/* Only the pair: the leg may be gone before the answer comes. */
	cstx->leg = NULL;
	cstx->relay = stx;
	stx->relay = cstx;
	engine_log(e, ENGINE_LOG_DEBUG, "call %u: %s relayed to the %s",
	    leg->call->index, req->sip_method, p->is_a ? "caller" :
	    "called party");
}

/*
 * A final response (resp), or none (resp NULL: code 408 or 503), to a
 * request referd relayed: the same status goes back to its sender, with
 * the response's body byte for byte under its Content-Type (the same
 * type and parameters; oSIP2 prints it with a space after each ';') and
 * the headers that describe it (a body without a Content-Type says
 * nothing the sender can read: left out).  1 when stx was such a request, else 0.
 */
int
relay_on_result(struct engine *e, struct stx *stx, int code,
    const osip_message_t *resp)
{
	struct stx *in = stx->relay;
	struct msg_resp r = { .leg = NULL };
	osip_message_t *out = NULL;
	char *v[MSG_HDRS_MAX], *ct = NULL;
	const char *body = NULL;
	size_t blen = 0;
	int n = 0;

	if (in == NULL)
		return 0;
	if (resp != NULL)
		code = resp->status_code;
	if (code < 200)
		return 1;
	stx->relay = NULL;
	in->relay = NULL;
	if (resp != NULL) {
		r.reason = resp->reason_phrase;
		for (size_t i = 0; i < sizeof(carried_back) /
		    sizeof(carried_back[0]) && n < MSG_HDRS_MAX; i++)
			if ((v[n] = header_raw(resp, carried_back[i], NULL)) != NULL) {
				r.more[n] = (struct msg_hdr){ carried_back[i], v[n] };
				n++;
			}
		if ((body = body_raw(resp, &blen)) != NULL)
			ct = header_raw(resp, "Content-Type", "c");
	}
	if (ct != NULL) {
		r.content_type = ct;
		r.body = body;
		r.body_len = blen;
		for (size_t i = 0; i < sizeof(carried) / sizeof(carried[0]) &&
		    n < MSG_HDRS_MAX; i++)
			if (carried[i].of_body && (v[n] = header_raw(resp,
			    carried[i].name, carried[i].compact)) != NULL) {
				r.more[n] = (struct msg_hdr){ carried[i].name, v[n] };
				n++;
			}
	}
	if (msg_response(e, in, code, &r, &out) == 0)
		stack_send_response(e, in, out);
	free(ct);
	while (n > 0)
		free(v[--n]);
	return 1;
}

/* A transaction ended: its partner in a relay forgets it. */
void
relay_kill_stx(struct stx *stx)
{
	if (stx->relay != NULL) {
		stx->relay->relay = NULL;
		stx->relay = NULL;
	}
}
