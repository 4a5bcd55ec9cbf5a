/*
 * build.c: the one builder of every message referd sends.
 *
 * Requests are described by a struct msg_req and written here as text in
 * one fixed order (Via, Max-Forwards, Route, From, To, Call-ID, CSeq,
 * Contact, Allow, Supported, the other headers, Content-Type,
 * Content-Length); responses are built from the request they answer and a
 * struct msg_resp.  The header rules live here and nowhere else: every
 * request carries Max-Forwards, Allow and Supported say what the leg's
 * profile enables, a Contact names the transport, and no header value
 * copied from elsewhere may hold CR, LF or NUL (it could add headers).
 * A request goes out as the text written here (parse_text_len); what
 * oSIP2 prints itself is tidied on its way out (msg_to_wire): RFC header
 * names, one Allow line, no padded Content-Length.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "internal.h"

/* A header value fit to be written: one line, no control break-out. */
static int
value_ok(const char *v)
{
	return v != NULL && strpbrk(v, "\r\n") == NULL;
}

/*
 * Is a request unfit to be written: a value it takes from elsewhere (the
 * Request-URI, the dialog's URIs, tags, Call-ID and route set, the
 * Contact user, the added headers) holding a line break (a header the
 * value's author would add), or a sips Request-URI (referd has no TLS
 * transport to send it on: RFC 3261 26.2.2)?  Logged.
 */
static int
request_unsafe(struct engine *e, const struct msg_req *r, const char *ruri)
{
	const struct dialog *d = &r->leg->dlg;
	const char *v[] = { ruri, d->local_uri, d->remote_uri, d->local_tag,
	    d->remote_tag, d->call_id, d->route_set, r->contact_user,
	    r->content_type };
	const char *what = NULL;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]) && what == NULL; i++)
		if (v[i] != NULL && !value_ok(v[i]))
			what = "a URI, tag or Call-ID";
	for (int i = 0; i < MSG_HDRS_MAX && r->hdrs[i].name && what == NULL; i++)
		if (!value_ok(r->hdrs[i].value))
			what = r->hdrs[i].name;
	if (what != NULL)
		engine_log(e, ENGINE_LOG_NOTICE, "%s not sent: its %s would "
		    "hold a line break", r->method, what);
	else if (ruri != NULL && strncasecmp(ruri, "sips:", 5) == 0) {
		what = "sips";
		engine_log(e, ENGINE_LOG_NOTICE, "%s to %s not sent: a sips URI "
		    "needs TLS, which referd has not", r->method, ruri);
	}
	return what != NULL;
}

/* A growing text; `failed` once memory ran out. */
struct sbuf {
	char   *p;
	size_t  len, cap;
	int     failed;
};

/* Append n bytes of s (which may hold NUL) to b. */
static void
catn(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = (b->cap + n) * 2;
		char *np = realloc(b->p, ncap);

		if (np == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * Append the strings given (a NULL ends them) to b.  Plain copies: a
 * request is written for every call, and printf's machinery per header
 * cost more than all the rest of the writing.
 */
static void
cat(struct sbuf *b, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, b);
	while (!b->failed && (s = va_arg(ap, const char *)) != NULL)
		catn(b, s, strlen(s));
	va_end(ap);
}

/* An unsigned number as text in buf (at least 12 bytes); returns buf. */
static const char *
num(char *buf, unsigned long v)
{
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && n < sizeof(tmp));
	for (size_t k = 0; k < n; k++)
		buf[k] = tmp[n - 1 - k];
	buf[n] = '\0';
	return buf;
}

/* "<sip:user@host:port;transport=..>" of a leg's local endpoint. */
static void
contact_of(char *buf, size_t len, const struct leg *leg, const char *user)
{
	char hp[96];
	const char *tp = transport_uri_param(leg->transport);

	hostport(hp, sizeof(hp), ep_host(leg), leg->ep->row.port);
	snprintf(buf, len, "<sip:%s@%s%s%s>", user, hp, tp ? ";transport=" : "",
	    tp ? tp : "");
}

