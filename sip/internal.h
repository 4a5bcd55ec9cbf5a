/*
 * internal.h: the SIP engine's private structures, shared by the files of
 * sip/ (engine.c, transport.c, stack.c, call.c, media.c, sdp.c) and by
 * nothing outside it.
 *
 * Ownership, in one place:
 *   engine  owns endpoints, the media pool, the oSIP2 stack, the calls.
 *   call    owns its two legs (a = caller side, b = called side) and their
 *           media; it is freed only from engine_reap(), at the end of a
 *           loop iteration, never inside a watcher or oSIP2 callback.
 *   stx     (our wrapper of an oSIP2 transaction) is owned by the stack;
 *           a leg only points at it, and the kill callback clears that.
 */
#ifndef REFERD_SIP_INTERNAL_H
#define REFERD_SIP_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include <ev.h>
#include <osip2/osip.h>

#include "model/config.h"
#include "engine.h"

struct call;
struct leg;
struct stx;

/* A socket address of either family. */
struct addr {
	struct sockaddr_storage ss;
	socklen_t               len;
};

/* A gateway's parsed address (engine->gw_addr[i] is current->gw[i]'s). */
struct gw_addr {
	struct addr a;
	int         ok;
};

/* A local signaling endpoint (one row of referdSignalingTable). */
struct endpoint {
	uint32_t        index;
	struct referd_sig row;       /* as configured when bound */
	int             fd;          /* UDP socket, or TCP listener */
	ev_io           io;
	int             up;
	int             refs;        /* calls, transactions, connections */
	int             users;       /* calls using its socket */
	int             gone;        /* no longer in the configuration */
	struct engine  *engine;
	struct endpoint *next;
};

/* A TCP connection (accepted or opened), with its stream framing buffer. */
struct tcpconn {
	int             fd;
	ev_io           io;           /* EV_READ, and EV_WRITE while out waits */
	struct addr     peer;
	struct endpoint *ep;
	char           *buf;          /* received, not yet framed */
	size_t          len, cap;
	char           *out;          /* to send once the socket takes it */
	size_t          out_len, out_cap;
	int             connecting;   /* our connect() still in progress */
	ev_tstamp       last_used;    /* last byte read or written */
	struct engine  *engine;
	struct tcpconn *next;
	int             dead;
};

/* An RTP/RTCP port pair of one leg, and where its media goes. */
struct media {
	int             rtp_fd, rtcp_fd;
	uint16_t        port;        /* RTP port; RTCP is port + 1 */
	ev_io           rtp_io, rtcp_io;
	struct addr     remote_rtp;  /* from the leg's SDP */
	struct addr     remote_rtcp;
	int             have_remote;
	int             latched, latched_rtcp;  /* source learnt from packets */
	struct media   *peer;        /* the other leg's media: relay target */
	uint64_t        packets;     /* relayed out of this leg's socket */
	struct engine  *engine;
};

/* The state of a call (referdCallState values). */
enum call_state {
	CALL_TRYING = 1,
	CALL_RINGING = 2,
	CALL_DELAYED_ANSWER = 3,
	CALL_CONNECTED = 4,
	CALL_TRANSFERRING = 5,
	CALL_RELEASING = 6,
};

/* One side of a call: a SIP dialog with one peer. */
struct leg {
	struct call    *call;
	int             is_a;         /* the caller's leg */
	struct leg     *partner;      /* the leg its media and BYE go to */
	struct leg     *hnext;        /* engine->leg_hash, by Call-ID */
	int             indexed;
	char           *remote_sdp;   /* the peer's last SDP */
	struct endpoint *ep;          /* local endpoint it uses */
	int             transport;    /* REFERD_TRANSPORT_* */
	struct addr     peer;         /* where its requests and responses go */
	uint32_t        sgp;          /* profile */
	char           *call_id;
	char           *local_tag, *remote_tag;
	char           *local_uri, *remote_uri;   /* From/To URIs as used */
	char           *remote_target;            /* Contact of the peer */
	char           *route_set;    /* Route for in-dialog requests, or NULL */
	unsigned        local_cseq;
	unsigned        remote_cseq;
	unsigned        refers;       /* REFERs received in this dialog */
	struct stx     *notify;       /* the last NOTIFY sent on it */
	struct stx     *ping;         /* its keepalive OPTIONS, while pending */
	int             confirmed;    /* 2xx exchanged */
	int             ended;        /* a BYE ended it */
	int             provisional;  /* b, x: a 1xx (even 100) arrived */
	ev_tstamp       retx_start;   /* a: when the 2xx was first sent */
	struct stx     *invite;       /* IST (a) or ICT (b) while alive */
	osip_message_t *last_2xx;     /* a: our 2xx, resent until ACK */
	ev_timer        retx;         /* a: 2xx retransmission */
	double          retx_interval;
	char           *invite_ruri;  /* b, x: our INVITE, for its CANCEL */
	char           *invite_branch;
	unsigned        invite_cseq;
	unsigned        sdp_version;
	struct media    media;
};

