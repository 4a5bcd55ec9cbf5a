/*
 * fuzz_sip_receive.c: libFuzzer target for the SIP receive path: bytes,
 * osip_parse, the transaction layer, and the B2BUA's call logic
 * (stack_receive() in sip/stack.c), over a fake transport.
 *
 * Each input is a whole conversation: an engine is created with a fixed
 * configuration, fed several messages, and freed.  Nothing goes on the
 * network: the engine's test seam (engine->send_hook, sip/internal.h)
 * hands every message referd sends to this harness, which keeps the last
 * one sent to each peer so that later messages can refer to it.  The
 * only sockets are the ones referd binds itself, on 127.0.250.1 (its
 * signaling endpoint and media ports 40000-40199), which nobody sends to.
 *
 * Input format: chunks, each starting with a line "%%<s>..." where <s>
 * says what the chunk is (an input not starting with "%%" is one chunk
 * from peer a):
 *   a b c d e u   a SIP message from that peer over UDP:
 *                 a = 192.0.2.10 (gateway 1, the caller, profile 1),
 *                 b = 192.0.2.20:5060 (gateway 2, the default route),
 *                 c = 192.0.2.30:5060 (gateway 3, route 7, profile 3:
 *                     Refer Support disabled),
 *                 d = 192.0.2.40:5060 (gateway 4, tcp, route 9, profile 2:
 *                     Delayed Answer, originalCaller, releaseSession;
 *                     referdGwReplaces enabled: may replace any dialog),
 *                 e = [2001:db8::50]:5060 (gateway 5, route 6),
 *                 g = 192.0.2.70:5060 (gateway 6, route 5, profile 1:
 *                     a transfer target that referd can reach),
 *                 u = 198.51.100.7:5060 (not a gateway)
 *   A B C D E G U the same over TCP
 *   r<p><k>       the rest of the chunk as one datagram to the RTP port
 *                 referd gave peer p (the first m= line of the last SDP
 *                 referd sent p), from source k (a digit): 127.0.250.1k
 *                 port 7000 (a seed's SDP names one to be the signalled
 *                 address, another is a stranger)
 *   R<p><k>       the same to the RTCP port (the RTP port + 1), from port
 *                 7001
 *   t             every running call timer fires (Timer C, 2xx
 *                 retransmission, Delayed Answer and its refresh, the
 *                 transfer's timer), as libev would fire it
 *   f             sends start (or stop) failing, as a dead peer would
 * The rest of the chunk's first line is ignored.  In a message, SIPp-like
 * keywords are replaced first, from the last message referd sent to the
 * peer (as a SIPp peer would see it), or to peer x when the keyword
 * starts with "x:" ([a:call_id], [a:last_From:]: a request forged in a's
 * dialog by someone else):
 *   [last_NAME:]     that message's NAME header lines
 *   [peer_tag_param] ";tag=" referd's tag in that dialog
 *   [next_url]       referd's Contact URI, else its address
 *   [call_id]        that message's Call-ID (else a fixed one)
 *   [$local] [$remote]  To (without tag) and From of referd's last request
 *   [$replaces] [$replaces_b]  a Replaces value naming referd's dialog
 *                    with peer a (b)
 *   [branch]         a new branch
 *   [len]            the length of the message's body
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>

#include <ev.h>

#include "sip/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ADDR  "127.0.250.1"
#define MSG_MAX    65536

struct peer {
	char        sel;
	const char *host;
	int         port;
	struct addr addr;
	char       *last;        /* the last message referd sent to it */
	char       *last_req;    /* the last request */
	char       *contact;     /* the last Contact URI referd gave it */
	int         media_port;  /* referd's RTP port in its last SDP to it */
};

static struct peer peers[] = {
	{ 'a', "192.0.2.10", 5060, { { 0 }, 0 }, NULL, NULL, NULL, 0 },
	{ 'b', "192.0.2.20", 5060, { { 0 }, 0 }, NULL, NULL, NULL, 0 },
	{ 'c', "192.0.2.30", 5060, { { 0 }, 0 }, NULL, NULL, NULL, 0 },
	{ 'd', "192.0.2.40", 5060, { { 0 }, 0 }, NULL, NULL, NULL, 0 },
	{ 'e', "2001:db8::50", 5060, { { 0 }, 0 }, NULL, NULL, NULL, 0 },
	{ 'g', "192.0.2.70", 5060, { { 0 }, 0 }, NULL, NULL, NULL, 0 },
	{ 'u', "198.51.100.7", 5060, { { 0 }, 0 }, NULL, NULL, NULL, 0 },
};
#define N_PEERS (sizeof(peers) / sizeof(peers[0]))

