/*
 * internal.h: the SIP engine's private structures, shared by the files of
 * sip/ and by nothing outside it (the fuzz harness aside).  Each file's
 * functions are declared below under its name; the transports' own
 * declarations are in transport.h.
 *
 * Ownership, in one place:
 *   engine  owns endpoints, the media pool, the oSIP2 stack, the calls.
 *   call    owns its legs (a = caller side, b = called side, x = transfer
 *           target or replacing leg), each with its dialog and media, and
 *           its transfer with the REFER's subscription; it is freed only
 *           from engine_reap(), at the end of a loop iteration, never
 *           inside a watcher or oSIP2 callback.
 *   stx     (our wrapper of an oSIP2 transaction) is owned by the stack;
 *           a leg or a subscription only points at it, and the kill
 *           callback clears that (call_kill_stx).
 */
#ifndef REFERD_SIP_INTERNAL_H
#define REFERD_SIP_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include <ev.h>
#include <osip2/osip.h>

#include "cdr/record.h"
#include "model/config.h"
#include "engine.h"
#include "transport.h"

struct call;
struct leg;
struct stx;

/* A gateway's parsed address (engine->gw_addr[i] is current->gw[i]'s). */
struct gw_addr {
	struct addr a;
	int         ok;
};

/* An RTP/RTCP port pair of one leg, and where its media goes. */
/* A set of RTP payload types (0..127). */
struct pt_set {
	uint32_t bits[4];
};

/* The SDP of one body, as sdp_parse() describes it (sdp.c). */
#define SDP_MEDIA_MAX 8          /* m= lines referd anchors per body */
#define SDP_FMT_MAX   32         /* payload types per m= line */
enum sdp_dir { SDP_SENDRECV = 0, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };
struct sdp_media {
	char         type[16];       /* audio, video, image, ... */
	int          port;           /* 0: refused */
	int          rtp;            /* an RTP profile: fmt are payload types */
	int          nfmt;
	int          fmt[SDP_FMT_MAX];
	char         codec[SDP_FMT_MAX][24];   /* "pcmu/8000", "" unknown */
	char         addr[64];       /* its c=, else the session's */
	enum sdp_dir dir;
	int          rtcp_mux;
};
struct sdp {
	int              n;          /* described (at most SDP_MEDIA_MAX) */
	int              n_total;    /* m= lines in the body */
	struct sdp_media m[SDP_MEDIA_MAX];
};

/* How sdp_write() makes one leg's copy of a body. */
struct sdp_write {
	const char          *addr;         /* referd's address on the leg */
	const char          *origin_user;  /* fixed per leg */
	const char          *origin_id;    /* session id, fixed per leg */
	unsigned             version;
	int                  nports;
	const int           *ports;        /* per m= line; 0 refuses it */
	const struct pt_set *keep;         /* per m= line, or NULL: all */
	const char          *direction;    /* replaces every direction */
};

/* How a stream's socket is locked to its party's source (media.c). */
enum latch {
	LATCH_NONE = 0,     /* nothing received yet: the first source latches */
	LATCH_LEARNED,      /* the first source (symmetric RTP, NAT) */
	LATCH_SIGNALLED,    /* the address the party's SDP gave: for good */
};

/*
 * One media stream of a leg: an RTP/RTCP port pair, where its packets go,
 * and which payload types its party may receive.
 */