/* A transfer in progress, referd as transferee: at most one per call. */
struct transfer {
	int             active;
	struct leg     *transferor;   /* sent the REFER */
	struct leg     *survivor;     /* connected to x when C answers */
	char           *target;       /* the Refer-To URI without headers */
	int             no_sub;       /* Refer-Sub: false: no NOTIFY at all */
	unsigned        event_id;     /* Event: refer;id=, 0 for none */
	int             sub_dead;     /* 481 to a NOTIFY, or transferor gone */
	uint32_t        sgp;          /* the transferor's profile */
	int             release_session;
	ev_timer        timer;        /* no final answer from C */
};

/* A call: two legs and their relay, and a third during a transfer. */
struct call {
	uint32_t        index;        /* referdCallIndex */
	enum call_state state;
	struct leg      a, b;
	struct leg      x;            /* the transfer target C */
	struct transfer xfer;
	char           *target_uri;   /* last transfer target, published */
	int             da_waiting;   /* Delayed Answer: A not answered yet */
	ev_timer        da_timer;     /* Delayed Answer Timer */
	ev_timer        da_refresh;   /* the 183 resent while A waits */
	ev_timer        keepalive;    /* in-dialog OPTIONS to each party */
	char           *caller_uri, *callee_uri;
	ev_tstamp       started;
	ev_timer        timer_c;      /* no final answer from b */
	int             cancel_pending; /* a cancelled before b's 1xx */
	int             reap_when_idle; /* released; freed once its ICTs end */
	int             dead;         /* released; freed by engine_reap */
	struct call    *next, *prev;  /* engine->calls */
	struct call    *reap_next;
};

/* Our wrapper of an oSIP2 transaction, indexed by branch and method. */
struct stx {
	osip_transaction_t *tr;       /* NULL once settled (stack.c) */
	char               *key;      /* branch '|' method */
	int                 type;     /* IST, ICT, NIST or NICT */
	char               *again;    /* settled: what a retransmission gets */
	size_t              again_len;
	struct leg         *leg;      /* owner, or NULL (stateless replies) */
	struct addr         dest;     /* where its messages go */
	struct endpoint    *ep;
	int                 transport;
	int                 dead;
	ev_timer            timer;    /* its own oSIP2 deadlines */
	struct engine      *engine;
	struct stx         *hnext;
	struct stx         *reap_next;
	struct stx         *settle_next; /* engine->stx_settle */
	int                 settling;
};

/* Pseudo callback types of deferred events. */
#define STX_TRANSPORT_ERROR (-1)
#define STX_KILLED          (-2)

/* A callback event deferred out of oSIP2 (never act inside a callback). */
struct deferred {
	int                 type;     /* osip_message_callback_type */
	struct stx         *stx;
	osip_message_t     *msg;      /* owned by the transaction */
	struct deferred    *next;
};

#define STX_BUCKETS  8192
#define CALL_BUCKETS 8192

struct engine {
	struct ev_loop *loop;
	ev_async        wake_apply;
	ev_async        wake_stop;
	ev_timer        publish;
	ev_prepare      prepare;
	ev_check        reap;
	pthread_t       thread;
	int             started;
	int             stopped;

	engine_event_h *eh;
	void           *eh_arg;

	_Atomic(struct referd_config *) pending;
	struct referd_config *current;   /* engine thread only */

	_Atomic uint64_t generation;
	_Atomic uint32_t active_calls;

	/* Published for the agent: written here, read there. */
	_Atomic uint64_t counters[REFERD_SGP_MAX + 1][ENGINE_CTR__COUNT];
	_Atomic int      sig_up[REFERD_SIG_MAX + 1];
	pthread_mutex_t  calls_lock;
	struct engine_call *calls;     /* under calls_lock */
	size_t           n_calls;