static int sends_fail;
static unsigned branch_seq;
static int verbose = -1;      /* FUZZ_VERBOSE set: the conversation on stderr */

/* ---- the configuration ------------------------------------------------ */

static void
put_sgp(struct referd_config *c, uint32_t i, const char *name)
{
	struct referd_sgp r;

	referd_sgp_init(&r, i);
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.storage = REFERD_ST_VOLATILE;
	r.status = REFERD_RS_ACTIVE;
	referd_config_put_sgp(c, &r);
}

static void
put_refer(struct referd_config *c, uint32_t sgp, int support, int from,
    int da, int release)
{
	struct referd_refer r;

	referd_refer_init(&r, sgp);
	r.support = support;
	r.from_header = from;
	r.delayed_answer = da;
	r.da_timer = 1;
	r.release_session = release;
	r.storage = REFERD_ST_VOLATILE;
	r.status = REFERD_RS_ACTIVE;
	referd_config_put_refer(c, &r);
}

static void
put_gw(struct referd_config *c, uint32_t i, const char *addr, uint32_t port,
    int transport, uint32_t sgp, int replaces)
{
	struct referd_gw g;

	referd_gw_init(&g, i);
	snprintf(g.name, sizeof(g.name), "gw%u", i);
	snprintf(g.address, sizeof(g.address), "%s", addr);
	g.port = port;
	g.transport = transport;
	g.sgp_index = sgp;
	g.replaces = replaces;
	g.storage = REFERD_ST_VOLATILE;
	g.status = REFERD_RS_ACTIVE;
	referd_config_put_gw(c, &g);
}

static void
put_route(struct referd_config *c, uint32_t i, const char *prefix,
    uint32_t gw)
{
	struct referd_route r;

	referd_route_init(&r, i);
	snprintf(r.prefix, sizeof(r.prefix), "%s", prefix);
	r.gw_index = gw;
	r.storage = REFERD_ST_VOLATILE;
	r.status = REFERD_RS_ACTIVE;
	referd_config_put_route(c, &r);
}

static struct referd_config *
make_config(void)
{
	struct referd_config *c = NULL;
	struct referd_config_error err;
	struct referd_sig s;

	if (referd_config_new(&c) != 0)
		abort();
	c->max_calls = 4;              /* small, to reach the 503 */
	c->rtp_port_min = 40000;
	c->rtp_port_max = 40199;
	c->invite_timeout = 32;
	put_sgp(c, 1, "one");
	put_sgp(c, 2, "two");
	put_sgp(c, 3, "three");
	put_refer(c, 1, REFERD_ENABLED, REFERD_FROM_REFERRED_BY,
	    REFERD_DISABLED, REFERD_DISABLED);
	put_refer(c, 2, REFERD_ENABLED, REFERD_FROM_ORIGINAL_CALLER,
	    REFERD_ENABLED, REFERD_ENABLED);
	put_refer(c, 3, REFERD_DISABLED, REFERD_FROM_REFERRED_BY,
	    REFERD_DISABLED, REFERD_DISABLED);
	referd_sig_init(&s, 1);
	snprintf(s.address, sizeof(s.address), "%s", FUZZ_ADDR);
	s.port = 5060;
	s.transport = REFERD_TRANSPORT_UDP;
	s.sgp_index = 1;
	s.storage = REFERD_ST_VOLATILE;
	s.status = REFERD_RS_ACTIVE;
	referd_config_put_sig(c, &s);
	put_gw(c, 1, "192.0.2.10", 0, REFERD_TRANSPORT_UDP, 1, REFERD_DISABLED);
	put_gw(c, 2, "192.0.2.20", 5060, REFERD_TRANSPORT_UDP, 0,
	    REFERD_DISABLED);
	put_gw(c, 3, "192.0.2.30", 5060, REFERD_TRANSPORT_UDP, 3,
	    REFERD_DISABLED);
	put_gw(c, 4, "192.0.2.40", 5060, REFERD_TRANSPORT_TCP, 2,
	    REFERD_ENABLED);
	put_gw(c, 5, "2001:db8::50", 5060, REFERD_TRANSPORT_UDP, 1,
	    REFERD_DISABLED);
	put_gw(c, 6, "192.0.2.70", 5060, REFERD_TRANSPORT_UDP, 1,
	    REFERD_DISABLED);
	put_route(c, 1, "", 2);
	put_route(c, 2, "7", 3);
	put_route(c, 3, "9", 4);
	put_route(c, 4, "6", 5);
	put_route(c, 5, "5", 6);
	if (referd_config_validate(NULL, c, &err) != 0) {
		fprintf(stderr, "fuzz_sip_receive: bad configuration: %s\n",
		    err.text);
		abort();
	}
	return c;
}

