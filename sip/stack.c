/*
 * stack.c: oSIP2's transaction state machines, driven from the engine's
 * libev loop.
 *
 * referd keeps its own index of transactions (a hash of top-Via branch
 * and method) and hands each incoming message straight to its
 * transaction with osip_transaction_execute(), so that no lookup walks
 * oSIP2's lists.  oSIP2's callbacks only record what happened (struct
 * deferred); the call logic runs after oSIP2 has returned, because
 * nothing may execute a transaction or free one from inside a callback.
 * A transaction that terminates is taken out of oSIP2's lists in the kill
 * callback and freed at the end of the loop iteration (stack_reap).
 *
 * oSIP2's timers (A..K) live in its transaction contexts.  Each of our
 * transactions has its own ev_timer, armed at the soonest of its
 * context's deadlines after every event; when it fires, oSIP2 is asked
 * which timer event is due for that transaction alone (the exported
 * __osip_*_need_timer_*_event functions that osip_timers_*_execute would
 * call for every transaction) and the event is executed.  Transactions
 * are taken out of oSIP2's global lists as soon as they are created, so
 * nothing walks those lists: at thousands of live transactions each walk
 * would cost milliseconds.
 *
 * A transaction whose only work left is to wait out its retransmission
 * window (NIST Completed: Timer J, 32 s on UDP; ICT Completed: Timer D,
 * 32 s; NICT Completed: Timer K; IST Confirmed: Timer I) is settled at
 * the end of the loop iteration: its oSIP2 transaction is freed and only
 * the key, the timer and the text a retransmission gets back (the final
 * response of a NIST, the ACK of an ICT) stay indexed until the
 * deadline.  An oSIP2 transaction is 15 KB (its DNS SRV record alone is
 * 14.9 KB) plus its parsed messages; kept 32 s after every BYE, that was
 * ~33 KiB per finished call and most of referd's memory traffic.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/*
 * oSIP2 exports these (osip_timers_*_execute calls them for each
 * transaction) without declaring them in an installed header.
 */
osip_event_t *__osip_ict_need_timer_a_event(osip_ict_t *, state_t, int);
osip_event_t *__osip_ict_need_timer_b_event(osip_ict_t *, state_t, int);
osip_event_t *__osip_ict_need_timer_d_event(osip_ict_t *, state_t, int);
osip_event_t *__osip_ist_need_timer_g_event(osip_ist_t *, state_t, int);
osip_event_t *__osip_ist_need_timer_h_event(osip_ist_t *, state_t, int);
osip_event_t *__osip_ist_need_timer_i_event(osip_ist_t *, state_t, int);
osip_event_t *__osip_nict_need_timer_e_event(osip_nict_t *, state_t, int);
osip_event_t *__osip_nict_need_timer_f_event(osip_nict_t *, state_t, int);
osip_event_t *__osip_nict_need_timer_k_event(osip_nict_t *, state_t, int);
osip_event_t *__osip_nist_need_timer_j_event(osip_nist_t *, state_t, int);

static void stx_arm(struct engine *e, struct stx *s);
static void on_stx_timer(struct ev_loop *loop, ev_timer *w, int revents);