	/* Engine thread only. */
	osip_t          *osip;
	struct endpoint *endpoints;
	struct tcpconn  *conns;
	size_t           n_stx, stx_peak; /* live transactions, peak since trim */
	struct gw_addr  *gw_addr;        /* current->gw's addresses, same order */
	ev_timer         trim;           /* gives freed memory back */
	unsigned         n_conns;
	ev_timer         conn_sweep;     /* closes idle TCP connections */
	struct stx      *stx_hash[STX_BUCKETS];
	struct stx      *stx_reap;
	struct stx      *stx_settle;     /* to settle at the iteration's end */
	struct deferred *deferred, *deferred_tail;
	struct call     *calls_head;
	struct leg      *leg_hash[CALL_BUCKETS];
	struct call     *call_reap;
	struct call     *call_zombies;   /* released, INVITE still running */
	uint32_t         n_live_calls;
	int              calls_dirty;    /* publish the call table */
	uint32_t         next_call_index;
	uint8_t         *port_used;      /* by pair, from rtp_port_min */
	uint32_t         port_pairs, port_next;
	unsigned long    seq;            /* for tags, branches, Call-IDs */
	char             node[16];       /* random part of generated ids */

	/*
	 * Test seam, set only by the fuzz harness (fuzz/sip_receive.c); NULL
	 * in referd, where nothing changes.  When set, transport_send() hands
	 * every outgoing SIP message to it instead of a socket, and
	 * transport_tcp_reachable() asks it (buf NULL, len 0) instead of
	 * connecting: the harness's engine sends nothing on the network.
	 */
	int            (*send_hook)(struct engine *e, struct endpoint *ep,
	    int transport, const struct addr *to, const char *buf, size_t len);
};