/* ---- the fake transport ------------------------------------------------ */

static struct peer *
peer_by_addr(const struct addr *to)
{
	for (size_t i = 0; i < N_PEERS; i++) {
		const struct addr *p = &peers[i].addr;

		if (p->len == to->len && memcmp(&p->ss, &to->ss, p->len) == 0)
			return &peers[i];
	}
	return NULL;
}

/* The value of the first header line `name:` of a message text, copied. */
static char *
header_value(const char *msg, const char *name)
{
	size_t n = strlen(name);
	const char *p = msg;

	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len == 0 || (len == 1 && *p == '\r'))
			break;     /* end of the headers */
		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t vl;

			while (*v == ' ' || *v == '\t')
				v++;
			vl = (size_t)(p + len - v);
			while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			return strndup(v, vl);
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static int
is_response(const char *msg)
{
	return strncmp(msg, "SIP/2.0 ", 8) == 0;
}

/* A tag parameter's value in a header value, copied, or NULL. */
static char *
tag_of(const char *hv)
{
	const char *t;
	size_t n;

	if (hv == NULL || (t = strstr(hv, ";tag=")) == NULL)
		return NULL;
	t += 5;
	n = strcspn(t, ";> \r\n");
	return strndup(t, n);
}

static int
send_hook(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, const char *buf, size_t len)
{
	struct peer *p = peer_by_addr(to);
	char *copy, *ct, *m;

	if (ep == NULL) {            /* a datagram the media relay relays */
		if (verbose)
			fprintf(stderr, "<<< referd relays %zu bytes of media%s\n",
			    len, sends_fail ? " (fails)" : "");
		return sends_fail ? ECONNREFUSED : 0;
	}
	if (verbose && buf != NULL)
		fprintf(stderr, "<<< referd to %c%s:\n%.*s\n", p ? p->sel : '?',
		    sends_fail ? " (fails)" : "", (int)len, buf);
	if (buf != NULL) {
		const char *hend = memmem(buf, len, "\r\n\r\n", 4);
		size_t hlen = hend ? (size_t)(hend - buf) : len;
		static const char sdp_ct[] = "\r\nContent-Type: application/sdp";
		int sdp = hend != NULL &&
		    memmem(buf, hlen, sdp_ct, sizeof(sdp_ct) - 1) != NULL;

		/* No value crosses into another message's header lines: no
		 * NUL there, no header a seed or the dictionary tries to
		 * inject (escaped CR LF in a Refer-To or Referred-By); and no
		 * such line in an SDP body, which referd writes line by line
		 * (an INFO's or MESSAGE's body is the peer's, relayed as it
		 * is: a line there is not referd's doing). */
		if (memchr(buf, '\0', hlen) != NULL ||
		    memmem(buf, sdp ? len : hlen, "\nX-Injected", 11) != NULL)
			abort();
	}
	if (sends_fail)
		return ECONNREFUSED;
	if (buf == NULL || p == NULL)
		return 0;           /* a TCP probe, or nobody we play */
	copy = strndup(buf, len);
	if (copy == NULL)
		return ENOMEM;
	free(p->last);
	p->last = copy;
	if (!is_response(copy)) {
		free(p->last_req);
		p->last_req = strdup(copy);
	}
	if ((m = strstr(copy, "\nm=")) != NULL && (m = strchr(m, ' ')) != NULL)
		p->media_port = atoi(m + 1);
	if ((ct = header_value(copy, "Contact")) != NULL) {
		char *lt = strchr(ct, '<'), *gt;

		free(p->contact);
		if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
			p->contact = strndup(lt + 1, (size_t)(gt - lt - 1));
		else
			p->contact = strdup(ct);
		free(ct);
	}
	return 0;
}