struct media {
	int             rtp_fd, rtcp_fd;
	uint16_t        port;        /* RTP port; RTCP is port + 1 */
	ev_io           rtp_io, rtcp_io;
	struct addr     remote_rtp;  /* where the party receives RTP */
	struct addr     remote_rtcp;
	struct addr     signalled;   /* the address its SDP gave */
	struct addr     signalled_rtcp;  /* and the RTCP address it implies */
	int             have_remote;
	enum latch      latched, latched_rtcp;  /* locked to a source */
	int             mux;         /* a=rtcp-mux: RTCP on the RTP port */
	int             filter;      /* relay only `allow` to the party */
	struct pt_set   allow;
	struct media   *peer;        /* the other leg's stream: relay target */
	uint64_t        packets;     /* relayed out of this leg's socket */
	uint64_t        dropped;     /* not relayed: foreign source or type */
	struct engine  *engine;
	struct leg     *leg;         /* whose stream (its profile counts drops) */
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

/* The state of a dialog (RFC 3261 12): none yet, early, confirmed, over. */
enum dialog_state {
	DLG_NONE = 0,
	DLG_EARLY,
	DLG_CONFIRMED,
	DLG_TERMINATED,
};

/*
 * A SIP dialog as one of its ends, referd, sees it (RFC 3261 12): its
 * identifiers, both CSeq numbers, the route set and the remote target.
 * Every in-dialog request referd sends (ACK, BYE, CANCEL, NOTIFY, OPTIONS)
 * is built from it (dialog.c), and every one it receives is checked
 * against it (dialog_check).
 */
struct dialog {
	enum dialog_state state;
	char           *call_id;
	char           *local_tag, *remote_tag;
	char           *local_uri, *remote_uri;   /* From/To name-addrs */
	char           *remote_target;            /* Contact of the peer */
	char           *route_set;    /* Route for in-dialog requests, or NULL */
	unsigned        local_cseq;
	unsigned        remote_cseq;  /* 0: none seen yet */
};

/* One side of a call: a SIP dialog with one peer. */
struct leg {
	struct call    *call;
	int             is_a;         /* the caller's leg */
	struct leg     *partner;      /* the leg its media and BYE go to */
	struct leg     *hnext;        /* engine->leg_hash, by Call-ID */
	int             indexed;
	struct dialog   dlg;
	char           *remote_sdp;   /* the peer's last SDP */
	char           *local_sdp;    /* the last SDP referd sent the peer */
	struct endpoint *ep;          /* local endpoint it uses */
	int             transport;    /* REFERD_TRANSPORT_* */
	struct addr     peer;         /* where its requests and responses go */
	uint32_t        sgp;          /* profile */
	unsigned        refers;       /* REFERs received in this dialog */
	struct stx     *ping;         /* its keepalive OPTIONS, while pending */
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
	struct media    media;        /* stream 0 */
	struct media   *more;         /* streams 1.. (SDP_MEDIA_MAX - 1) */
	int             nstreams;     /* streams open */
	/* The session (session.c): offer/answer carried across the call. */
	struct stx     *reinv_in;     /* the party's re-INVITE, unanswered */
	struct stx     *reinv_out;    /* referd's re-INVITE, until final */
	int             reinv_offerless;  /* it carried no offer */
	int             reinv_local;  /* referd's own: nothing to relay back */
	struct leg     *reinv_asker;  /* whose re-INVITE reinv_out relays */
	struct leg     *reinv_align;  /* referd's own: whose media it offers */
	int             ack_wait;     /* our 2xx held an offer: ACK has answer */
	int             ack_hold;     /* its 2xx not ACKed until the answer */
	unsigned        ack_cseq;     /* the INVITE CSeq ack_text answers */
	char           *ack_text;     /* our ACK of its 2xx, sent again */
	char           *fork_tag;     /* b, x: the last other fork's 2xx BYEd */
	/* The session timer (timer.c, RFC 4028): none while se_interval 0. */
	unsigned        se_interval;  /* negotiated Session-Expires (s) */
	int             se_ours;      /* referd refreshes; else the party */
	int             se_peer;      /* the party supports `timer` */
	int             se_refresh;   /* reinv_out is referd's refresh */
	unsigned        se_asked;     /* b: the interval its INVITE asks after
	                                 a 422 (RFC 4028 7.3); 0: the profile's */
	ev_timer        se_timer;     /* referd's refresh, or the deadline of
	                                 the party's */
	int             reinv_update; /* reinv_out is an UPDATE (RFC 3311) */
	int             allow_update; /* the party's Allow lists UPDATE */
	/* While a response of another leg's party is answered on to this
	 * leg's party (its 1xx or 2xx): that response, whose identity
	 * referd's response carries (msg_resp relay), and its leg's
	 * profile.  Set only around the reply, never kept. */
	const osip_message_t *reply_relay;
	uint32_t        reply_relay_sgp;
	/* 100rel (rel.c, RFC 3262), as UAS on the leg's first INVITE... */
	int             rel_peer;     /* its INVITE supports or requires it */
	unsigned        rseq;         /* the last RSeq sent */
	int             rel_acked;    /* ... and its PRACK came */
	unsigned        rel_cseq;     /* the CSeq of the INVITE it answers */
	osip_message_t *rel_1xx;      /* resent until its PRACK */
	ev_timer        rel_retx;
	double          rel_interval;
	ev_tstamp       rel_start;
	int             rel_next;     /* a 1xx that waits for that PRACK */
	char           *rel_next_sdp; /* its body, written for the leg */
	int             rel_answered; /* the answer went in a reliable 1xx */
	char           *rel_src;      /* the SDP of the last answer the
	                                 party got before the 2xx */
	/* ... and as UAC: the reliable 1xx it got (RSeq of INVITE CSeq) */
	unsigned        rseq_in, rseq_in_cseq;
};

/* The state of a REFER's implicit subscription (RFC 3515, 6665). */
enum sub_state {
	SUB_NONE = 0,       /* no subscription (none yet, or Refer-Sub: false) */
	SUB_ACTIVE,         /* NOTIFYs go to the transferor */
	SUB_TERMINATED,     /* the final NOTIFY went, or it answered 481 */
};

/* A NOTIFY waiting for the one before it to be answered. */
struct sub_notify {
	int                 code;
	int                 final;
	struct sub_notify  *next;
};

/*
 * The subscription a REFER creates (subscription.c): the transferor's
 * dialog it lives in, its Event id, its state and expiry, and the NOTIFYs
 * not sent yet, one at a time in order (RFC 6665 4.2.2: a new NOTIFY
 * waits for the previous one's response).
 */
struct subscription {
	enum sub_state      state;
	struct leg         *leg;      /* the transferor's leg */
	unsigned            event_id; /* Event: refer;id=, 0 for none */
	ev_tstamp           expires;  /* when an active one lapses */
	struct stx         *pending;  /* the NOTIFY in flight */
	struct sub_notify  *queue, **queue_tail;
	int                 bye_after; /* BYE its leg once the last is done */
};

/* A transfer in progress, referd as transferee: at most one per call. */
struct transfer {
	int             active;
	struct leg     *transferor;   /* sent the REFER */
	struct leg     *survivor;     /* connected to x when C answers */
	char           *target;       /* the Refer-To URI without headers */
	struct subscription sub;
	uint32_t        sgp;          /* the transferor's profile */
	int             release_session;
	ev_timer        timer;        /* no final answer from C */
	unsigned        redirects;    /* 3xx from C followed so far */
	char           *from_user;    /* the INVITE to C: its From user, */
	char           *referred_by;  /* Referred-By */
	char           *replaces;     /* and Replaces (or NULL): kept for
	                                 sending it again (a 3xx followed) */
};

/* A call: two legs and their relay, and a third during a transfer. */
struct call {
	uint32_t        index;        /* referdCallIndex */
	char            instance[REFERD_INSTANCE_MAX + 1]; /* the engine's
	                                 when the call came (its call table
	                                 row; B's Call-ID starts with it) */
	enum call_state state;
	struct leg      a, b;
	struct leg      x;            /* the transfer target C */
	struct transfer xfer;
	char           *target_uri;   /* last transfer target, published */
	int             da_waiting;   /* Delayed Answer: A not answered yet */
	ev_timer        da_timer;     /* Delayed Answer Timer */
	ev_timer        da_refresh;   /* the 183 resent while A waits */
	osip_message_t *da_answer;    /* B's 2xx while A waits: its identity
	                                 goes in A's 183s and 200 (build.c) */
	ev_timer        keepalive;    /* in-dialog OPTIONS to each party */
	char           *caller_uri, *callee_uri;
	ev_tstamp       started;
	ev_timer        timer_c;      /* no final answer from b */
	int             cancel_pending; /* a cancelled before b's 1xx */
	unsigned        redirects;    /* 3xx from b followed so far */
	osip_message_t *ending;       /* the BYE or CANCEL that ended the call,
	                                 whose Reason goes on (header policy) */
	uint32_t        ending_sgp;   /* the profile of the leg it came on */
	char            own_reason[80]; /* referd ends the call itself: the
	                                 Reason of its BYEs (timer.c), or "" */
	int             reap_when_idle; /* released; freed once its ICTs end */
	int             dead;         /* released; freed by engine_reap */
	struct cdr_record *cdr;       /* its billing record, or NULL */
	char           *bye_reason;   /* the Reason of the last BYE ... */
	const struct leg *bye_leg;    /* ... and whose it was (billing.c) */
	struct call    *joined;       /* joined by an attended transfer: its
	                                 survivor talks to this one's */
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
	struct stx         *relay;    /* a relayed request's other transaction */
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
	int             debug;           /* log dialog state changes */

