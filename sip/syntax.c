/*
 * syntax.c: the RFC 3261 grammar of a received message, checked on its
 * text before oSIP2 parses it, and the stateless answer to a request
 * oSIP2 cannot parse (RFC 3261 8.2, 18.3; the invalid messages of RFC
 * 4475 3.1.2 and 3.3).
 *
 * oSIP2 is lenient: it takes a Request-Line with extra spaces or a URI
 * in angle brackets, a To with an unterminated quote, duplicate Call-IDs,
 * a CSeq of 2^65; or it gives up on the whole message and nothing is
 * answered.  syntax_check() finds what a request may not be, so that it
 * is answered 400 (416 for a URI scheme referd cannot serve) before
 * anything acts on it, and syntax_reply() writes that answer from the
 * request's own header lines, whether oSIP2 could parse them or not.
 *
 * What is checked: the Request-Line (one SP between its three parts, no
 * trailing space, a URI with a scheme and, for sip/sips, no headers);
 * each header line has a name and a colon; Call-ID, From, To, CSeq,
 * Max-Forwards, Content-Length and Content-Type appear at most once;
 * CSeq's number is at most 2^31-1 and Max-Forwards at most 255; From,
 * To, Contact, Route, Record-Route, Refer-To and Referred-By are
 * name-addr or addr-spec (quotes closed, a display name of tokens, no
 * space inside <>, parameters named); Via's values and parameters are not
 * empty; a datagram's Content-Length is a number no larger than its body.
 * A NUL byte is allowed only as a quoted-pair in a quoted string (RFC
 * 4475 3.1.1.2): oSIP2 reads strings, so that byte is replaced by '?' in
 * the copy it parses; anywhere else in the headers it is refused.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define CSEQ_MAX 2147483647UL    /* 2^31 - 1 (RFC 3261 8.1.1.5) */
#define MF_MAX   255             /* RFC 3261 20.22: at most 255 */

/* The headers syntax_check() looks at, by their long names. */
enum hdr_kind {
	H_OTHER = 0, H_CALL_ID, H_FROM, H_TO, H_CSEQ, H_MAX_FORWARDS,
	H_CONTENT_LENGTH, H_CONTENT_TYPE, H_VIA, H_CONTACT, H_ROUTE,
	H_RECORD_ROUTE, H_REFER_TO, H_REFERRED_BY, H__COUNT
};

static const struct {
	const char   *name;
	char          compact;
	enum hdr_kind kind;
	int           single;     /* at most once in a message */
} hdrs[] = {
	{ "Call-ID", 'i', H_CALL_ID, 1 },
	{ "From", 'f', H_FROM, 1 },
	{ "To", 't', H_TO, 1 },
	{ "CSeq", 0, H_CSEQ, 1 },
	{ "Max-Forwards", 0, H_MAX_FORWARDS, 1 },
	{ "Content-Length", 'l', H_CONTENT_LENGTH, 1 },
	{ "Content-Type", 'c', H_CONTENT_TYPE, 1 },
	{ "Via", 'v', H_VIA, 0 },
	{ "Contact", 'm', H_CONTACT, 0 },
	{ "Route", 0, H_ROUTE, 0 },
	{ "Record-Route", 0, H_RECORD_ROUTE, 0 },
	{ "Refer-To", 'r', H_REFER_TO, 0 },
	{ "Referred-By", 'b', H_REFERRED_BY, 0 },
};