/* Engine events: the text must be a terminated string. */
static void
on_event(const struct engine_event *ev, void *arg)
{
	if (strnlen(ev->text, sizeof(ev->text)) == sizeof(ev->text))
		abort();
	if (verbose)
		fprintf(stderr, "=== event %d: %s\n", ev->type, ev->text);
}

/* ---- keywords ------------------------------------------------------------ */

struct buf {
	char  *s;
	size_t len, cap;
	int    full;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->full || b->len + n + 1 > MSG_MAX) {
		b->full = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->cap ? b->cap * 2 : 1024) + n;
		char *ns = realloc(b->s, nc);

		if (ns == NULL) {
			b->full = 1;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	if (s != NULL)
		put(b, s, strlen(s));
}

/* referd's tag and the peer's in the dialog of peer p's last message. */
static void
dialog_tags(const struct peer *p, char **ours, char **theirs)
{
	char *from = p->last ? header_value(p->last, "From") : NULL;
	char *to = p->last ? header_value(p->last, "To") : NULL;
	int resp = p->last && is_response(p->last);

	*ours = tag_of(resp ? to : from);
	*theirs = tag_of(resp ? from : to);
	free(from);
	free(to);
}

/* Every header line `name:` of the peer's last message. */
static void
put_last(struct buf *b, const struct peer *p, const char *name, size_t n)
{
	const char *q = p->last;
	int first = 1;

	while (q != NULL && *q != '\0') {
		const char *eol = strchr(q, '\n');
		size_t len = eol ? (size_t)(eol - q) : strlen(q);

		if (len == 0 || (len == 1 && *q == '\r'))
			break;
		if (len > n && strncasecmp(q, name, n) == 0 && q[n] == ':') {
			size_t l = len;

			if (l > 0 && q[l - 1] == '\r')
				l--;
			if (!first)
				put(b, "\r\n", 2);
			put(b, q, l);
			first = 0;
		}
		q = eol ? eol + 1 : NULL;
	}
}

static void
put_replaces(struct buf *b, const struct peer *p)
{
	char *ours, *theirs, *cid = p->last ? header_value(p->last, "Call-ID") :
	    NULL;

	dialog_tags(p, &ours, &theirs);
	puts_(b, cid ? cid : "none");
	puts_(b, ";to-tag=");
	puts_(b, ours ? ours : "none");
	puts_(b, ";from-tag=");
	puts_(b, theirs ? theirs : "none");
	free(cid);
	free(ours);
	free(theirs);
}

static const struct peer *
peer_by_sel(char sel)
{
	for (size_t i = 0; i < N_PEERS; i++)
		if (peers[i].sel == sel)
			return &peers[i];
	return NULL;
}

/* One keyword at s (after '['); returns its length, or 0 if none. */
static size_t
keyword(struct buf *b, const struct peer *p, const char *s, size_t n)
{
	const char *end = memchr(s, ']', n < 64 ? n : 64);
	const struct peer *other;
	size_t k;

	if (end == NULL)
		return 0;
	k = (size_t)(end - s);
	/* "x:" first: the keyword from what referd sent peer x. */
	if (k > 2 && s[1] == ':' && (other = peer_by_sel(s[0])) != NULL) {
		size_t kk = keyword(b, other, s + 2, n - 2);

		return kk ? kk + 2 : 0;
	}
#define IS(w) (k == sizeof(w) - 1 && memcmp(s, w, k) == 0)
	if (k > 6 && memcmp(s, "last_", 5) == 0 && s[k - 1] == ':') {
		char name[64];

		memcpy(name, s + 5, k - 6);
		name[k - 6] = '\0';
		put_last(b, p, name, k - 6);
	} else if (IS("peer_tag_param")) {
		char *ours, *theirs;

		dialog_tags(p, &ours, &theirs);
		if (ours != NULL) {
			puts_(b, ";tag=");
			puts_(b, ours);
		}
		free(ours);
		free(theirs);
	} else if (IS("next_url")) {
		puts_(b, p->contact ? p->contact : "sip:referd@" FUZZ_ADDR ":5060");
	} else if (IS("call_id")) {
		char *cid = p->last ? header_value(p->last, "Call-ID") : NULL;

		if (cid == NULL) {
			puts_(b, "fuzz-");
			put(b, &p->sel, 1);
			puts_(b, "@192.0.2.1");
		} else
			puts_(b, cid);
		free(cid);
	} else if (IS("$local") || IS("$remote")) {
		char *v = p->last_req ? header_value(p->last_req,
		    IS("$local") ? "To" : "From") : NULL;

		if (v != NULL && IS("$local") && strstr(v, ";tag=") != NULL)
			*strstr(v, ";tag=") = '\0';
		puts_(b, v ? v : "<sip:referd@" FUZZ_ADDR ">");
		free(v);
	} else if (IS("$replaces")) {
		put_replaces(b, &peers[0]);
	} else if (IS("$replaces_b")) {
		put_replaces(b, &peers[1]);
	} else if (IS("branch")) {
		char br[32];

		snprintf(br, sizeof(br), "z9hG4bK-fz%u", ++branch_seq);
		puts_(b, br);
	} else if (IS("len")) {
		put(b, "[len]", 5);         /* after the body is known */
	} else
		return 0;
#undef IS
	return k + 2;
}