/* djb2 over a string: the hash of the transaction and Call-ID indexes. */
unsigned
hash_str(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The branch parameter of a message's top Via, or NULL. */
const char *
top_branch(const osip_message_t *msg)
{
	osip_via_t *via = NULL;
	osip_generic_param_t *br = NULL;

	if (osip_message_get_via(msg, 0, &via) < 0 || via == NULL ||
	    osip_via_param_get_byname(via, "branch", &br) != 0 || br == NULL)
		return NULL;
	return br->gvalue;
}

/* The index key of a message: top-Via branch '|' method. */
static char *
stx_key(const osip_message_t *msg)
{
	const char *branch = top_branch(msg), *method;
	char *key;
	size_t n;

	if (branch == NULL)
		return NULL;
	if (MSG_IS_REQUEST(msg))
		method = msg->sip_method;
	else if (msg->cseq != NULL && msg->cseq->method != NULL)
		method = msg->cseq->method;
	else
		return NULL;
	if (strcmp(method, "ACK") == 0)
		method = "INVITE";   /* ACK for a non-2xx final goes to its IST */
	n = strlen(branch) + strlen(method) + 2;
	key = malloc(n);
	if (key != NULL)
		snprintf(key, n, "%s|%s", branch, method);
	return key;
}

static struct stx *
stx_find(struct engine *e, const char *key)
{
	for (struct stx *s = e->stx_hash[hash_str(key) % STX_BUCKETS]; s;
	    s = s->hnext)
		if (!s->dead && strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

static void
stx_unindex(struct engine *e, struct stx *stx)
{
	struct stx **pp = &e->stx_hash[hash_str(stx->key) % STX_BUCKETS];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == stx) {
			*pp = stx->hnext;
			return;
		}
}

/* Wrap and index a transaction. */
static struct stx *
stx_new(struct engine *e, osip_transaction_t *tr, char *key)
{
	struct stx *s = calloc(1, sizeof(*s));
	unsigned b;

	if (s == NULL) {
		free(key);
		return NULL;
	}
	s->tr = tr;
	s->key = key;
	s->type = tr->ctx_type;
	s->engine = e;
	if (++e->n_stx > e->stx_peak)
		e->stx_peak = e->n_stx;
	osip_transaction_set_reserved2(tr, s);
	b = hash_str(key) % STX_BUCKETS;
	s->hnext = e->stx_hash[b];
	e->stx_hash[b] = s;
	ev_init(&s->timer, on_stx_timer);
	s->timer.data = s;
	/* Out of oSIP2's global lists: this index and timer replace them. */
	osip_remove_transaction(e->osip, tr);
	return s;
}

/* Record an oSIP2 callback for after oSIP2 returns. */
static void
defer(struct engine *e, int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct deferred *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return;
	d->type = type;
	d->stx = osip_transaction_get_reserved2(tr);
	d->msg = msg;
	if (e->deferred_tail)
		e->deferred_tail->next = d;
	else
		e->deferred = d;
	e->deferred_tail = d;
}

/* Run the call logic for everything oSIP2 reported. */
static void
drain(struct engine *e)
{
	struct deferred *d;

	while ((d = e->deferred) != NULL) {
		e->deferred = d->next;
		if (e->deferred == NULL)
			e->deferred_tail = NULL;
		if (d->stx != NULL && d->type == STX_KILLED)
			call_kill_stx(e, d->stx);
		else if (d->stx != NULL)
			call_on_event(e, d);
		free(d);
	}
}

static void
cb_message(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	defer(osip_transaction_get_reserved3(tr), type, tr, msg);
}

/* Kill callback: out of oSIP2's lists now, freed by stack_reap. */
static void
cb_kill(int type, osip_transaction_t *tr)
{
	struct engine *e = osip_transaction_get_reserved3(tr);
	struct stx *s = osip_transaction_get_reserved2(tr);

	osip_remove_transaction(e->osip, tr);
	if (s == NULL || s->dead)
		return;
	s->dead = 1;
	ev_timer_stop(e->loop, &s->timer);
	stx_unindex(e, s);
	/* The leg learns of it after the events queued before it. */
	defer(e, STX_KILLED, tr, NULL);
	s->reap_next = e->stx_reap;
	e->stx_reap = s;
}

/* Timer B/F expiry and transport errors arrive as deferred events too. */
static void
cb_transport_error(int type, osip_transaction_t *tr, int error)
{
	defer(osip_transaction_get_reserved3(tr), STX_TRANSPORT_ERROR, tr, NULL);
}

/* oSIP2 wants a message sent: to the transaction's own destination. */
static int
cb_send(osip_transaction_t *tr, osip_message_t *msg, char *host, int port,
    int out_socket)
{
	struct engine *e = osip_transaction_get_reserved3(tr);
	struct stx *s = osip_transaction_get_reserved2(tr);
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (s == NULL || osip_message_to_str(msg, &buf, &len) != 0)
		return -1;
	rc = transport_send(e, s->ep, s->transport, &s->dest, buf, len);
	osip_free(buf);
	return rc ? -1 : 0;
}

/* oSIP2's trace output goes to referd's log, warnings and worse only. */
static struct engine *trace_engine;

static void
trace_func(const char *fi, int li, osip_trace_level_t level, const char *fmt,
    va_list ap)
{
	char buf[400];

	if (trace_engine == NULL || level > OSIP_WARNING)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\r\n")] = '\0';
	engine_log(trace_engine, ENGINE_LOG_DEBUG, "osip %s:%d: %s", fi, li, buf);
}

int
stack_init(struct engine *e)
{
	static const int ict[] = { OSIP_ICT_STATUS_1XX_RECEIVED,
	    OSIP_ICT_STATUS_2XX_RECEIVED, OSIP_ICT_STATUS_3XX_RECEIVED,
	    OSIP_ICT_STATUS_4XX_RECEIVED, OSIP_ICT_STATUS_5XX_RECEIVED,
	    OSIP_ICT_STATUS_6XX_RECEIVED, OSIP_IST_INVITE_RECEIVED,
	    OSIP_IST_ACK_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED,
	    OSIP_NICT_STATUS_3XX_RECEIVED, OSIP_NICT_STATUS_4XX_RECEIVED,
	    OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
	    OSIP_NIST_BYE_RECEIVED, OSIP_NIST_OPTIONS_RECEIVED,
	    OSIP_NIST_INFO_RECEIVED, OSIP_NIST_CANCEL_RECEIVED,
	    OSIP_NIST_NOTIFY_RECEIVED, OSIP_NIST_SUBSCRIBE_RECEIVED,
	    OSIP_NIST_REGISTER_RECEIVED, OSIP_NIST_UNKNOWN_REQUEST_RECEIVED,
	    OSIP_ICT_STATUS_TIMEOUT, OSIP_NICT_STATUS_TIMEOUT };

	if (osip_init(&e->osip) != 0)
		return ENOMEM;
	trace_engine = e;
	/* Only the levels logged: oSIP2 formats a trace before calling us. */
	osip_trace_initialize_func(OSIP_INFO1, trace_func);
	osip_set_application_context(e->osip, e);
	osip_set_cb_send_message(e->osip, cb_send);
	for (size_t i = 0; i < sizeof(ict) / sizeof(ict[0]); i++)
		osip_set_message_callback(e->osip, ict[i], cb_message);
	for (int k = 0; k < OSIP_KILL_CALLBACK_COUNT; k++)
		osip_set_kill_transaction_callback(e->osip, k, cb_kill);
	for (int k = 0; k < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; k++)
		osip_set_transport_error_callback(e->osip, k, cb_transport_error);
	return 0;
}

/* A transaction that only waits out its retransmission window. */
static int
stx_waiting(const osip_transaction_t *tr)
{
	return tr->state == NIST_COMPLETED || tr->state == ICT_COMPLETED ||
	    tr->state == NICT_COMPLETED || tr->state == IST_CONFIRMED;
}

/*
 * Settle a waiting transaction (see the top of this file): keep what a
 * retransmission gets back, tell its owner it is over, free the oSIP2
 * transaction.  Its timer stays armed at the same deadline.  Only at the
 * end of a loop iteration: call logic still running may hold its request.
 */
static void
stx_settle(struct engine *e, struct stx *s)
{
	osip_transaction_t *tr = s->tr;
	osip_message_t *again;

	/* Not worth it for a wait that ends at once (reliable transports,
	 * where Timers J, K, D and I are 0). */
	if (s->dead || tr == NULL || !stx_waiting(tr) ||
	    !ev_is_active(&s->timer) ||
	    ev_timer_remaining(e->loop, &s->timer) < 0.1)
		return;
	again = tr->state == NIST_COMPLETED ? tr->last_response :
	    tr->state == ICT_COMPLETED ? tr->ack : NULL;
	if (again != NULL &&
	    osip_message_to_str(again, &s->again, &s->again_len) != 0)
		return;        /* keep the whole transaction instead */
	call_kill_stx(e, s);
	osip_transaction_free2(tr);
	s->tr = NULL;
}

/* A retransmission that reached a settled transaction. */
static void
stx_settled_receive(struct engine *e, struct stx *s, const osip_message_t *msg)
{
	if (s->again == NULL)
		return;                         /* absorbed */
	if ((s->type == NIST && MSG_IS_REQUEST(msg)) ||
	    (s->type == ICT && MSG_IS_RESPONSE(msg) && msg->status_code >= 300))
		transport_send(e, s->ep, s->transport, &s->dest, s->again,
		    s->again_len);
}

static void
stx_free(struct engine *e, struct stx *s)
{
	endpoint_unref(e, s->ep);
	if (s->tr != NULL)
		osip_transaction_free2(s->tr);
	osip_free(s->again);
	free(s->key);
	free(s);
	e->n_stx--;
}

/* Free the transactions whose kill callback has run. */
void
stack_reap(struct engine *e)
{
	struct stx *s;

	while ((s = e->stx_settle) != NULL) {
		e->stx_settle = s->settle_next;
		s->settling = 0;
		stx_settle(e, s);
	}
	while ((s = e->stx_reap) != NULL) {
		e->stx_reap = s->reap_next;
		stx_free(e, s);
	}
}

void
stack_free(struct engine *e)
{
	if (e->osip == NULL)
		return;
	e->stx_settle = NULL;    /* all of them are in the index */
	for (unsigned b = 0; b < STX_BUCKETS; b++)
		while (e->stx_hash[b] != NULL) {
			struct stx *s = e->stx_hash[b];

			e->stx_hash[b] = s->hnext;
			ev_timer_stop(e->loop, &s->timer);
			s->ep = NULL;   /* transport_close_all freed them */
			stx_free(e, s);
		}
	stack_reap(e);
	while (e->deferred) {
		struct deferred *d = e->deferred;

		e->deferred = d->next;
		free(d);
	}
	e->deferred_tail = NULL;
	osip_release(e->osip);
	e->osip = NULL;
	trace_engine = NULL;
}

/* The earlier of a deadline so far and a timer's start (tv_sec -1 = off). */
static void
earliest(struct timeval *best, int *have, const struct timeval *t)
{
	if (t->tv_sec == -1)
		return;
	if (!*have || t->tv_sec < best->tv_sec || (t->tv_sec == best->tv_sec &&
	    t->tv_usec < best->tv_usec)) {
		*best = *t;
		*have = 1;
	}
}

/* Arm a transaction's own timer at its soonest oSIP2 deadline. */
static void
stx_arm(struct engine *e, struct stx *s)
{
	osip_transaction_t *tr = s->tr;
	struct timeval best = { 0, 0 }, now;
	int have = 0;
	double after;

	if (s->dead)
		return;
	/*
	 * Only the timers the current state runs: oSIP2 leaves old start
	 * times in place when it leaves a state (A and B after CALLING, G
	 * and H after COMPLETED), and those must not re-arm the timer.
	 */
	if (tr->ict_context) {
		if (tr->state == ICT_CALLING) {
			earliest(&best, &have, &tr->ict_context->timer_a_start);
			earliest(&best, &have, &tr->ict_context->timer_b_start);
		} else if (tr->state == ICT_COMPLETED)
			earliest(&best, &have, &tr->ict_context->timer_d_start);
	} else if (tr->ist_context) {
		if (tr->state == IST_COMPLETED) {
			earliest(&best, &have, &tr->ist_context->timer_g_start);
			earliest(&best, &have, &tr->ist_context->timer_h_start);
		} else if (tr->state == IST_CONFIRMED)
			earliest(&best, &have, &tr->ist_context->timer_i_start);
	} else if (tr->nict_context) {
		if (tr->state == NICT_TRYING || tr->state == NICT_PROCEEDING) {
			earliest(&best, &have, &tr->nict_context->timer_e_start);
			earliest(&best, &have, &tr->nict_context->timer_f_start);
		} else if (tr->state == NICT_COMPLETED)
			earliest(&best, &have, &tr->nict_context->timer_k_start);
	} else if (tr->nist_context) {
		if (tr->state == NIST_COMPLETED)
			earliest(&best, &have, &tr->nist_context->timer_j_start);
	}
	ev_timer_stop(e->loop, &s->timer);
	if (!have)
		return;
	osip_gettimeofday(&now, NULL);    /* oSIP2's own clock */
	after = (double)(best.tv_sec - now.tv_sec) +
	    (best.tv_usec - now.tv_usec) / 1e6;
	/* At least 1 ms: a deadline just reached may not be due to oSIP2 yet. */
	ev_timer_set(&s->timer, after > 0.001 ? after : 0.001, 0.);
	ev_timer_start(e->loop, &s->timer);
	if (stx_waiting(tr) && !s->settling) {
		s->settling = 1;
		s->settle_next = e->stx_settle;
		e->stx_settle = s;
	}
}

/* The timer event oSIP2 says is due for one transaction, or NULL. */
static osip_event_t *
stx_due(osip_transaction_t *tr)
{
	osip_event_t *evt = NULL;
	int id = tr->transactionid;

	if (tr->ict_context) {
		osip_ict_t *c = tr->ict_context;

		if ((evt = __osip_ict_need_timer_b_event(c, tr->state, id)) ||
		    (evt = __osip_ict_need_timer_a_event(c, tr->state, id)))
			return evt;
		evt = __osip_ict_need_timer_d_event(c, tr->state, id);
	} else if (tr->ist_context) {
		osip_ist_t *c = tr->ist_context;

		if ((evt = __osip_ist_need_timer_i_event(c, tr->state, id)) ||
		    (evt = __osip_ist_need_timer_h_event(c, tr->state, id)))
			return evt;
		evt = __osip_ist_need_timer_g_event(c, tr->state, id);
	} else if (tr->nict_context) {
		osip_nict_t *c = tr->nict_context;

		if ((evt = __osip_nict_need_timer_k_event(c, tr->state, id)) ||
		    (evt = __osip_nict_need_timer_f_event(c, tr->state, id)))
			return evt;
		evt = __osip_nict_need_timer_e_event(c, tr->state, id);
	} else if (tr->nist_context) {
		evt = __osip_nist_need_timer_j_event(tr->nist_context, tr->state,
		    id);
	}
	return evt;
}

/* A transaction's timer fired: run the due event, then the call logic. */
static void
on_stx_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct stx *s = w->data;
	struct engine *e = s->engine;
	osip_event_t *evt;

	if (s->dead)
		return;
	if (s->tr == NULL) {
		stack_abandon(e, s);    /* a settled transaction's wait is over */
		return;
	}
	evt = stx_due(s->tr);
	if (evt != NULL)
		osip_transaction_execute(s->tr, evt);
	drain(e);
	stx_arm(e, s);
}

/* Reply statelessly to a request no transaction could take (400). */
static void
reply_stateless(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, osip_message_t *req, int code)
{
	osip_message_t *resp = NULL;
	char *buf = NULL;
	size_t len;

	if (osip_message_init(&resp) != 0)
		return;
	osip_message_set_version(resp, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(resp, code);
	osip_message_set_reason_phrase(resp,
	    osip_strdup(osip_message_get_reason(code)));
	if (osip_list_clone(&req->vias, &resp->vias,
	    (int (*)(void *, void **))&osip_via_clone) != 0 ||
	    (req->from && osip_from_clone(req->from, &resp->from)) ||
	    (req->to && osip_to_clone(req->to, &resp->to)) ||
	    (req->call_id && osip_call_id_clone(req->call_id, &resp->call_id)) ||
	    (req->cseq && osip_cseq_clone(req->cseq, &resp->cseq)))
		goto out;
	/* A final response carries a To tag (RFC 3261 8.2.6.2). */
	if (resp->to != NULL && header_tag(resp->to) == NULL) {
		char tag[32];

		stack_new_tag(e, tag, sizeof(tag));
		osip_to_set_tag(resp->to, osip_strdup(tag));
	}
	osip_message_set_content_length(resp, "0");
	if (osip_message_to_str(resp, &buf, &len) == 0)
		transport_send(e, ep, transport, src, buf, len);
	osip_free(buf);
out:
	osip_message_free(resp);
}

/*
 * What is wrong with a message osip_parse() accepted, as the status a
 * request gets (0: nothing): RFC 3261 8.2 and 18.3, RFC 4475 3.1.2.
 *   505  a SIP version other than 2.0;
 *   400  a Content-Length that is not a number, or (UDP) larger than the
 *        body that came; a CSeq method that is not the request's;
 *   416  a Request-URI that is not sip or sips.
 */
static int
message_fault(const osip_message_t *msg, int transport, const char *buf,
    size_t len)
{
	const char *v;

	if (msg->sip_version == NULL ||
	    strcasecmp(msg->sip_version, "SIP/2.0") != 0)
		return 505;
	if (msg->content_length != NULL) {
		char *end;
		unsigned long cl;

		v = msg->content_length->value;
		if (v == NULL || *v < '0' || *v > '9')
			return 400;
		cl = strtoul(v, &end, 10);
		if (*end != '\0')
			return 400;
		if (!transport_reliable(transport)) {    /* a datagram */
			const char *hend = memmem(buf, len, "\r\n\r\n", 4);
			size_t body = hend ? len - (size_t)(hend + 4 - buf) : 0;

			if (hend == NULL && (hend = memmem(buf, len, "\n\n", 2)))
				body = len - (size_t)(hend + 2 - buf);
			if (cl > body)
				return 400;
		}
	}
	if (MSG_IS_REQUEST(msg)) {
		if (msg->sip_method == NULL ||
		    strcasecmp(msg->sip_method, msg->cseq->method) != 0)
			return 400;
		if (msg->req_uri == NULL || msg->req_uri->scheme == NULL ||
		    (strcasecmp(msg->req_uri->scheme, "sip") != 0 &&
		    strcasecmp(msg->req_uri->scheme, "sips") != 0))
			return 416;
	}
	return 0;
}

void
stack_receive(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, const char *buf, size_t len)
{
	osip_event_t *evt = osip_parse(buf, len);
	osip_message_t *msg;
	struct stx *stx;
	char host[INET6_ADDRSTRLEN], *key;
	int port;

	if (evt == NULL || evt->sip == NULL) {
		/* Not SIP enough to answer: dropped (RFC 3261 18.3/16.3). */
		if (evt)
			osip_event_free(evt);
		return;
	}
	msg = evt->sip;
	if (msg->call_id == NULL || msg->cseq == NULL || msg->from == NULL ||
	    msg->to == NULL || osip_list_size(&msg->vias) < 1 ||
	    msg->cseq->method == NULL || msg->cseq->number == NULL) {
		if (MSG_IS_REQUEST(msg) && osip_list_size(&msg->vias) >= 1 &&
		    !MSG_IS_ACK(msg))
			reply_stateless(e, ep, transport, src, msg, 400);
		osip_event_free(evt);
		return;
	}
	{
		int code = message_fault(msg, transport, buf, len);

		if (code != 0) {
			/* A response is dropped; so is an ACK (no answer). */
			if (MSG_IS_REQUEST(msg) && !MSG_IS_ACK(msg))
				reply_stateless(e, ep, transport, src, msg, code);
			osip_event_free(evt);
			return;
		}
	}
	addr_to_text(src, host, sizeof(host), &port);
	if (MSG_IS_REQUEST(msg))
		osip_message_fix_last_via_header(msg, host, port);
	key = stx_key(msg);
	if (key == NULL) {
		if (MSG_IS_REQUEST(msg) && !MSG_IS_ACK(msg))
			reply_stateless(e, ep, transport, src, msg, 400);
		osip_event_free(evt);
		return;
	}
	stx = stx_find(e, key);
	if (stx != NULL && stx->tr == NULL) {
		free(key);
		stx_settled_receive(e, stx, msg);
		osip_event_free(evt);
		return;
	} else if (stx != NULL) {
		free(key);
		osip_transaction_execute(stx->tr, evt);
	} else if (MSG_IS_RESPONSE(msg) || MSG_IS_ACK(msg)) {
		/* A 2xx after its ICT ended, or the ACK for a 2xx. */
		free(key);
		call_on_stray(e, ep, transport, src, msg);
		osip_event_free(evt);
	} else if (call_absorb(e, msg)) {
		free(key);
		osip_event_free(evt);
	} else {
		osip_transaction_t *tr = NULL;

		if (osip_transaction_init(&tr, MSG_IS_INVITE(msg) ? IST : NIST,
		    e->osip, msg) != 0 || (stx = stx_new(e, tr, key)) == NULL) {
			if (tr)
				osip_transaction_free(tr);
			else
				free(key);
			reply_stateless(e, ep, transport, src, msg, 500);
			osip_event_free(evt);
			return;
		}
		osip_transaction_set_reserved3(tr, e);
		stx->dest = *src;
		stx->ep = ep;
		if (ep != NULL)
			ep->refs++;
		stx->transport = transport;
		osip_transaction_execute(tr, evt);
	}
	drain(e);
	if (stx != NULL)
		stx_arm(e, stx);
}

int
stack_send_response(struct engine *e, struct stx *stx, osip_message_t *resp)
{
	osip_event_t *evt;

	if (stx == NULL || stx->dead || stx->tr == NULL) {
		osip_message_free(resp);
		return ENOENT;
	}
	evt = osip_new_outgoing_sipmessage(resp);
	if (evt == NULL) {
		osip_message_free(resp);
		return ENOMEM;
	}
	evt->transactionid = stx->tr->transactionid;
	osip_transaction_execute(stx->tr, evt);
	drain(e);
	stx_arm(e, stx);
	return 0;
}

/*
 * Build a response to the transaction's request: status line, Via, From,
 * To (with a tag when given), Call-ID, CSeq; an extra header if given.
 */
static int
build_response(struct stx *stx, int code, const char *to_tag,
    osip_message_t **respp)
{
	osip_message_t *req = stx->tr->orig_request, *resp = NULL;
	osip_generic_param_t *tagp = NULL;

	if (req == NULL || osip_message_init(&resp) != 0)
		return ENOMEM;
	osip_message_set_version(resp, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(resp, code);
	osip_message_set_reason_phrase(resp,
	    osip_strdup(osip_message_get_reason(code)));
	if (osip_list_clone(&req->vias, &resp->vias,
	    (int (*)(void *, void **))&osip_via_clone) != 0 ||
	    osip_from_clone(req->from, &resp->from) != 0 ||
	    osip_to_clone(req->to, &resp->to) != 0 ||
	    osip_call_id_clone(req->call_id, &resp->call_id) != 0 ||
	    osip_cseq_clone(req->cseq, &resp->cseq) != 0) {
		osip_message_free(resp);
		return ENOMEM;
	}
	if (code > 100 && to_tag != NULL &&
	    (osip_to_get_tag(resp->to, &tagp) != 0 || tagp == NULL))
		osip_to_set_tag(resp->to, osip_strdup(to_tag));
	*respp = resp;
	return 0;
}

int
stack_reply_build(struct engine *e, struct stx *stx, int code,
    osip_message_t **respp)
{
	char tag[32];
	const char *use_tag;

	if (stx == NULL || stx->dead || stx->tr == NULL)
		return ENOENT;
	if (stx->leg != NULL && stx->leg->local_tag != NULL)
		use_tag = stx->leg->local_tag;
	else {
		stack_new_tag(e, tag, sizeof(tag));
		use_tag = tag;
	}
	return build_response(stx, code, use_tag, respp) ? ENOMEM : 0;
}

int
stack_reply(struct engine *e, struct stx *stx, int code,
    const char *extra_name, const char *extra_value)
{
	osip_message_t *resp;

	if (stack_reply_build(e, stx, code, &resp) != 0)
		return ENOMEM;
	if (extra_name != NULL)
		osip_message_set_header(resp, extra_name, extra_value);
	osip_message_set_content_length(resp, "0");
	return stack_send_response(e, stx, resp);
}

int
stack_send_request(struct engine *e, struct leg *leg, osip_message_t *req,
    struct stx **stxp)
{
	osip_transaction_t *tr = NULL;
	osip_event_t *evt;
	struct stx *stx;
	char *key = stx_key(req);

	if (key == NULL) {
		osip_message_free(req);
		return EINVAL;
	}
	if (osip_transaction_init(&tr, MSG_IS_INVITE(req) ? ICT : NICT,
	    e->osip, req) != 0) {
		free(key);
		osip_message_free(req);
		return ENOMEM;
	}
	if ((stx = stx_new(e, tr, key)) == NULL) {
		osip_transaction_free(tr);
		osip_message_free(req);
		return ENOMEM;
	}
	osip_transaction_set_reserved3(tr, e);
	stx->leg = stxp ? leg : NULL;    /* owned only if the leg keeps it */
	stx->dest = leg->peer;
	stx->ep = leg->ep;
	if (stx->ep != NULL)
		stx->ep->refs++;
	stx->transport = leg->transport;
	evt = osip_new_outgoing_sipmessage(req);
	if (evt == NULL) {
		osip_message_free(req);
		return ENOMEM;
	}
	evt->transactionid = tr->transactionid;
	if (stxp)
		*stxp = stx;
	osip_transaction_execute(tr, evt);
	drain(e);
	stx_arm(e, stx);
	return 0;
}

int
stack_send_raw(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, osip_message_t *msg)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (osip_message_to_str(msg, &buf, &len) != 0)
		return ENOMEM;
	rc = transport_send(e, ep, transport, to, buf, len);
	osip_free(buf);
	return rc;
}

/* A random-enough token: the node id, a counter, and a random part. */
static void
new_token(struct engine *e, const char *prefix, char *buf, size_t len)
{
	unsigned r = (unsigned)random();

	snprintf(buf, len, "%s%s%lx%x", prefix, e->node, ++e->seq, r & 0xffff);
}

void
stack_new_branch(struct engine *e, char *buf, size_t len)
{
	new_token(e, "z9hG4bK", buf, len);
}

void
stack_new_tag(struct engine *e, char *buf, size_t len)
{
	new_token(e, "", buf, len);
}

/* Whether a response's top Via branch is one stack_new_branch() made. */
int
stack_branch_is_ours(const struct engine *e, const osip_message_t *msg)
{
	const char *branch = top_branch(msg);

	return branch != NULL && strncmp(branch, "z9hG4bK", 7) == 0 &&
	    strncmp(branch + 7, e->node, strlen(e->node)) == 0;
}

/*
 * A TCP connection towards `peer` failed after messages were handed to it
 * (a connect that did not complete, a write that failed later): the
 * client transactions sending there learn it as a transport error, as if
 * their send had failed at once, and end.  Not for use inside oSIP2.
 */
void
stack_transport_failed(struct engine *e, const struct addr *peer)
{
	struct stx **v = NULL;
	size_t n = 0, cap = 0;

	for (unsigned b = 0; b < STX_BUCKETS; b++)
		for (struct stx *s = e->stx_hash[b]; s; s = s->hnext) {
			if (s->dead || s->tr == NULL ||
			    !transport_reliable(s->transport) ||
			    !addr_equal(&s->dest, peer) ||
			    (s->type != ICT && s->type != NICT))
				continue;
			if (n == cap) {
				struct stx **nv;

				cap = cap ? cap * 2 : 8;
				if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
					break;
				v = nv;
			}
			v[n++] = s;
		}
	for (size_t i = 0; i < n; i++)
		defer(e, STX_TRANSPORT_ERROR, v[i]->tr, NULL);
	drain(e);
	for (size_t i = 0; i < n; i++)
		stack_abandon(e, v[i]);
	free(v);
}

/*
 * Give up on a transaction its peer never finishes (no final response to
 * an INVITE after CANCEL): out of the index, its owner told, freed at
 * the end of the iteration.  Not for use inside an oSIP2 callback.
 */
void
stack_abandon(struct engine *e, struct stx *s)
{
	if (s->dead)
		return;
	s->dead = 1;
	ev_timer_stop(e->loop, &s->timer);
	stx_unindex(e, s);
	call_kill_stx(e, s);
	s->reap_next = e->stx_reap;
	e->stx_reap = s;
}