	engine_event_h *eh;
	void           *eh_arg;
	struct cdr_sink cdr_sink;        /* billing records (billing.c) */

	_Atomic(struct referd_config *) pending;
	struct referd_config *current;   /* engine thread only */

	_Atomic uint64_t generation;
	_Atomic uint32_t active_calls;

	/* Published for the agent: written here, read there. */
	_Atomic uint64_t counters[REFERD_SGP_MAX + 1][REFERD_CTR__COUNT];
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
	unsigned long    seq;            /* for branches */
	char             node[16];       /* this run's random id: in every
	                                    branch (stack_branch_is_ours) */
	/* Random bytes from the kernel (msg.c), refilled a pool at a time. */
	unsigned char    rnd[1024];
	size_t           rnd_used;       /* consumed; sizeof(rnd): empty */
	int              rnd_fd;         /* /dev/urandom when getrandom(2)
	                                    is missing, else -1 */
	/* The instance name: when none is configured, then in effect (set
	 * with each snapshot; the Call-IDs of new legs start with it). */
	char             instance_default[REFERD_INSTANCE_MAX + 1];
	char             instance[REFERD_INSTANCE_MAX + 1];

	/*
	 * Test seam, set only by the fuzz harness (fuzz/sip_receive.c); NULL
	 * in referd, where nothing changes.  When set, transport_send() hands
	 * every outgoing SIP message to it instead of a socket, and
	 * transport_tcp_reachable() asks it (buf NULL, len 0) instead of
	 * connecting, and the media relay hands it every RTP and RTCP
	 * datagram it relays (ep NULL): the harness's engine sends nothing on
	 * the network.
	 */
	int            (*send_hook)(struct engine *e, struct endpoint *ep,
	    int transport, const struct addr *to, const char *buf, size_t len);
	/*
	 * Test seam, the fuzz harness's too: when set, the random pool is
	 * filled by it instead of the kernel, so that an input replays the
	 * same conversation.
	 */
	void           (*random_hook)(struct engine *e, unsigned char *buf,
	    size_t len);
};

/* billing.c: the call's billing record, filled at its events */
void billing_settings(struct engine *e);
void billing_setup(struct engine *e, struct call *c, const osip_message_t *req,
    const struct referd_gw *gwa, const struct referd_gw *gwb);
void billing_reply_a(struct engine *e, struct call *c, int code);
void billing_transfer(struct engine *e, struct call *c, const struct leg *tl,
    const char *target, const char *referred_by, const char *kind);
void billing_transfer_end(struct engine *e, struct call *c, int code,
    const struct leg *party, double answered);
double billing_answer_of(const struct call *c);
void billing_end(struct call *c, const char *who, const char *cause, int code,
    const char *reason);
const char *billing_reason(const osip_message_t *msg);
void billing_bye(struct leg *leg, const osip_message_t *req);
void billing_leg_ended(struct call *c, const struct leg *leg);
void billing_released(struct engine *e, struct call *c);

/* engine.c */
void engine_emit(struct engine *e, struct engine_event *ev);
void engine_log(struct engine *e, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void engine_count(struct engine *e, uint32_t sgp, enum referd_counter c);
void engine_count_add(struct engine *e, uint32_t sgp, enum referd_counter c,
    uint64_t n);
void engine_emit_sig_status(struct engine *e, uint32_t sig, int up);
void engine_calls_changed(struct engine *e);

/* stx.c: our index of oSIP2 transactions, their timers and lifetimes */
unsigned hash_str(const char *s);
char *stx_key(const osip_message_t *msg);
struct stx *stx_find(struct engine *e, const char *key);
struct stx *stx_new(struct engine *e, osip_transaction_t *tr, char *key);
void stx_arm(struct engine *e, struct stx *s);
void stx_settled_receive(struct engine *e, struct stx *s,
    const osip_message_t *msg);
void stx_free(struct engine *e, struct stx *s);
void stx_unindex(struct engine *e, struct stx *s);
void stack_reap(struct engine *e);
void stack_abandon(struct engine *e, struct stx *stx);
void stack_transport_failed(struct engine *e, const struct addr *peer);

/* stack.c: oSIP2 glue, the receive path, sending */
int  stack_init(struct engine *e);
void stack_free(struct engine *e);
void stack_drain(struct engine *e);
void stack_defer(struct engine *e, int type, osip_transaction_t *tr,
    osip_message_t *msg);
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

/* syntax.c: the grammar of a received message, before oSIP2 parses it */
#define SYNTAX_DROP (-1)
struct syntax {
	int         code;       /* 0, a status for the request, SYNTAX_DROP */
	const char *why;        /* what is wrong (a constant) */
	int         response;   /* a Status-Line */
	int         ack;        /* an ACK (never answered) */
	char       *fixed;      /* a copy to parse instead, or NULL */
};
void  syntax_check(const char *buf, size_t len, int reliable,
    struct syntax *sx);
char *syntax_reply(struct engine *e, const char *buf, size_t len, int code,
    const char *why, size_t *lenp);

/* msg.c: reading messages, and the identifiers referd makes */
const char *top_branch(const osip_message_t *msg);
const char *header_first(const osip_message_t *msg, const char *name,
    const char *compact, int *countp);
int   tag_listed(const char *list, const char *tag, size_t n);
int   header_lists(const osip_message_t *msg, const char *name,
    const char *compact, const char *tag);
int   msg_allows(const osip_message_t *msg, const char *method);
void  hostport(char *buf, size_t len, const char *host, unsigned port);
const char *header_tag(osip_from_t *h);
char *name_addr(osip_from_t *h);
char *name_addr_at(osip_from_t *h, const char *host, unsigned port);
char *name_addr_only(const char *value);
const char *body_of(const osip_message_t *msg);
const char *body_raw(const osip_message_t *msg, size_t *lenp);
char *header_raw(const osip_message_t *msg, const char *name,
    const char *compact);
char *contact_uri(const osip_message_t *msg);
int   uri_addr(const char *text, struct addr *out);
char *route_set_of(const osip_message_t *msg, int reverse);
char *contacts_of(const osip_message_t *msg);
char *header_all(const osip_message_t *msg, const char *name);
osip_message_t *parse_text(const char *text);
osip_message_t *parse_text_len(const char *text, size_t len);
int   callid_text(const osip_message_t *msg, char *buf, size_t len);
void  user_escaped(const char *user, char *buf, size_t len);
void  user_of(const char *text, char *buf, size_t len);
int   stack_random_init(struct engine *e);
void  stack_random_free(struct engine *e);
uint32_t stack_random_u32(struct engine *e);
void  stack_new_branch(struct engine *e, char *buf, size_t len);
void  stack_new_tag(struct engine *e, char *buf, size_t len);
void  stack_new_call_id(struct engine *e, const char *host, char *buf,
    size_t len);
int   stack_branch_is_ours(const struct engine *e, const osip_message_t *msg);

/*
 * build.c: the one builder of every message referd sends.  A request is
 * described by a struct msg_req; a response by the transaction it answers
 * and a struct msg_resp.  The header rules (which headers, their names
 * and order, Max-Forwards on every request, Allow, Supported, Contact)
 * live there and nowhere else.
 */
/* A header a message copies or makes: a name and a value of one line. */
struct msg_hdr {
	const char   *name;
	const char   *value;
};
#define MSG_HDRS_MAX 8

struct msg_req {
	const char   *method;
	const char   *ruri;          /* Request-URI */
	const struct leg *leg;       /* endpoint, transport, dialog */
	int           in_dialog;     /* To tag, route set, remote target */
	unsigned      cseq;
	const char   *branch;        /* NULL: a new one */
	int           max_forwards;  /* 0: 70 */
	const char   *contact_user;  /* NULL: no Contact */
	int           allow;         /* the leg's Allow and Supported */
	struct msg_hdr hdrs[MSG_HDRS_MAX];  /* more headers; name NULL ends */
	/* A request received on another leg whose headers are carried over
	 * as the header policy of both legs' profiles allows, or NULL. */
	const osip_message_t *relay;
	uint32_t      relay_sgp;     /* the profile of the leg it came on */
	const char   *content_type;  /* with body */
	const char   *body;
	size_t        body_len;      /* 0: strlen(body); a body may hold NUL */
};
struct msg_resp {
	const struct leg *leg;       /* its dialog: Contact, Allow, Supported,
	                                Record-Route in a 101..299 */
	int           allow;         /* Allow, Accept and Supported of sgp */
	uint32_t      sgp;
	struct msg_hdr hdr;          /* one more header, or name NULL */
	struct msg_hdr more[MSG_HDRS_MAX];  /* and these; name NULL ends */
	const char   *reason;        /* NULL: the standard reason phrase */
	unsigned      rseq;          /* a reliable 1xx (RFC 3262): RSeq, and
	                                Require: 100rel; 0: none */
	const char   *content_type;  /* with body */
	const char   *body;
	size_t        body_len;      /* 0: strlen(body); a body may hold NUL */
	/* In a 101..299: a response of another leg's party whose headers
	 * are carried over as the header policy of both legs' profiles
	 * allows (its identity), or NULL. */
	const osip_message_t *relay;
	uint32_t      relay_sgp;     /* the profile of the leg it came on */
};
char *msg_request_text(struct engine *e, const struct msg_req *r);
osip_message_t *msg_request(struct engine *e, const struct msg_req *r);
int   msg_relays(const struct engine *e, const char *name, uint32_t from,
    uint32_t to);
int   msg_response(struct engine *e, struct stx *stx, int code,
    const struct msg_resp *r, osip_message_t **respp);
osip_message_t *msg_response_stateless(struct engine *e,
    const osip_message_t *req, int code);
void  msg_outgoing(osip_message_t *msg);
size_t msg_wire_tidy(char *buf, size_t len);
int   msg_to_wire(osip_message_t *msg, char **bufp, size_t *lenp);

/* dialog.c: a leg's dialog, and the requests referd sends in it */
void  dialog_set_state(struct engine *e, struct leg *leg,
    enum dialog_state s);
int   dialog_is(const struct leg *leg, enum dialog_state s);
int   dialog_from_request(struct engine *e, struct leg *leg,
    const osip_message_t *req);
void  dialog_on_response(struct engine *e, struct leg *leg,
    const osip_message_t *resp);
int   dialog_check(struct leg *leg, const osip_message_t *req);
void  dialog_clear(struct dialog *d);
osip_message_t *dialog_request(struct engine *e, struct leg *leg,
    const char *method, const struct msg_hdr *hdrs, const char *content_type,
    const char *body);
void  dialog_bye(struct engine *e, struct leg *leg);
void  dialog_ack(struct engine *e, struct leg *leg, unsigned cseq,
    const char *sdp);
void  dialog_reack(struct engine *e, struct leg *leg, unsigned cseq);
void  dialog_cancel(struct engine *e, struct leg *leg);
void  dialog_dest(const struct leg *leg, struct addr *out);

/* gateway.c: gateways, trust, routing, and what a profile enables */
const struct referd_refer *profile_refer(const struct referd_config *cfg,
    uint32_t sgp);
int   profile_refer_enabled(const struct referd_config *cfg, uint32_t sgp);
const struct referd_refer *profile_delayed_answer(
    const struct referd_config *cfg, uint32_t sgp);
const char *profile_allow(const struct referd_config *cfg, uint32_t sgp);
const char *profile_supported(const struct referd_config *cfg, uint32_t sgp);
const struct referd_sgp *profile_timers(const struct referd_config *cfg,
    uint32_t sgp);
int   profile_header_policy(const struct referd_config *cfg, uint32_t sgp);
int   profile_hides_topology(const struct referd_config *cfg, uint32_t sgp);
int   profile_100rel(const struct referd_config *cfg, uint32_t sgp);
int   gateways_sync(struct engine *e, const struct referd_config *cfg);
/* A gateway's address (port 5060 when its port is 0), parsed once per
 * snapshot by gateways_sync(); NULL when its address text is not one. */
const struct addr *gateway_addr(const struct engine *e,
    const struct referd_gw *g);
const struct referd_gw *trusted_gateway(const struct engine *e,
    const struct addr *src);
int   leg_from_peer(const struct engine *e, const struct leg *leg,
    const struct addr *src);
const struct referd_gw *route_lookup(const struct referd_config *cfg,
    const char *user);
const struct referd_gw *target_gateway(const struct engine *e,
    const osip_uri_t *uri);
int   leg_towards(struct leg *leg, struct endpoint *near, struct engine *e,
    const struct referd_gw *gw);
void  gateway_ruri(char *buf, size_t len, const struct referd_gw *gw,
    const char *user, int transport);

/* leg.c: legs: their index, their UAS answers and 2xx retransmission */
const char *ep_host(const struct leg *leg);
void  leg_init(struct leg *leg, struct call *c, int is_a);
void  leg_index(struct engine *e, struct leg *leg);
void  leg_unindex(struct engine *e, struct leg *leg);
struct leg *leg_find(struct engine *e, const osip_message_t *msg);
struct leg *leg_find_callid(struct engine *e, const char *call_id);
void  leg_from_request(struct leg *leg, struct stx *stx, uint32_t sgp);
int   leg_send_invite(struct engine *e, struct leg *leg,
    osip_message_t *inv);
void  leg_invite_reset(struct engine *e, struct leg *leg);
void  leg_clear(struct leg *leg);
void  leg_forget(struct engine *e, struct leg *leg);
int   leg_reply(struct engine *e, struct leg *leg, int code, const char *sdp,
    const char *extra_name, const char *extra_value);
int   leg_reply_body(struct engine *e, struct leg *leg, struct stx *stx,
    int code, const char *body, const char *extra_name,
    const char *extra_value);
void  leg_acked(struct engine *e, struct leg *leg);
int   leg_absorb(struct engine *e, osip_message_t *msg);

/* call.c: the B2BUA call */
void  call_new(struct engine *e, struct stx *stx);
void  call_on_b_response(struct engine *e, struct leg *b,
    osip_message_t *resp);
void  call_on_invite_failed(struct engine *e, struct leg *leg, int code);
int   leg_redirect(struct engine *e, struct leg *leg,
    const osip_message_t *resp, unsigned *count, const char *what,
    const struct referd_gw **gwp, const char **userp);
void  call_leg_gone(struct engine *e, struct leg *leg);
void  call_hangup_orphan(struct engine *e, struct endpoint *ep,
    int transport, const struct addr *to, osip_message_t *resp, int bye);
void  call_ended_by(struct call *c, const osip_message_t *req, uint32_t sgp);
void  call_cancelled(struct engine *e, struct call *c);
void  call_abort(struct engine *e, struct call *c, int code);
void  call_release(struct engine *e, struct call *c);
void  call_end(struct engine *e, struct call *c);
void  call_release_all(struct engine *e);
void  call_reap(struct engine *e);
void  call_free_zombies(struct engine *e);
void  call_kill_stx(struct engine *e, struct stx *stx);
void  call_set_state(struct engine *e, struct call *c, enum call_state s);
int   call_reply_a(struct engine *e, struct call *c, int code,
    const char *sdp, const char *extra_name, const char *extra_value);

/* dispatch.c: requests by method, responses by what they answer */
void  call_on_event(struct engine *e, struct deferred *d);
void  call_on_stray(struct engine *e, struct endpoint *ep, int transport,
    const struct addr *src, osip_message_t *msg);

/* delayed.c: Delayed Answer */
void  delayed_init(struct call *c);
int   delayed_start(struct engine *e, struct call *c, const char *sdp);
void  delayed_answer(struct engine *e, struct call *c, const char *sdp);
void  delayed_stop(struct engine *e, struct call *c);

/* keepalive.c: the dialog keepalive */
void  keepalive_start(struct engine *e, struct call *c);
void  keepalive_result(struct engine *e, struct stx *stx, int code);

/* subscription.c: the implicit subscription of a REFER */
void  sub_start(struct subscription *sub, struct leg *leg, unsigned event_id,
    int wanted);
void  sub_notify(struct engine *e, struct subscription *sub, int code,
    int final);
void  sub_on_response(struct engine *e, struct stx *stx, int code);
void  sub_end(struct subscription *sub);
void  sub_then_bye(struct engine *e, struct subscription *sub,
    struct leg *leg);
void  sub_leg_gone(struct subscription *sub, const struct leg *leg);
int   sub_owns(const struct subscription *sub, const struct stx *stx);
void  sub_kill_stx(struct engine *e, struct subscription *sub,
    const struct stx *stx);

/* relay.c: INFO and MESSAGE carried to the other party, and back */
void relay_on_request(struct engine *e, struct stx *stx, struct leg *leg);
int  relay_on_result(struct engine *e, struct stx *stx, int code,
    const osip_message_t *resp);
void relay_kill_stx(struct stx *stx);

/* refer.c: REFER, referd as transferee */
void refer_on_request(struct engine *e, struct stx *stx);
void refer_on_x_response(struct engine *e, struct leg *x, osip_message_t *resp);
void refer_fail(struct engine *e, struct call *c, int code);
void refer_stop(struct engine *e, struct call *c);
void refer_clear(struct transfer *t);

/* refer.c: header helpers, also driven by the fuzz harness (fuzz/) */
int  refer_split_target(osip_uri_t *url, char **targetp, char **replacesp);
int  refer_sipfrag(char *buf, size_t len, int code, const char *reason);

/* replaces.c: INVITE with Replaces, referd as transfer target */
int  replaces_on_invite(struct engine *e, struct stx *stx, uint32_t sgp);
void replaces_from_stranger(struct engine *e, struct stx *stx, uint32_t sgp);
struct leg *replaces_find(struct engine *e, const char *value);

/* Replaces: call-id;to-tag=..;from-tag=..[;early-only], parsed. */
struct replaces {
	char call_id[256];
	char to_tag[128];
	char from_tag[128];
	int  early_only;
};
int  parse_replaces(const char *v, struct replaces *r);

/* media.c: anchored media, and a leg's side of the SDP */
int  media_open(struct engine *e, struct media *m, struct leg *leg);
void media_close(struct engine *e, struct media *m);
void media_set_remote(struct media *m, const struct addr *rtp, int mux);
int  media_pool_sync(struct engine *e, const struct referd_config *cfg);
void media_pool_free(struct engine *e);
void media_bridge(struct leg *x, struct leg *y);
void media_unbridge(struct leg *leg);
struct media *leg_stream(struct leg *leg, int i);
int  leg_streams_open(struct engine *e, struct leg *leg, int n);
void leg_streams_close(struct engine *e, struct leg *leg);
char *leg_sdp(struct leg *leg, const char *sdp, const char *direction,
    const struct pt_set *keep);
int  leg_learn_media(struct leg *leg, const char *sdp);
int  leg_keep_sdp(struct leg *leg, const char *sdp);
void leg_allowed(struct leg *leg, struct pt_set allow[SDP_MEDIA_MAX]);
void leg_negotiate(struct leg *leg);

/* sdp.c */
int  pt_has(const struct pt_set *s, int pt);
void pt_add(struct pt_set *s, int pt);
int  sdp_parse(const char *text, struct sdp *s);
char *sdp_write(const char *sdp, const struct sdp_write *w);
int  sdp_get_media(const char *sdp, char *host, size_t hostlen, int *port);
const char *sdp_direction(const char *sdp);
int  sdp_has_codec(const struct sdp_media *m, const struct pt_set *allow,
    const char *codec);
int  sdp_same_codecs(const struct sdp *x, const struct pt_set *xa,
    const struct sdp *y, const struct pt_set *ya);
void sdp_keep_codecs(const struct sdp *offer, const struct sdp *of,
    const struct pt_set *allowed, struct pt_set *keep);

/* rel.c: reliable provisional responses (RFC 3262) on each leg */
void  rel_init(struct leg *leg);
void  rel_from_request(struct leg *leg, const osip_message_t *req);
int   rel_refuse(struct engine *e, struct stx *stx, uint32_t sgp);
int   rel_wanted(struct engine *e, const struct leg *leg,
    const struct stx *stx);
int   rel_reply(struct engine *e, struct leg *leg, struct stx *stx,
    int code, const char *body);
void  rel_final(struct engine *e, struct leg *leg);
int   rel_on_prack(struct engine *e, struct stx *stx, struct leg *leg);
int   rel_on_response(struct engine *e, struct leg *leg,
    const osip_message_t *resp);
void  rel_clear(struct leg *leg);

/* session.c: the session a call carries, offer and answer across legs */
void session_on_reinvite(struct engine *e, struct stx *stx, struct leg *leg);
void session_on_update(struct engine *e, struct stx *stx, struct leg *leg);
int  session_on_result(struct engine *e, struct stx *stx, int code,
    osip_message_t *resp);
void session_on_ack(struct engine *e, struct leg *leg,
    const osip_message_t *ack);
void session_offer(struct engine *e, struct leg *leg, const char *sdp,
    const struct pt_set *keep);
void session_align(struct engine *e, struct leg *to, struct leg *from);
void session_align_once(struct engine *e, struct leg *to, struct leg *from);
int  session_refresh(struct engine *e, struct leg *leg);
void session_kill_stx(struct leg *leg, const struct stx *stx);
void session_clear(struct leg *leg);

/* timer.c: RFC 4028 session timers, per leg */
int  timer_check(struct engine *e, struct stx *stx, const osip_message_t *req,
    uint32_t sgp);
void timer_init(struct leg *leg);
void timer_stop(struct engine *e, struct leg *leg);
void timer_uas(struct engine *e, struct leg *leg, const osip_message_t *req);
void timer_uac(struct engine *e, struct leg *leg, const osip_message_t *resp);
int  timer_request_value(const struct engine *e, const struct leg *leg,
    char *buf, size_t len, unsigned *min_se);
int  timer_response_value(const struct leg *leg, char *buf, size_t len,
    int *require);
void timer_refresh_failed(struct engine *e, struct leg *leg, int code);
int  timer_on_422(struct engine *e, struct leg *leg, const osip_message_t *resp);

#endif /* REFERD_SIP_INTERNAL_H */