/* The message of a chunk with its keywords replaced; caller frees. */
static char *
expand(const struct peer *p, const char *s, size_t n, size_t *lenp)
{
	struct buf b = { NULL, 0, 0, 0 };
	const char *body, *lenkw;

	for (size_t i = 0; i < n; ) {
		size_t k = 0;

		if (s[i] == '[')
			k = keyword(&b, p, s + i + 1, n - i - 1);
		if (k == 0) {
			put(&b, s + i, 1);
			i++;
		} else
			i += k;
	}
	if (b.s == NULL || b.full) {
		free(b.s);
		return NULL;
	}
	/* [len]: the body's length, the body being after the first blank line. */
	while ((lenkw = memmem(b.s, b.len, "[len]", 5)) != NULL) {
		size_t at = (size_t)(lenkw - b.s), blen = 0;
		char num[24], *ns;
		int k;

		body = memmem(b.s, b.len, "\r\n\r\n", 4);
		if (body != NULL)
			blen = b.len - (size_t)(body + 4 - b.s);
		k = snprintf(num, sizeof(num), "%zu", blen);
		ns = malloc(b.len - 5 + (size_t)k + 1);
		if (ns == NULL) {
			free(b.s);
			return NULL;
		}
		memcpy(ns, b.s, at);
		memcpy(ns + at, num, (size_t)k);
		memcpy(ns + at + k, b.s + at + 5, b.len - at - 5);
		b.len = b.len - 5 + (size_t)k;
		ns[b.len] = '\0';
		free(b.s);
		b.s = ns;
	}
	*lenp = b.len;
	return b.s;
}

/* ---- timers ------------------------------------------------------------- */

/* Fire a running timer as libev would: stopped, or re-armed, then invoked. */
static void
fire(struct ev_loop *loop, ev_timer *w)
{
	if (!ev_is_active(w))
		return;
	if (w->repeat > 0.)
		ev_timer_again(loop, w);
	else
		ev_timer_stop(loop, w);
	ev_feed_event(loop, w, EV_TIMER);
}

static void
fire_timers(struct engine *e)
{
	for (struct call *c = e->calls_head; c; c = c->next) {
		fire(e->loop, &c->timer_c);
		fire(e->loop, &c->a.retx);
		fire(e->loop, &c->x.retx);
		fire(e->loop, &c->da_timer);
		fire(e->loop, &c->da_refresh);
		fire(e->loop, &c->xfer.timer);
	}
	for (struct call *c = e->call_zombies; c; c = c->reap_next)
		fire(e->loop, &c->timer_c);
	ev_invoke_pending(e->loop);
}

/* ---- one input ------------------------------------------------------------ */

/* referd's random pool, from random() seeded at each input: an input
 * replays the same conversation. */
static void
random_hook(struct engine *e, unsigned char *buf, size_t len)
{
	(void)e;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(random() >> 7);
}

static struct engine *
setup(void)
{
	struct engine *e = NULL;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	srandom(1);
	sends_fail = 0;
	branch_seq = 0;
	for (size_t i = 0; i < N_PEERS; i++)
		if (addr_from_text(&peers[i].addr, peers[i].host,
		    peers[i].port) != 0)
			abort();
	if (engine_new(&e, on_event, NULL) != 0)
		abort();
	e->send_hook = send_hook;
	e->random_hook = random_hook;
	snprintf(e->node, sizeof(e->node), "fuzz");
	engine_apply(e, make_config());
	ev_run(e->loop, EVRUN_NOWAIT);     /* the snapshot is taken */
	if (e->current == NULL || e->endpoints == NULL)
		abort();
	return e;
}