/*
 * The headers referd carries from a message received on one leg to the
 * one it sends on another (RFC 3325 identity, RFC 3326 Reason, the
 * Diversion and History-Info of a forwarded call): the requests that
 * carry each, whether a provisional or 2xx response relayed to the other
 * party carries it too (RFC 3325 9.1: the identity of the party that
 * answers), and the header policies (referdSgpHeaderPolicy) that let it
 * pass.  A header passes only when the profiles of both legs allow it:
 * identity is neither accepted from nor given to peers outside the trust
 * domain (noIdentity).  Nothing else of a message is copied.  An INVITE
 * row covers re-INVITEs too: a relayed session change says who sends it.
 */
#define HP_CARRIER_ONLY  (1u << REFERD_HP_CARRIER)
#define HP_NOT_NONE      ((1u << REFERD_HP_CARRIER) | \
                          (1u << REFERD_HP_NO_IDENTITY))
static const struct {
	const char *name;
	const char *method, *method2;  /* the requests that carry it */
	int         in_response;       /* and a relayed 1xx or 2xx */
	unsigned    policies;          /* 1 << enum referd_header_policy */
} relayed[] = {
	{ "P-Asserted-Identity", "INVITE", "UPDATE", 1, HP_CARRIER_ONLY },
	{ "Privacy", "INVITE", "UPDATE", 1, HP_CARRIER_ONLY },
	{ "Diversion", "INVITE", NULL, 0, HP_NOT_NONE },
	{ "History-Info", "INVITE", NULL, 0, HP_NOT_NONE },
	{ "Reason", "BYE", "CANCEL", 0, HP_NOT_NONE },
};

/* May header `name` pass from a leg of profile `from` to one of `to`? */
int
msg_relays(const struct engine *e, const char *name, uint32_t from,
    uint32_t to)
{
	unsigned pf = 1u << profile_header_policy(e->current, from);
	unsigned pt = 1u << profile_header_policy(e->current, to);

	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++)
		if (strcasecmp(relayed[i].name, name) == 0)
			return (relayed[i].policies & pf) &&
			    (relayed[i].policies & pt);
	return 0;
}

/*
 * Each header line of src (received on a leg of profile from) that goes
 * on a message to a leg of profile to: a request `method`, or with method
 * NULL a provisional or 2xx response; put(arg, name, value) for each.
 */
static void
each_relayed(const struct engine *e, const osip_message_t *src,
    uint32_t from, uint32_t to, const char *method,
    void (*put)(void *, const char *, const char *), void *arg)
{
	osip_header_t *h = NULL;

	if (src == NULL)
		return;
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++) {
		if (method == NULL ? !relayed[i].in_response :
		    strcmp(method, relayed[i].method) != 0 &&
		    (relayed[i].method2 == NULL ||
		    strcmp(method, relayed[i].method2) != 0))
			continue;
		if (!msg_relays(e, relayed[i].name, from, to))
			continue;
		for (int k = osip_message_header_get_byname(src,
		    relayed[i].name, 0, &h); k >= 0;
		    k = osip_message_header_get_byname(src,
		    relayed[i].name, k + 1, &h))
			if (h->hvalue != NULL && value_ok(h->hvalue))
				put(arg, relayed[i].name, h->hvalue);
	}
}

/* A relayed header line, written into a request's text. */
static void
put_line(void *arg, const char *name, const char *value)
{
	cat(arg, name, ": ", value, "\r\n", NULL);
}

/* A relayed header, set on a response. */
static void
put_header(void *arg, const char *name, const char *value)
{
	osip_message_set_header(arg, name, value);
}

