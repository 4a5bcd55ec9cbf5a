/*
 * sdp.c: the SDP that referd reads and rewrites when it anchors media
 * (RFC 4566, RFC 3264).
 *
 * sdp_parse() describes a body: each m= line's media, port, whether it is
 * RTP, its payload types and their codecs (from a=rtpmap, or the static
 * assignments of RFC 3551), its connection address, direction and
 * a=rtcp-mux.  sdp_write() makes one leg's copy of a body: line by line,
 * with referd's address in the origin and every c= line, referd's port in
 * each m= line (0 refuses a stream), the origin's session id and version
 * of that leg, and, where asked, only some payload types (their rtpmap,
 * fmtp and rtcp-fb lines go with them) or another direction.  Every other
 * line passes through untouched, so a leg sees exactly the codecs and
 * attributes its peer wrote.  A body with a line that is not SDP (not
 * "<letter>=<value>") is not read at all: sdp_parse() refuses it, so it is
 * treated as a body referd cannot anchor and none of it is relayed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* The end of the line starting at p (its CR or LF, or the NUL). */
static const char *
line_end(const char *p)
{
	const char *e = strpbrk(p, "\r\n");

	return e ? e : p + strlen(p);
}

/* The start of the line after the one ending at e. */
static const char *
next_line(const char *e)
{
	if (*e == '\r')
		e++;
	if (*e == '\n')
		e++;
	return e;
}

/* Is payload type pt in set s? */
int
pt_has(const struct pt_set *s, int pt)
{
	return pt >= 0 && pt < 128 && (s->bits[pt / 32] >> (pt % 32)) & 1u;
}

/* Add payload type pt to set s. */
void
pt_add(struct pt_set *s, int pt)
{
	if (pt >= 0 && pt < 128)
		s->bits[pt / 32] |= 1u << (pt % 32);
}

/* The codec of a static payload type (RFC 3551 table 4), or NULL. */
static const char *
static_codec(int pt)
{
	static const char *const names[35] = {
		"pcmu/8000", NULL, NULL, "gsm/8000", "g723/8000",
		"dvi4/8000", "dvi4/16000", "lpc/8000", "pcma/8000",
		"g722/8000", "l16/44100/2", "l16/44100", "qcelp/8000",
		"cn/8000", "mpa/90000", "g728/8000", "dvi4/11025",
		"dvi4/22050", "g729/8000", NULL, NULL, NULL, NULL, NULL, NULL,
		"celb/90000", "jpeg/90000", NULL, "nv/90000", NULL, NULL,
		"h261/90000", "mpv/90000", "mp2t/90000", "h263/90000",
	};

	return pt >= 0 && pt < 35 ? names[pt] : NULL;
}

/* The index of payload type pt in a stream's list, or -1. */
static int
fmt_index(const struct sdp_media *m, int pt)
{
	for (int i = 0; i < m->nfmt; i++)
		if (m->fmt[i] == pt)
			return i;
	return -1;
}