/* What the engine thread does when it stops (engine.c), then free it. */
static void
teardown(struct engine *e)
{
	call_release_all(e);
	ev_run(e->loop, EVRUN_NOWAIT);
	call_reap(e);
	call_free_zombies(e);
	stack_reap(e);
	engine_free(e);
	for (size_t i = 0; i < N_PEERS; i++) {
		free(peers[i].last);
		free(peers[i].last_req);
		free(peers[i].contact);
		peers[i].last = peers[i].last_req = peers[i].contact = NULL;
		peers[i].media_port = 0;
	}
}

static void
deliver(struct engine *e, char sel, const char *s, size_t n)
{
	int tcp = sel >= 'A' && sel <= 'Z';
	char lower = tcp ? (char)(sel - 'A' + 'a') : sel;
	const struct peer *p = peer_by_sel(lower);
	char *msg;
	size_t len;

	if (p == NULL)
		p = &peers[0];
	msg = expand(p, s, n, &len);
	if (msg == NULL)
		return;
	if (verbose)
		fprintf(stderr, ">>> %c to referd:\n%.*s\n", sel, (int)len, msg);
	stack_receive(e, e->endpoints, tcp ? REFERD_TRANSPORT_TCP :
	    REFERD_TRANSPORT_UDP, &p->addr, msg, len);
	free(msg);
}

/*
 * A datagram of n bytes to the RTP (rtcp: RTCP) port referd gave peer
 * psel, from source k (127.0.250.1k, port 7000 or 7001), over loopback;
 * the end of the loop iteration reads it (the media relay).
 */
static void
deliver_media(char psel, char k, int rtcp, const char *s, size_t n)
{
	const struct peer *p = peer_by_sel(psel);
	struct addr from, to;
	char host[32];
	int fd, one = 1;

	if (p == NULL || p->media_port <= 0 || p->media_port > 65534 ||
	    k < '0' || k > '9')
		return;
	snprintf(host, sizeof(host), "127.0.250.1%c", k);
	if (addr_from_text(&from, host, rtcp ? 7001 : 7000) != 0 ||
	    addr_from_text(&to, FUZZ_ADDR, p->media_port + rtcp) != 0)
		abort();
	if (verbose)
		fprintf(stderr, ">>> %zu bytes of %s from %s to referd's port %d "
		    "(%c's)\n", n, rtcp ? "RTCP" : "RTP", host,
		    p->media_port + rtcp, psel);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&from.ss, from.len) == 0)
		(void)sendto(fd, s, n, 0, (struct sockaddr *)&to.ss, to.len);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	struct engine *e;

	if (size > 4 * MSG_MAX)
		return 0;
	e = setup();
	while (s < end) {
		char sel = 'a', psel = 0, k = 0;
		const char *next, *p;

		/* A selector line (even a bare "%%" at the very end, which
		 * must be consumed too, or the loop would not advance). */
		if (end - s >= 2 && s[0] == '%' && s[1] == '%') {
			const char *eol = memchr(s, '\n', (size_t)(end - s));

			sel = end - s >= 3 ? s[2] : 'a';
			if (end - s >= 5) {
				psel = s[3];
				k = s[4];
			}
			s = eol ? eol + 1 : end;
		}
		/* The chunk runs to the next line starting with "%%" (an empty
		 * chunk, "%%t" or "%%f", is followed by one at once). */
		next = end;
		if (end - s >= 2 && s[0] == '%' && s[1] == '%')
			next = s;
		for (p = s; p < end && next == end; ) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (nl == NULL)
				break;
			if (end - nl >= 3 && nl[1] == '%' && nl[2] == '%') {
				next = nl + 1;
				break;
			}
			p = nl + 1;
		}
		if (verbose && (sel == 't' || sel == 'f'))
			fprintf(stderr, "=== %s\n", sel == 't' ? "timers fire" :
			    "sends fail (or work again)");
		if (sel == 't')
			fire_timers(e);
		else if (sel == 'f')
			sends_fail = !sends_fail;
		else if (sel == 'r' || sel == 'R')
			deliver_media(psel, k, sel == 'R', s, (size_t)(next - s));
		else
			deliver(e, sel, s, (size_t)(next - s));
		ev_run(e->loop, EVRUN_NOWAIT);   /* the end of the iteration */
		s = next;
	}
	teardown(e);
	return 0;
}