/* The header lines of a request after its Call-ID and CSeq. */
static void
put_tail(struct engine *e, struct sbuf *b, const struct msg_req *r)
{
	const struct leg *leg = r->leg;
	const char *sup = profile_supported(e->current, leg->sgp);
	size_t blen = r->body == NULL ? 0 : r->body_len ? r->body_len :
	    strlen(r->body);
	char contact[192], n[24], se[48];
	unsigned min_se;

	if (r->contact_user != NULL) {
		contact_of(contact, sizeof(contact), leg, r->contact_user);
		cat(b, "Contact: ", contact, "\r\n", NULL);
	}
	if (r->allow) {
		cat(b, "Allow: ", profile_allow(e->current, leg->sgp), "\r\n",
		    NULL);
		if (sup != NULL)
			cat(b, "Supported: ", sup, "\r\n", NULL);
		if (strcmp(r->method, "INVITE") == 0 &&
		    profile_100rel(e->current, leg->sgp) ==
		    REFERD_100REL_REQUIRED)
			cat(b, "Require: 100rel\r\n", NULL);
	}
	/* An INVITE says the leg's session interval (RFC 4028 7), and so
	 * does an UPDATE once there is one (a session refresh). */
	if ((strcmp(r->method, "INVITE") == 0 ||
	    (strcmp(r->method, "UPDATE") == 0 && leg->se_interval != 0)) &&
	    timer_request_value(e, leg, se, sizeof(se), &min_se))
		cat(b, "Session-Expires: ", se, "\r\nMin-SE: ", num(n, min_se),
		    "\r\n", NULL);
	for (int i = 0; i < MSG_HDRS_MAX && r->hdrs[i].name; i++)
		cat(b, r->hdrs[i].name, ": ", r->hdrs[i].value, "\r\n", NULL);
	each_relayed(e, r->relay, r->relay_sgp, leg->sgp, r->method, put_line,
	    b);
	if (r->body != NULL && r->content_type != NULL)
		cat(b, "Content-Type: ", r->content_type, "\r\n", NULL);
	cat(b, "Content-Length: ", num(n, blen), "\r\n\r\n", NULL);
	if (blen > 0)
		catn(b, r->body, blen);
}

/* The text of a request and its length in *lenp (a body may hold NUL). */
static char *
request_text(struct engine *e, const struct msg_req *r, size_t *lenp)
{
	const struct leg *leg = r->leg;
	const struct dialog *d = &leg->dlg;
	const char *ruri = r->ruri;
	int tag = r->in_dialog && d->remote_tag != NULL;
	char branch[64], via[96], mf[24], cseq[24];
	struct sbuf b = { .cap = 1024 };

	if (ruri == NULL)
		ruri = d->remote_target ? d->remote_target : d->remote_uri;
	if (request_unsafe(e, r, ruri))
		return NULL;
	if (r->branch)
		snprintf(branch, sizeof(branch), "%s", r->branch);
	else
		stack_new_branch(e, branch, sizeof(branch));
	hostport(via, sizeof(via), ep_host(leg), leg->ep->row.port);
	if ((b.p = malloc(b.cap)) == NULL)
		return NULL;
	cat(&b, r->method, " ", ruri, " SIP/2.0\r\nVia: SIP/2.0/",
	    transport_via(leg->transport), " ", via, ";branch=", branch,
	    ";rport\r\nMax-Forwards: ",
	    num(mf, r->max_forwards > 0 ? (unsigned)r->max_forwards : 70),
	    "\r\n", NULL);
	if (r->in_dialog && d->route_set != NULL)
		cat(&b, "Route: ", d->route_set, "\r\n", NULL);
	cat(&b, "From: ", d->local_uri, ";tag=", d->local_tag, "\r\nTo: ",
	    d->remote_uri, tag ? ";tag=" : "", tag ? d->remote_tag : "",
	    "\r\nCall-ID: ", d->call_id, "\r\nCSeq: ", num(cseq, r->cseq),
	    " ", r->method, "\r\n", NULL);
	put_tail(e, &b, r);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*lenp = b.len;
	return b.p;
}

/*
 * The text of a request (caller frees), or NULL when it cannot be built:
 * no memory, or a header value that would break out of its line.
 */
char *
msg_request_text(struct engine *e, const struct msg_req *r)
{
	size_t len;

	return request_text(e, r, &len);
}