/* Copy at most n bytes of src into dst (size bytes), NUL-terminated. */
static void
copy_word(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The next space-separated word of [*p, end): its start, its length in *n. */
static const char *
word(const char **p, const char *end, size_t *n)
{
	const char *w = *p;

	while (w < end && *w == ' ')
		w++;
	*n = 0;
	while (w + *n < end && w[*n] != ' ')
		(*n)++;
	*p = w + *n;
	return w;
}

/*
 * Read an m= line ("m=audio 4000 RTP/AVP 0 8 101") into a stream, by
 * hand: SDP is parsed several times per call, and sscanf or snprintf per
 * field cost more than the rest of the call's SDP work.
 */
static void
parse_m(const char *p, size_t n, struct sdp_media *m)
{
	const char *end = p + n, *w;
	size_t k;

	p += 2;
	w = word(&p, end, &k);
	copy_word(m->type, sizeof(m->type), w, k);
	w = word(&p, end, &k);
	m->port = k > 0 && k < 12 ? atoi(w) : 0;
	w = word(&p, end, &k);
	m->rtp = k >= 4 && strncasecmp(w, "RTP/", 4) == 0;
	while (m->rtp && m->nfmt < SDP_FMT_MAX &&
	    (w = word(&p, end, &k), k > 0)) {
		int pt = isdigit((unsigned char)*w) && k < 4 ? atoi(w) : -1;
		const char *sc = static_codec(pt);

		if (pt < 0 || pt > 127)
			continue;
		m->fmt[m->nfmt] = pt;
		copy_word(m->codec[m->nfmt], sizeof(m->codec[0]), sc ? sc : "",
		    sc ? strlen(sc) : 0);
		m->nfmt++;
	}
	if (m->port < 0 || m->port > 65535)
		m->port = 0;
}

/* Read an a=rtpmap line into a stream: the codec of one payload type. */
static void
parse_rtpmap(const char *p, size_t n, struct sdp_media *m)
{
	const char *end = p + n, *w;
	size_t k;
	int i;
	char *c;

	p += 9;
	w = word(&p, end, &k);
	if (k == 0 || k > 3 || !isdigit((unsigned char)*w) ||
	    (i = fmt_index(m, atoi(w))) < 0)
		return;
	w = word(&p, end, &k);
	if (k == 0)
		return;
	copy_word(m->codec[i], sizeof(m->codec[0]), w, k);
	for (c = m->codec[i]; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	/* "opus/48000/2" and "opus/48000" name one codec; "/1" is mono. */
	k = strlen(m->codec[i]);
	if (k > 2 && strcmp(m->codec[i] + k - 2, "/1") == 0)
		m->codec[i][k - 2] = '\0';
}

/* The direction an attribute line names, or -1. */
static int
dir_of(const char *p)
{
	static const char *const dirs[] = { "a=sendrecv", "a=sendonly",
	    "a=recvonly", "a=inactive" };

	for (int d = 0; d < 4; d++)
		if (strncmp(p, dirs[d], 10) == 0 &&
		    (p[10] == '\r' || p[10] == '\n' || p[10] == '\0'))
			return d;
	return -1;
}

/* Copy a c= line's address ("c=IN IP4 192.0.2.1/127") into buf. */
static void
parse_c(const char *p, size_t n, char *buf, size_t len)
{
	size_t k;

	if (n < 10 || strncmp(p, "c=IN IP", 7) != 0)
		return;
	p += 9;
	n -= 9;
	k = strcspn(p, "/ \r\n");
	if (k > n)
		k = n;
	if (k >= len)
		k = len - 1;
	memcpy(buf, p, k);
	buf[k] = '\0';
}

/*
 * Is the line p (n bytes, without its end) one SDP allows: "<type>=<value>",
 * the type one lower-case letter (RFC 8866 5), or empty?  Anything else is
 * not SDP: such a body is refused as a whole, never relayed, so no line a
 * peer wrote reaches the other party unless it has SDP's shape.
 */
static int
line_ok(const char *p, size_t n)
{
	return n == 0 || (n >= 2 && p[0] >= 'a' && p[0] <= 'z' && p[1] == '=');
}

/*
 * Describe an SDP body.  0; EINVAL when it has no m= line (or no address
 * for its first stream); EBADMSG when a line is not SDP (line_ok).
 */
int
sdp_parse(const char *text, struct sdp *s)
{
	const char *p = text;
	char session_c[64] = "";
	int session_dir = SDP_SENDRECV, cur = -1;

	s->n = s->n_total = 0;
	while (*p) {
		const char *e = line_end(p);
		size_t n = (size_t)(e - p);
		struct sdp_media *m = cur >= 0 && cur < SDP_MEDIA_MAX ?
		    &s->m[cur] : NULL;
		int d;

		if (!line_ok(p, n)) {
			s->n = 0;
			return EBADMSG;
		}
		if (strncmp(p, "m=", 2) == 0) {
			cur = s->n_total++;
			if (cur < SDP_MEDIA_MAX) {
				s->n++;
				memset(&s->m[cur], 0, sizeof(s->m[cur]));
				s->m[cur].dir = session_dir;
				parse_m(p, n, &s->m[cur]);
			}
		} else if (strncmp(p, "c=", 2) == 0)
			parse_c(p, n, m ? m->addr : session_c, m ?
			    sizeof(m->addr) : sizeof(session_c));
		else if (strncmp(p, "a=rtpmap:", 9) == 0 && m != NULL)
			parse_rtpmap(p, n, m);
		else if ((d = dir_of(p)) >= 0) {
			if (cur < 0)
				session_dir = d;
			else if (m != NULL)
				m->dir = d;
		} else if (strncmp(p, "a=rtcp-mux", 10) == 0 && m != NULL)
			m->rtcp_mux = 1;
		p = next_line(e);
		if (p == e)
			break;
	}
	for (int i = 0; i < s->n; i++)
		if (s->m[i].addr[0] == '\0')
			snprintf(s->m[i].addr, sizeof(s->m[i].addr), "%s",
			    session_c);
	return s->n > 0 && s->m[0].addr[0] != '\0' ? 0 : EINVAL;
}

/*
 * The media address and port of the first stream: 0; EBADMSG for a body
 * that is not SDP, EINVAL when there is no such stream (a body referd
 * cannot anchor has none).
 */
int
sdp_get_media(const char *sdp, char *host, size_t hostlen, int *port)
{
	struct sdp s;
	int rc = sdp_parse(sdp, &s);

	if (rc != 0)
		return rc;
	if (s.m[0].port <= 0)
		return EINVAL;
	snprintf(host, hostlen, "%s", s.m[0].addr);
	*port = s.m[0].port;
	return 0;
}

/* The direction of the first stream ("sendrecv" when none is written). */
const char *
sdp_direction(const char *sdp)
{
	static const char *const dirs[] = { "sendrecv", "sendonly",
	    "recvonly", "inactive" };
	struct sdp s;

	if (sdp_parse(sdp, &s) != 0)
		return dirs[0];
	return dirs[s.m[0].dir];
}

/* Append to a growing buffer; 0, or -1 without memory. */
static int
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = (*cap ? *cap * 2 : 512) + n;
		char *nb = realloc(*buf, nc);

		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/*
 * An m= line with referd's port and only the kept payload types, its
 * words read as parse_m() reads them (so that what referd writes it reads
 * back alike).  Its length, or -1 (too long, malformed, nothing kept).
 */
static int
write_m(const char *p, size_t n, int port, const struct pt_set *keep,
    char *line, size_t len)
{
	const char *end = p + n, *w;
	size_t wl, k;
	int i = 0, kept = 0, c;

	p += 2;
	c = snprintf(line, len, "m=");
	k = (size_t)c;
	while ((w = word(&p, end, &wl), wl > 0)) {
		if (i >= 3 && keep != NULL && isdigit((unsigned char)*w) &&
		    !pt_has(keep, atoi(w))) {
			i++;
			continue;
		}
		if (i == 1)
			c = snprintf(line + k, len - k, " %d", port);
		else
			c = snprintf(line + k, len - k, "%s%.*s", i ? " " : "",
			    (int)wl, w);
		if (c < 0 || (size_t)c >= len - k)
			return -1;
		k += (size_t)c;
		kept += i >= 3;
		i++;
	}
	/* A stream with no payload type left is refused, its list kept. */
	if (kept == 0 || i < 4 || k + 3 > len)
		return -1;
	memcpy(line + k, "\r\n", 3);
	return (int)(k + 2);
}

/* Is this a payload type's attribute line for a type not kept? */
static int
dropped_attr(const char *p, const struct pt_set *keep)
{
	static const char *const attrs[] = { "a=rtpmap:", "a=fmtp:",
	    "a=rtcp-fb:" };

	if (keep == NULL)
		return 0;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(attrs[i]);

		if (strncmp(p, attrs[i], n) == 0 &&
		    isdigit((unsigned char)p[n]))
			return !pt_has(keep, atoi(p + n));
	}
	return 0;
}

/* The state of sdp_write() as it goes through the lines. */
struct writer {
	const struct sdp_write *w;
	char   *out;
	size_t  len, cap;
	int     m;               /* the current m= line's index, or -1 */
	int     dir_done;        /* its direction was written */
	int     refused;         /* it was written with port 0 */
	char    line[1024];
};

/* The direction line of the stream just ended, if one is to be written. */
static int
end_stream(struct writer *wr)
{
	int k;

	if (wr->m < 0 || wr->w->direction == NULL || wr->dir_done)
		return 0;
	k = snprintf(wr->line, sizeof(wr->line), "a=%s\r\n",
	    wr->w->direction);
	wr->dir_done = 1;
	return append(&wr->out, &wr->len, &wr->cap, wr->line, (size_t)k);
}

/* One line of sdp_write(): its replacement in wr->line; length or -1. */
static int
write_line(struct writer *wr, const char *p, size_t n)
{
	const struct sdp_write *w = wr->w;
	const char *ipver = strchr(w->addr, ':') ? "IP6" : "IP4";
	const struct pt_set *keep = wr->m >= 0 && wr->m < SDP_MEDIA_MAX &&
	    w->keep ? &w->keep[wr->m] : NULL;

	if (strncmp(p, "o=", 2) == 0)
		return snprintf(wr->line, sizeof(wr->line),
		    "o=%s %s %u IN %s %s\r\n", w->origin_user, w->origin_id,
		    w->version, ipver, w->addr);
	if (strncmp(p, "c=", 2) == 0)
		return snprintf(wr->line, sizeof(wr->line), "c=IN %s %s\r\n",
		    ipver, w->addr);
	if (strncmp(p, "m=", 2) == 0) {
		const char *q = p + 2, *end = p + n, *w2;
		int port = wr->m < SDP_MEDIA_MAX && wr->m < w->nports ?
		    w->ports[wr->m] : 0;
		size_t len;
		int k;

		/* A stream the other side refused stays refused. */
		word(&q, end, &len);
		w2 = word(&q, end, &len);
		if (len == 0 || atoi(w2) == 0)
			port = 0;
		wr->refused = port == 0;
		k = port > 0 ? write_m(p, n, port, keep, wr->line,
		    sizeof(wr->line)) : -1;

		/* Refused (no port, or nothing left): port 0, all types. */
		return k >= 0 ? k : write_m(p, n, 0, NULL, wr->line,
		    sizeof(wr->line));
	}
	if (strncmp(p, "a=rtcp:", 7) == 0 && wr->m >= 0) {
		int port = wr->m < SDP_MEDIA_MAX && wr->m < w->nports &&
		    !wr->refused ? w->ports[wr->m] : 0;

		return port > 0 ? snprintf(wr->line, sizeof(wr->line),
		    "a=rtcp:%d\r\n", port + 1) : 0;
	}
	if (dropped_attr(p, keep) || (w->direction && dir_of(p) >= 0))
		return 0;
	if (n > sizeof(wr->line) - 3)
		return -1;
	return snprintf(wr->line, sizeof(wr->line), "%.*s\r\n", (int)n, p);
}

/*
 * One leg's copy of an SDP body (see the top of this file); the caller
 * frees it.  NULL when the body cannot be written (no m= line, a line
 * too long, no memory).
 */
char *
sdp_write(const char *sdp, const struct sdp_write *w)
{
	struct writer wr = { .w = w, .m = -1 };
	const char *p = sdp;
	int streams = 0;

	while (*p) {
		const char *e = line_end(p);
		size_t n = (size_t)(e - p);
		int k;

		if (n == 0) {
			p = next_line(e);
			if (p == e)
				break;
			continue;
		}
		if (strncmp(p, "m=", 2) == 0) {
			if (end_stream(&wr) != 0)
				goto fail;
			wr.m = streams++;
			wr.dir_done = 0;
		}
		k = write_line(&wr, p, n);
		if (k < 0 || (size_t)k >= sizeof(wr.line) ||
		    append(&wr.out, &wr.len, &wr.cap, wr.line, (size_t)k))
			goto fail;
		p = next_line(e);
		if (p == e)
			break;
	}
	if (end_stream(&wr) != 0 || streams == 0)
		goto fail;
	return wr.out;
fail:
	free(wr.out);
	return NULL;
}

/* Does stream m carry codec among the payload types in allow (NULL: all)? */
int
sdp_has_codec(const struct sdp_media *m, const struct pt_set *allow,
    const char *codec)
{
	if (codec == NULL || codec[0] == '\0')
		return 0;
	for (int i = 0; i < m->nfmt; i++)
		if ((allow == NULL || pt_has(allow, m->fmt[i])) &&
		    strcmp(m->codec[i], codec) == 0)
			return 1;
	return 0;
}

/* Is every codec of stream x (types in xa) one of y's (types in ya)? */
static int
codecs_within(const struct sdp_media *x, const struct pt_set *xa,
    const struct sdp_media *y, const struct pt_set *ya)
{
	for (int i = 0; i < x->nfmt; i++)
		if (pt_has(xa, x->fmt[i]) && x->codec[i][0] != '\0' &&
		    !sdp_has_codec(y, ya, x->codec[i]))
			return 0;
	return 1;
}

/*
 * Do two bodies carry the same streams (kind, refused or not, direction)
 * with the same codecs, x's among the payload types in xa[] and y's in ya[] (per
 * stream)?  Payload type numbers may differ; codecs are compared by name.
 */
int
sdp_same_codecs(const struct sdp *x, const struct pt_set *xa,
    const struct sdp *y, const struct pt_set *ya)
{
	if (x->n != y->n)
		return 0;
	for (int k = 0; k < x->n; k++) {
		const struct sdp_media *a = &x->m[k], *b = &y->m[k];

		if (strcmp(a->type, b->type) != 0 || a->rtp != b->rtp ||
		    (a->port == 0) != (b->port == 0) || a->dir != b->dir)
			return 0;
		if (a->rtp && (!codecs_within(a, &xa[k], b, &ya[k]) ||
		    !codecs_within(b, &ya[k], a, &xa[k])))
			return 0;
	}
	return 1;
}

/*
 * Which payload types of offer to keep (keep[], per stream): those whose
 * codec `of` carries among its types in allowed[] (a stream of offer that
 * `of` lacks keeps none; one that is not RTP keeps all).
 */
void
sdp_keep_codecs(const struct sdp *offer, const struct sdp *of,
    const struct pt_set *allowed, struct pt_set *keep)
{
	for (int k = 0; k < SDP_MEDIA_MAX; k++) {
		memset(&keep[k], 0, sizeof(keep[k]));
		if (k >= offer->n || k >= of->n)
			continue;
		if (!offer->m[k].rtp) {
			memset(&keep[k], 0xff, sizeof(keep[k]));
			continue;
		}
		for (int i = 0; i < offer->m[k].nfmt; i++)
			if (sdp_has_codec(&of->m[k], &allowed[k],
			    offer->m[k].codec[i]))
				pt_add(&keep[k], offer->m[k].fmt[i]);
	}
}