/* engine.c */
void engine_emit(struct engine *e, const struct engine_event *ev);
void engine_log(struct engine *e, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void engine_count(struct engine *e, uint32_t sgp, enum engine_counter c);
void engine_emit_sig_status(struct engine *e, uint32_t sig, int up);
void engine_calls_changed(struct engine *e);

/* transport.c */
int  transport_sync(struct engine *e, const struct referd_config *cfg);
int  transport_send(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, const char *buf, size_t len);
void transport_close_all(struct engine *e);
void transport_reap(struct engine *e);
int  transport_tcp_reachable(struct engine *e, struct endpoint *ep,
    const struct addr *to);
void endpoint_unref(struct engine *e, struct endpoint *ep);
void endpoint_hold(struct endpoint *ep);
void endpoint_release(struct engine *e, struct endpoint *ep);
void addr_to_text(const struct addr *a, char *host, size_t hostlen, int *port);
int  addr_from_text(struct addr *a, const char *host, int port);
int  addr_equal(const struct addr *x, const struct addr *y);

/* stack.c: oSIP2 glue */
unsigned hash_str(const char *s);
int  stack_init(struct engine *e);
void stack_free(struct engine *e);
void stack_receive(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, const char *buf, size_t len);
int  stack_send_response(struct engine *e, struct stx *stx,
    osip_message_t *resp);
int  stack_send_request(struct engine *e, struct leg *leg,
    osip_message_t *req, struct stx **stxp);
int  stack_send_raw(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *to, osip_message_t *msg);
int  stack_reply(struct engine *e, struct stx *stx, int code,
    const char *extra_name, const char *extra_value);
int  stack_reply_build(struct engine *e, struct stx *stx, int code,
    osip_message_t **respp);
void stack_reap(struct engine *e);
void stack_abandon(struct engine *e, struct stx *stx);
void stack_transport_failed(struct engine *e, const struct addr *peer);
void stack_new_branch(struct engine *e, char *buf, size_t len);
int  stack_branch_is_ours(const struct engine *e, const osip_message_t *msg);
const char *top_branch(const osip_message_t *msg);
void stack_new_tag(struct engine *e, char *buf, size_t len);

/* call.c: the B2BUA */
void call_on_event(struct engine *e, struct deferred *d);
void call_on_stray(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, osip_message_t *msg);
void call_release_all(struct engine *e);
void call_reap(struct engine *e);
void call_free_zombies(struct engine *e);
void call_kill_stx(struct engine *e, struct stx *stx);
int  call_absorb(struct engine *e, osip_message_t *msg);

/* call.c: helpers shared with refer.c */
void  hostport(char *buf, size_t len, const char *host, unsigned port);
const char *header_tag(osip_from_t *h);
char *name_addr(osip_from_t *h);
const char *body_of(const osip_message_t *msg);
char *contact_uri(const osip_message_t *msg);
char *route_set_of(const osip_message_t *msg, int reverse);
osip_message_t *parse_text(const char *text);
void  leg_clear(struct leg *leg);
int   leg_sent_invite(struct leg *leg, const osip_message_t *inv);
void  leg_towards(struct leg *leg, struct endpoint *ep,
    const struct engine *e, const struct referd_gw *gw);
const char *ep_host(const struct leg *leg);
struct leg *leg_find(struct engine *e, const osip_message_t *msg);
struct leg *leg_find_callid(struct engine *e, const char *call_id);
int   callid_text(const osip_message_t *msg, char *buf, size_t len);
const char *header_first(const osip_message_t *msg, const char *name,
    const char *compact, int *countp);
void  leg_index(struct engine *e, struct leg *leg);
void  leg_unindex(struct engine *e, struct leg *leg);
int   in_dialog(const struct leg *leg, const osip_message_t *req);
osip_message_t *leg_request_ex(struct engine *e, struct leg *leg,
    const char *method, unsigned cseq, const char *branch, const char *extra,
    const char *body);
void  leg_bye(struct engine *e, struct leg *leg);
int   leg_reply(struct engine *e, struct leg *leg, int code, const char *sdp,
    const char *extra_name, const char *extra_value);
void  leg_ack(struct engine *e, struct leg *leg, unsigned cseq);
void  leg_cancel(struct engine *e, struct leg *leg);
char *leg_sdp(struct leg *leg, const char *sdp, const char *direction);
int   leg_learn_media(struct leg *leg, const char *sdp);
const struct referd_gw *route_lookup(const struct referd_config *cfg,
    const char *user);
const struct referd_gw *trusted_gateway(const struct engine *e,
    const struct addr *src);
/* A gateway's address (port 5060 when its port is 0), parsed once per
 * snapshot by gateways_sync(); NULL when its address text is not one. */
const struct addr *gateway_addr(const struct engine *e,
    const struct referd_gw *g);
int  gateways_sync(struct engine *e, const struct referd_config *cfg);
void  call_release(struct engine *e, struct call *c);
void  call_set_state(struct engine *e, struct call *c, enum call_state s);
const char *leg_allow(struct engine *e, const struct leg *leg);

/* call.c: Delayed Answer */
void call_answer_delayed(struct engine *e, struct call *c, const char *sdp);

/* refer.c: REFER, referd as transferee */
void refer_on_request(struct engine *e, struct stx *stx);
void refer_on_x_response(struct engine *e, struct leg *x, osip_message_t *resp);
void refer_fail(struct engine *e, struct call *c, int code);
void refer_on_notify_response(struct engine *e, struct stx *stx, int code);
void refer_stop(struct engine *e, struct call *c);
void call_x_clear(struct engine *e, struct call *c);

/* refer.c: header helpers, also driven by the fuzz harness (fuzz/) */
void user_of(const char *text, char *buf, size_t len);
int  refer_split_target(osip_uri_t *url, char **targetp, char **replacesp);
int  refer_sipfrag(char *buf, size_t len, int code, const char *reason);

/* replaces.c: INVITE with Replaces, referd as transfer target */
int  replaces_on_invite(struct engine *e, struct stx *stx, uint32_t sgp);

/* Replaces: call-id;to-tag=..;from-tag=..[;early-only], parsed. */
struct replaces {
	char call_id[256];
	char to_tag[128];
	char from_tag[128];
	int  early_only;
};
int  parse_replaces(const char *v, struct replaces *r);

/* media.c */
int  media_open(struct engine *e, struct media *m, const struct endpoint *ep);
void media_close(struct engine *e, struct media *m);
void media_set_remote(struct media *m, const struct addr *rtp);
int  media_pool_sync(struct engine *e, const struct referd_config *cfg);
void media_pool_free(struct engine *e);

/* sdp.c */
int  sdp_get_media(const char *sdp, char *host, size_t hostlen, int *port);
char *sdp_rewrite(const char *sdp, const char *addr, int port,
    const char *origin_id, unsigned version, const char *direction);
const char *sdp_direction(const char *sdp);

#endif /* REFERD_SIP_INTERNAL_H */