/* The same, parsed, for a transaction (sent as written: parse_text_len). */
osip_message_t *
msg_request(struct engine *e, const struct msg_req *r)
{
	size_t len = 0;
	char *text = request_text(e, r, &len);
	osip_message_t *msg = text ? parse_text_len(text, len) : NULL;

	free(text);
	return msg;
}

/*
 * A response to req: status line, Via, From, To (with to_tag unless it
 * has one, and not on a 100), Call-ID, CSeq.
 */
static int
response_of(const osip_message_t *req, int code, const char *to_tag,
    osip_message_t **respp)
{
	osip_message_t *resp = NULL;

	if (req == NULL || osip_message_init(&resp) != 0)
		return ENOMEM;
	osip_message_set_version(resp, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(resp, code);
	osip_message_set_reason_phrase(resp,
	    osip_strdup(osip_message_get_reason(code)));
	if (osip_list_clone(&req->vias, &resp->vias,
	    (int (*)(void *, void **))&osip_via_clone) != 0 ||
	    (req->from && osip_from_clone(req->from, &resp->from)) ||
	    (req->to && osip_to_clone(req->to, &resp->to)) ||
	    (req->call_id && osip_call_id_clone(req->call_id, &resp->call_id)) ||
	    (req->cseq && osip_cseq_clone(req->cseq, &resp->cseq))) {
		osip_message_free(resp);
		return ENOMEM;
	}
	if (code > 100 && to_tag != NULL && resp->to != NULL &&
	    header_tag(resp->to) == NULL)
		osip_to_set_tag(resp->to, osip_strdup(to_tag));
	*respp = resp;
	return 0;
}

/*
 * What a dialog-creating or target-refreshing response of a leg says; a
 * 2xx to an INVITE or an UPDATE (the two session refresh requests: a
 * party refreshing with UPDATE, as linphonec does, must learn that the
 * session timer still runs, RFC 4028 9 and 7.4), the leg's session
 * interval.
 */
static void
response_dialog(struct engine *e, const osip_message_t *req,
    osip_message_t *resp, const struct leg *leg)
{
	const char *sup = profile_supported(e->current, leg->sgp);
	char contact[192], se[48];
	int require = 0;

	/* The request's Record-Route is copied (RFC 3261 12.1.1). */
	osip_list_clone(&req->record_routes, &resp->record_routes,
	    (int (*)(void *, void **))&osip_record_route_clone);
	contact_of(contact, sizeof(contact), leg, "referd");
	osip_message_set_contact(resp, contact);
	osip_message_set_header(resp, "Allow",
	    profile_allow(e->current, leg->sgp));
	if (sup != NULL)
		osip_message_set_header(resp, "Supported", sup);
	if ((MSG_IS_INVITE(req) || MSG_IS_UPDATE(req)) &&
	    resp->status_code >= 200 &&
	    timer_response_value(leg, se, sizeof(se), &require)) {
		osip_message_set_header(resp, "Session-Expires", se);
		if (require)
			osip_message_set_header(resp, "Require", "timer");
	}
}

/*
 * A response to a transaction's request, to be sent with
 * stack_send_response(): the dialog's local tag (or a new one), then what
 * r asks for (r may be NULL: a bare response).
 */
int
msg_response(struct engine *e, struct stx *stx, int code,
    const struct msg_resp *r, osip_message_t **respp)
{
	const osip_message_t *req;
	osip_message_t *resp = NULL;
	const struct leg *leg = stx ? stx->leg : NULL;
	char tag[32];

	if (stx == NULL || stx->dead || stx->tr == NULL)
		return ENOENT;
	req = stx->tr->orig_request;
	if (r != NULL && r->leg != NULL)
		leg = r->leg;
	if (leg == NULL || leg->dlg.local_tag == NULL)
		stack_new_tag(e, tag, sizeof(tag));
	if (response_of(req, code, leg && leg->dlg.local_tag ?
	    leg->dlg.local_tag : tag, &resp) != 0)
		return ENOMEM;
	if (r != NULL && r->hdr.name != NULL && value_ok(r->hdr.value))
		osip_message_set_header(resp, r->hdr.name, r->hdr.value);
	for (int i = 0; r != NULL && i < MSG_HDRS_MAX && r->more[i].name; i++)
		if (value_ok(r->more[i].value))
			osip_message_set_header(resp, r->more[i].name,
			    r->more[i].value);
	if (r != NULL && r->reason != NULL && value_ok(r->reason)) {
		osip_free(resp->reason_phrase);
		resp->reason_phrase = osip_strdup(r->reason);
	}
	if (r != NULL && r->rseq != 0 && code > 100 && code < 200) {
		char n[24];

		osip_message_set_header(resp, "Require", "100rel");
		osip_message_set_header(resp, "RSeq", num(n, r->rseq));
	}
	if (r != NULL && r->leg != NULL && code > 100 && code < 300)
		response_dialog(e, req, resp, r->leg);
	if (r != NULL && r->relay != NULL && leg != NULL && code > 100 &&
	    code < 300)
		each_relayed(e, r->relay, r->relay_sgp, leg->sgp, NULL,
		    put_header, resp);
	if (r != NULL && r->allow) {
		const char *sup = profile_supported(e->current, r->sgp);

		osip_message_set_header(resp, "Allow",
		    profile_allow(e->current, r->sgp));
		osip_message_set_header(resp, "Accept", "application/sdp");
		if (sup != NULL)
			osip_message_set_header(resp, "Supported", sup);
	}
	if (r != NULL && r->body != NULL) {
		osip_message_set_content_type(resp, r->content_type);
		osip_message_set_body(resp, r->body, r->body_len ? r->body_len :
		    strlen(r->body));
	} else
		osip_message_set_content_length(resp, "0");
	*respp = resp;
	return 0;
}

/*
 * A response to a request no transaction took (a malformed one): the
 * request's Via, From, To, Call-ID and CSeq as far as they exist, and a
 * To tag (RFC 3261 8.2.6.2); NULL when it cannot be built.
 */
osip_message_t *
msg_response_stateless(struct engine *e, const osip_message_t *req, int code)
{
	osip_message_t *resp = NULL;
	char tag[32];

	stack_new_tag(e, tag, sizeof(tag));
	if (response_of(req, code, tag, &resp) != 0)
		return NULL;
	osip_message_set_content_length(resp, "0");
	return resp;
}

/*
 * Header names as RFC 3261 (and the RFCs of the extensions) write them.
 * oSIP2 lowercases the name of every header it has no field for when it
 * parses one, and prints it with only its first letter capitalized
 * (`Max-forwards`, `Referred-by`).
 */
#define H(s) { s, sizeof(s) - 1 }
static const struct {
	const char *name;
	size_t      len;         /* compared first: most names differ there */
} canonical[] = {
	H("Accept"), H("Accept-Encoding"), H("Accept-Language"), H("Alert-Info"),
	H("Allow"), H("Allow-Events"), H("Authentication-Info"),
	H("Authorization"), H("Call-ID"), H("Call-Info"), H("Contact"),
	H("Content-Disposition"), H("Content-Encoding"), H("Content-Language"),
	H("Content-Length"), H("Content-Type"), H("CSeq"), H("Date"),
	H("Diversion"), H("Error-Info"), H("Event"), H("Expires"), H("From"),
	H("History-Info"), H("In-Reply-To"), H("Info-Package"), H("Max-Forwards"),
	H("Min-Expires"), H("Min-SE"), H("MIME-Version"), H("Organization"),
	H("P-Asserted-Identity"), H("P-Preferred-Identity"), H("Priority"),
	H("Privacy"), H("Proxy-Authenticate"), H("Proxy-Authorization"),
	H("Proxy-Require"), H("RAck"), H("Reason"), H("Record-Route"),
	H("Recv-Info"), H("Refer-Sub"), H("Refer-To"), H("Referred-By"),
	H("Replaces"), H("Reply-To"), H("Require"), H("Retry-After"), H("Route"),
	H("RSeq"), H("Server"), H("Session-Expires"), H("Subject"),
	H("Subscription-State"), H("Supported"), H("Timestamp"), H("To"),
	H("Unsupported"), H("User-Agent"), H("Via"), H("Warning"),
	H("WWW-Authenticate"),
};
#undef H

/*
 * Tidy the text oSIP2 printed of a message (len bytes in buf; the new
 * length is returned, never more): header names in their canonical form,
 * one Allow line (oSIP2 writes one per method), and Content-Length
 * without the padding oSIP2 reserves for it (`Content-Length:   155`).
 * The body is not touched.
 */
size_t
msg_wire_tidy(char *buf, size_t len)
{
	size_t r, w;
	int prev_allow = 0;

	/* The start line stays as it is. */
	for (r = 0; r + 1 < len && !(buf[r] == '\r' && buf[r + 1] == '\n'); r++)
		;
	if (r + 1 >= len)
		return len;
	r += 2;
	w = r;
	while (r + 1 < len && !(buf[r] == '\r' && buf[r + 1] == '\n')) {
		size_t eol = r, n, colon;
		int allow = 0;

		while (eol + 1 < len && !(buf[eol] == '\r' && buf[eol + 1] == '\n'))
			eol++;
		if (eol + 1 >= len)
			break;           /* no end of line: left as it is */
		for (colon = r; colon < eol && buf[colon] != ':'; colon++)
			;
		n = colon - r;
		while (n > 0 && (buf[r + n - 1] == ' ' || buf[r + n - 1] == '\t'))
			n--;
		for (size_t i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
			if (canonical[i].len == n &&
			    strncasecmp(canonical[i].name, buf + r, n) == 0) {
				memcpy(buf + r, canonical[i].name, n);
				allow = n == 5 && memcmp(buf + r, "Allow", 5) == 0;
				break;
			}
		if (allow && prev_allow && colon < eol) {
			/* "Allow: X" after an Allow line: ", X" on that line. */
			size_t v = colon + 1;

			while (v < eol && (buf[v] == ' ' || buf[v] == '\t'))
				v++;
			w -= 2;          /* the previous line's CR LF */
			memcpy(buf + w, ", ", 2);
			w += 2;
			memmove(buf + w, buf + v, eol + 2 - v);
			w += eol + 2 - v;
		} else if (n == 14 && strncmp(buf + r, "Content-Length", 14) == 0 &&
		    colon < eol) {
			size_t v = colon + 1;

			while (v < eol && (buf[v] == ' ' || buf[v] == '\t'))
				v++;
			memmove(buf + w, buf + r, n);
			memcpy(buf + w + n, ": ", 2);
			w += n + 2;
			memmove(buf + w, buf + v, eol + 2 - v);
			w += eol + 2 - v;
		} else {
			memmove(buf + w, buf + r, eol + 2 - r);
			w += eol + 2 - r;
		}
		prev_allow = allow;
		r = eol + 2;
	}
	/* The empty line and the body. */
	memmove(buf + w, buf + r, len - r);
	w += len - r;
	if (w < len)
		buf[w] = '\0';
	return w;
}

/*
 * A message as it goes on the wire (caller frees with osip_free): oSIP2's
 * text of it, tidied (msg_wire_tidy).  0, or an errno value.
 */
int
msg_to_wire(osip_message_t *msg, char **bufp, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;

	if (osip_message_to_str(msg, &buf, &len) != 0)
		return ENOMEM;
	*lenp = msg_wire_tidy(buf, len);
	*bufp = buf;
	return 0;
}

/*
 * The last word on a message oSIP2 itself builds and sends (the ACK of a
 * non-2xx final response): every request carries Max-Forwards.
 */
void
msg_outgoing(osip_message_t *msg)
{
	osip_header_t *mf = NULL;

	if (MSG_IS_REQUEST(msg) &&
	    osip_message_get_max_forwards(msg, 0, &mf) < 0)
		osip_message_set_max_forwards(msg, "70");
}
