/*
 * stx.c: referd's own index of oSIP2 transactions (a hash of top-Via
 * branch and method), their timers and their lifetimes.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * The key of a request whose top Via has no RFC 3261 branch (none, one
 * without the magic cookie, or the cookie alone: RFC 4475 3.2.1): RFC 3261
 * 17.2.3 matches it as RFC 2543 did, by Call-ID, From tag, CSeq number and
 * the top Via's sent-by (an ACK's To tag is the response's, so not the
 * To).  NULL when the message lacks one of them.
 */
static char *
key_2543(const osip_message_t *msg, const char *method)
{
	osip_via_t *via = NULL;
	const char *ftag = header_tag(msg->from);
	char cid[512], *key = NULL;

	if (osip_message_get_via(msg, 0, &via) < 0 || via == NULL ||
	    via->host == NULL || msg->cseq == NULL ||
	    msg->cseq->number == NULL ||
	    callid_text(msg, cid, sizeof(cid)) != 0)
		return NULL;
	if (asprintf(&key, "2543|%s|%s|%s|%s:%s|%s", cid, ftag ? ftag : "",
	    msg->cseq->number, via->host, via->port ? via->port : "",
	    method) < 0)
		return NULL;
	return key;
}

/* The index key of a message: top-Via branch '|' method (or key_2543). */
char *
stx_key(const osip_message_t *msg)
{
	const char *branch = top_branch(msg), *method;
	char *key;
	size_t n;

	if (MSG_IS_REQUEST(msg))
		method = msg->sip_method;
	else if (msg->cseq != NULL && msg->cseq->method != NULL)
		method = msg->cseq->method;
	else
		return NULL;
	if (strcmp(method, "ACK") == 0)
		method = "INVITE";   /* ACK for a non-2xx final goes to its IST */
	if (MSG_IS_REQUEST(msg) && (branch == NULL ||
	    strncmp(branch, "z9hG4bK", 7) != 0 || branch[7] == '\0'))
		return key_2543(msg, method);
	if (branch == NULL)
		return NULL;
	n = strlen(branch) + strlen(method) + 2;
	key = malloc(n);
	if (key != NULL)
		snprintf(key, n, "%s|%s", branch, method);
	return key;
}

struct stx *
stx_find(struct engine *e, const char *key)
{
	for (struct stx *s = e->stx_hash[hash_str(key) % STX_BUCKETS]; s;
	    s = s->hnext)
		if (!s->dead && strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

void
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
struct stx *
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
	    msg_to_wire(again, &s->again, &s->again_len) != 0)
		return;        /* keep the whole transaction instead */
	call_kill_stx(e, s);
	osip_transaction_free2(tr);
	s->tr = NULL;
}

/* A retransmission that reached a settled transaction. */
void
stx_settled_receive(struct engine *e, struct stx *s, const osip_message_t *msg)
{
	if (s->again == NULL)
		return;                         /* absorbed */
	if ((s->type == NIST && MSG_IS_REQUEST(msg)) ||
	    (s->type == ICT && MSG_IS_RESPONSE(msg) && msg->status_code >= 300))
		transport_send(e, s->ep, s->transport, &s->dest, s->again,
		    s->again_len);
}

void
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
void
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
	stack_drain(e);
	stx_arm(e, s);
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
		stack_defer(e, STX_TRANSPORT_ERROR, v[i]->tr, NULL);
	stack_drain(e);
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