/* A token character (RFC 3261 25.1). */
static int
is_token(int c)
{
	return isalnum(c) || (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

/* Skip spaces and tabs (the unfolded text has no line breaks left). */
static const char *
sws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Skip a token; returns p itself when there is none. */
static const char *
token(const char *p)
{
	while (is_token((unsigned char)*p))
		p++;
	return p;
}

/* Skip a quoted string at p (at its '"'); NULL when it is not closed. */
static const char *
quoted(const char *p)
{
	for (p++; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The kind of a header by its name (long or compact, any case). */
static enum hdr_kind
hdr_kind(const char *name, size_t n, int *singlep)
{
	*singlep = 0;
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
		if ((n == strlen(hdrs[i].name) &&
		    strncasecmp(name, hdrs[i].name, n) == 0) ||
		    (n == 1 && hdrs[i].compact &&
		    tolower((unsigned char)*name) == hdrs[i].compact)) {
			*singlep = hdrs[i].single;
			return hdrs[i].kind;
		}
	return H_OTHER;
}

/*
 * Header parameters from p: *( SWS ";" SWS token [ SWS "=" SWS value ] ),
 * value a token, a host or a quoted string; returns where they end (the
 * string's end, or a ',' for a list), or NULL when one is empty or bad.
 */
static const char *
params(const char *p)
{
	for (p = sws(p); *p == ';'; p = sws(p)) {
		const char *q = sws(p + 1), *e = token(q);

		if (e == q)
			return NULL;              /* ";;" or ";=" */
		p = sws(e);
		if (*p != '=')
			continue;
		p = sws(p + 1);
		if (*p == '"') {
			if ((p = quoted(p)) == NULL)
				return NULL;
		} else {
			q = p;
			while (is_token((unsigned char)*p) || *p == ':' ||
			    *p == '[' || *p == ']')
				p++;
			if (p == q)
				return NULL;
		}
	}
	return p;
}

/* A URI's scheme at p ("sip:"), its length without the ':'; 0 if none. */
static size_t
scheme_len(const char *p)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '+' || p[n] == '-' ||
	    p[n] == '.')
		n++;
	return p[n] == ':' ? n : 0;
}

/*
 * One name-addr or addr-spec with its parameters (From, To, one Contact,
 * Route, Refer-To...): returns where it ends, or NULL when it is bad: an
 * unclosed quote, a display name that is not tokens, a space inside <>,
 * a URI without a scheme, an empty parameter.
 */
static const char *
address(const char *p, int need_brackets)
{
	const char *q;

	p = sws(p);
	if (*p == '"') {
		if ((p = quoted(p)) == NULL)
			return NULL;
		p = sws(p);
	} else if (strchr(p, '<') != NULL &&
	    (strchr(p, ',') == NULL || strchr(p, '<') < strchr(p, ','))) {
		/* display-name = *(token LWS) before the '<' */
		while (*p != '<') {
			q = token(p);
			if (q == p)
				return NULL;
			p = sws(q);
		}
	}
	if (*p == '<') {
		q = ++p;
		while (*p != '>' && *p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '>' || scheme_len(q) == 0)
			return NULL;
		return params(p + 1);
	}
	if (need_brackets || scheme_len(p) == 0)
		return NULL;
	/* addr-spec: the URI runs to the first space, ';' or ',' */
	p += strcspn(p, " \t;,");
	return params(p);
}

/*
 * One via-parm: "SIP / 2.0 / UDP" (LWS around the slashes), a sent-by and
 * parameters; returns where it ends, or NULL (need_brackets unused).
 */
static const char *
via_parm(const char *p, int need_brackets)
{
	const char *q;

	(void)need_brackets;
	for (int i = 0; i < 3; i++) {
		p = sws(p);
		if ((q = token(p)) == p)
			return NULL;
		p = sws(q);
		if (i < 2 && *p++ != '/')
			return NULL;
	}
	q = p;
	while (isalnum((unsigned char)*p) ||
	    (*p != '\0' && strchr(".-_:[]", *p) != NULL))
		p++;
	return p == q ? NULL : params(p);
}

/*
 * A comma-separated list of elements each read by elem (an address, a
 * via-parm): 0, or -1 when one is bad or empty (",,", a trailing ',').
 */
static int
list_of(const char *p, const char *(*elem)(const char *, int),
    int need_brackets)
{
	for (;;) {
		if ((p = elem(p, need_brackets)) == NULL)
			return -1;
		p = sws(p);
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

/* A number of digits at most max (leading zeros allowed); 0 or -1. */
static int
number(const char *p, const char **endp, unsigned long max)
{
	unsigned long v = 0;
	const char *q = p;

	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
		p++;
	}
	*endp = p;
	return p == q ? -1 : 0;
}

/* The value of one header line of a known kind: NULL, or what is wrong. */
static const char *
check_value(enum hdr_kind k, const char *v, long *clp)
{
	const char *end;

	switch (k) {
	case H_CSEQ:
		if (number(sws(v), &end, CSEQ_MAX) != 0)
			return "CSeq number is not 0..2^31-1";
		return token(sws(end)) == sws(end) ? "CSeq has no method" : NULL;
	case H_MAX_FORWARDS:
		return number(sws(v), &end, MF_MAX) != 0 || *sws(end) != '\0' ?
		    "Max-Forwards is not 0..255" : NULL;
	case H_CONTENT_LENGTH:
		if (number(sws(v), &end, SIP_MAX) != 0 || *sws(end) != '\0')
			return "Content-Length is not a number of 0..65536";
		*clp = strtol(sws(v), NULL, 10);
		return NULL;
	case H_FROM:
	case H_TO:
	case H_REFER_TO:
	case H_REFERRED_BY:
		end = address(v, 0);
		return end == NULL || *sws(end) != '\0' ?
		    "a name-addr or addr-spec that is not one" : NULL;
	case H_CONTACT:
		if (*sws(v) == '*' && *sws(sws(v) + 1) == '\0')
			return NULL;                /* Contact: * */
		/* FALLTHROUGH */
	case H_ROUTE:
	case H_RECORD_ROUTE:
		return list_of(v, address, k != H_CONTACT) != 0 ?
		    "a list of addresses that is not one" : NULL;
	case H_VIA:
		return list_of(v, via_parm, 0) != 0 ? "a Via value or "
		    "parameter is empty or malformed" : NULL;
	default:
		return NULL;
	}
}

/*
 * The Request-Line: Method SP Request-URI SP SIP-Version, each one SP
 * apart, no space at its end; a URI with a scheme, and a sip or sips URI
 * without headers.  0, or the status (400, 416) with *whyp.
 */
static int
check_request_line(const char *l, const char **whyp)
{
	const char *p = token(l), *uri, *at, *v;
	size_t n;

	*whyp = "malformed Request-Line";
	if (p == l || *p != ' ')
		return 400;
	uri = ++p;
	p += strcspn(p, " \t");
	if (p == uri || *p != ' ' || p[1] == ' ')
		return 400;
	v = p + 1;
	if (strncmp(v, "SIP/", 4) != 0 || !isdigit((unsigned char)v[4]) ||
	    strspn(v + 4, "0123456789.") != strlen(v + 4))
		return 400;
	if ((n = scheme_len(uri)) == 0) {
		*whyp = "Request-URI without a scheme";
		return 400;
	}
	if (!(n == 3 && strncasecmp(uri, "sip", 3) == 0)) {
		/* sips: referd has no TLS transport to answer on (RFC 5630) */
		*whyp = "Request-URI scheme referd does not serve";
		return 416;
	}
	/* headers ('?' after the userinfo) are not allowed (19.1.1) */
	at = memchr(uri, '@', (size_t)(p - uri));
	if (memchr(at ? at : uri, '?', (size_t)(p - (at ? at : uri))) != NULL) {
		*whyp = "Request-URI with headers";
		return 400;
	}
	return 0;
}

/*
 * The end of a message's header section (its empty line: the first CRLF
 * CRLF or LF LF), or NULL.  One pass over the line ends (memchr), not
 * two searches of the whole message.
 */
static const char *
headers_end(const char *buf, size_t len, size_t *seplen)
{
	const char *end = buf + len;

	for (const char *p = memchr(buf, '\n', len); p != NULL;
	    p = memchr(p + 1, '\n', (size_t)(end - p - 1))) {
		if (p > buf && p[-1] == '\r' && end - p > 2 && p[1] == '\r' &&
		    p[2] == '\n') {
			*seplen = 4;
			return p - 1;
		}
		if (end - p > 1 && p[1] == '\n') {
			*seplen = 2;
			return p;
		}
	}
	*seplen = 4;
	return NULL;
}

/* Is the line break buf[i] (CR or LF) part of a fold (RFC 3261 7.3.1)? */
static int
is_fold(const char *buf, size_t hlen, size_t i)
{
	return i + 1 < hlen && (buf[i + 1] == ' ' || buf[i + 1] == '\t' ||
	    (buf[i] == '\r' && buf[i + 1] == '\n' && i + 2 < hlen &&
	    (buf[i + 2] == ' ' || buf[i + 2] == '\t')));
}

/*
 * The header section of buf[0..hlen) unfolded into *wp, a new string:
 * each line break followed by a space or tab becomes spaces, every other
 * line ends with '\0' (so lines are strings; hlen + 1 bytes).  A NUL
 * that is a quoted-pair in a quoted string becomes '?' there and in
 * *fixedp (a copy of the whole message, made at the first such NUL).  A
 * NUL anywhere else: EINVAL, unless `lenient` (then it becomes '\1', for
 * syntax_reply(), which copies no line holding one).  0, EINVAL, ENOMEM.
 */
static int
unfold(const char *buf, size_t len, size_t hlen, int lenient, char **wp,
    char **fixedp)
{
	char *w = malloc(hlen + 1);
	int inq = 0;

	if (w == NULL)
		return ENOMEM;
	/*
	 * Without a NUL (nearly every message) quotes do not matter: copy the
	 * section and turn each line break into a space (a fold) or a '\0',
	 * found by strpbrk rather than byte by byte.
	 */
	if (memchr(buf, '\0', hlen) == NULL) {
		memcpy(w, buf, hlen);
		w[hlen] = '\0';
		for (char *p = strpbrk(w, "\r\n"); p != NULL;
		    p = strpbrk(p + 1, "\r\n"))
			*p = is_fold(buf, hlen, (size_t)(p - w)) ? ' ' : '\0';
		*wp = w;
		return 0;
	}
	for (size_t i = 0; i < hlen; i++) {
		char c = buf[i];

		if (c == '\r' || c == '\n') {
			int fold = is_fold(buf, hlen, i);

			w[i] = fold ? ' ' : '\0';
			inq = fold ? inq : 0;
			continue;
		}
		w[i] = c;
		if (c == '"')
			inq = !inq;
		else if (c == '\\' && inq && i + 1 < hlen) {
			i++;
			w[i] = buf[i];
			if (buf[i] != '\0')
				continue;
			w[i] = '?';
			if (fixedp == NULL)
				continue;
			if (*fixedp == NULL && (*fixedp = malloc(len + 1)) != NULL) {
				memcpy(*fixedp, buf, len);
				(*fixedp)[len] = '\0';
			}
			if (*fixedp != NULL)
				(*fixedp)[i] = '?';
		} else if (c == '\0' && lenient)
			w[i] = '\1';
		else if (c == '\0') {
			free(w);
			return EINVAL;
		}
	}
	w[hlen] = '\0';
	*wp = w;
	return 0;
}

/*
 * The header lines of the unfolded section w[0..hlen): each has a name
 * and a colon, the single ones are single, the known ones well formed.
 * NULL, or what is wrong.
 */
static const char *
check_headers(const char *w, size_t hlen, long *clp)
{
	int seen[H__COUNT] = { 0 };
	const char *why;

	for (const char *l = w + strlen(w) + 1; l < w + hlen;
	    l += strlen(l) + 1) {
		const char *name = l, *p = token(l);
		enum hdr_kind k;
		int single;

		if (*l == '\0')
			continue;
		if (p == name || *(p = sws(p)) != ':')
			return "a header line without a name and a colon";
		k = hdr_kind(name, (size_t)(token(l) - name), &single);
		if (single && seen[k]++)
			return "a header that may appear once appears twice";
		if ((why = check_value(k, sws(p + 1), clp)) != NULL)
			return why;
	}
	return NULL;
}

/*
 * Check a received message (buf[len], the transport reliable or not):
 * sx->code is 0 (parse it: sx->fixed, when set, instead of buf), a
 * status for a request that is wrong (400, 416) with sx->why, or
 * SYNTAX_DROP (a response that is wrong, or no message at all).  The
 * caller frees sx->fixed.
 */
void
syntax_check(const char *buf, size_t len, int reliable, struct syntax *sx)
{
	size_t seplen, hlen;
	const char *hend = headers_end(buf, len, &seplen);
	long cl = -1;
	char *w = NULL;
	int rc;

	memset(sx, 0, sizeof(*sx));
	hlen = hend ? (size_t)(hend - buf) : len;
	sx->response = len >= 4 && memcmp(buf, "SIP/", 4) == 0;
	sx->ack = len >= 4 && memcmp(buf, "ACK ", 4) == 0;
	if ((rc = unfold(buf, len, hlen, 0, &w, &sx->fixed)) != 0) {
		sx->code = rc == ENOMEM ? SYNTAX_DROP : 400;
		sx->why = "a NUL byte in the headers";
		goto out;
	}
	if (*w == '\0') {
		sx->code = SYNTAX_DROP;        /* no start line: not a message */
		goto out;
	}
	if (sx->response) {
		/* Status-Line: SIP-Version SP 3DIGIT (100..699) SP Reason */
		const char *sp = strchr(w, ' ');

		if (sp == NULL || strspn(sp + 1, "0123456789") != 3 ||
		    sp[1] < '1' || sp[1] > '6' || (sp[4] != ' ' && sp[4] != '\0'))
			sx->code = SYNTAX_DROP;
		goto out;
	}
	if ((sx->code = check_request_line(w, &sx->why)) != 0)
		goto out;
	if ((sx->why = check_headers(w, hlen, &cl)) != NULL) {
		sx->code = 400;
		goto out;
	}
	/* A datagram ends where its body ends (RFC 3261 18.3). */
	if (!reliable && cl > 0 &&
	    (hend == NULL || (size_t)cl > len - hlen - seplen)) {
		sx->code = 400;
		sx->why = "Content-Length larger than the datagram's body";
	}
out:
	free(w);
	if (sx->code != 0) {
		free(sx->fixed);
		sx->fixed = NULL;
	}
}

/* Whether a To header value has a tag parameter (outside quotes and <>). */
static int
has_tag(const char *v)
{
	int inq = 0, ina = 0;

	for (const char *p = v; *p != '\0'; p++) {
		if (inq && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			inq = !inq;
		else if (!inq && (*p == '<' || *p == '>'))
			ina = *p == '<';
		else if (!inq && !ina && *p == ';') {
			const char *q = sws(p + 1);

			if (strncasecmp(q, "tag", 3) == 0 && *sws(q + 3) == '=')
				return 1;
		}
	}
	return 0;
}

/* Append "Name: value" and CRLF to a buffer of cap bytes; -1 if full. */
static int
append(char *out, size_t cap, size_t *n, const char *name, const char *v,
    const char *more)
{
	int k = snprintf(out + *n, cap - *n, "%s: %s%s\r\n", name, v, more);

	if (k < 0 || (size_t)k >= cap - *n)
		return -1;
	*n += (size_t)k;
	return 0;
}

/*
 * The text of a stateless response with status `code` to the request in
 * buf (RFC 3261 8.2.6): its Via lines in order, its first From, To (with
 * a tag added, RFC 3261 8.2.6.2), Call-ID and CSeq, as they were written,
 * and a Warning saying why; NULL when it cannot be formed (no Via, no
 * memory).  No line holding a NUL is copied.  The caller frees it.
 */
char *
syntax_reply(struct engine *e, const char *buf, size_t len, int code,
    const char *why, size_t *lenp)
{
	size_t seplen, hlen, n = 0, cap;
	const char *hend = headers_end(buf, len, &seplen), *once[H__COUNT] = { 0 };
	char *w = NULL, *out, tag[40], warn[128];
	int vias = 0, rc = 0;

	hlen = hend ? (size_t)(hend - buf) : len;
	cap = 2 * hlen + 512;
	if (unfold(buf, len, hlen, 1, &w, NULL) != 0 ||
	    (out = malloc(cap)) == NULL) {
		free(w);
		return NULL;
	}
	memcpy(tag, ";tag=", 5);
	stack_new_tag(e, tag + 5, sizeof(tag) - 5);
	n = (size_t)snprintf(out, cap, "SIP/2.0 %d %s\r\n", code,
	    osip_message_get_reason(code));
	for (const char *l = w + strlen(w) + 1; l < w + hlen;
	    l += strlen(l) + 1) {
		const char *p = token(l);
		enum hdr_kind k;
		int single;

		if (p == l || *sws(p) != ':' || strchr(l, '\1') != NULL)
			continue;
		k = hdr_kind(l, (size_t)(p - l), &single);
		if (k == H_VIA) {
			vias++;
			rc |= append(out, cap, &n, "Via", sws(sws(p) + 1), "");
		} else if (k != H_OTHER && k <= H_CSEQ && once[k] == NULL)
			once[k] = sws(sws(p) + 1);
	}
	/* hdrs[] starts with Call-ID, From, To, CSeq: H_CALL_ID..H_CSEQ */
	for (int k = H_CALL_ID; k <= H_CSEQ; k++)
		if (once[k] != NULL)
			rc |= append(out, cap, &n, hdrs[k - H_CALL_ID].name,
			    once[k], k == H_TO && !has_tag(once[k]) ? tag : "");
	snprintf(warn, sizeof(warn), "399 referd \"%s\"", why ? why :
	    "malformed request");
	rc |= append(out, cap, &n, "Warning", warn, "");
	rc |= append(out, cap, &n, "Content-Length", "0", "\r\n");
	free(w);
	if (vias == 0 || rc != 0) {
		free(out);
		return NULL;
	}
	*lenp = n;
	return out;
}
