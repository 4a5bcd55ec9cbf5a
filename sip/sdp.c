/*
 * sdp.c: the SDP that referd reads and rewrites when it anchors media.
 *
 * The rewrite is textual and line-based: referd changes only the session
 * origin's address and version, every c= address, the port of the first
 * m=audio line, and (for a local answer) the direction attribute.  Every
 * other line (codecs, rtpmap, fmtp, ptime) passes through untouched, so a
 * leg sees exactly the codecs its peer offered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Copy the line starting at p (without its end) into buf; returns its end. */
static const char *
line_end(const char *p)
{
	const char *e = strpbrk(p, "\r\n");

	return e ? e : p + strlen(p);
}

/* Skip the line ending at e. */
static const char *
next_line(const char *e)
{
	if (*e == '\r')
		e++;
	if (*e == '\n')
		e++;
	return e;
}

/*
 * The media address and port of the first audio stream: the c= of the
 * media section if any, else the session's.  Returns 0, or -1 if absent.
 */
int
sdp_get_media(const char *sdp, char *host, size_t hostlen, int *port)
{
	const char *p = sdp;
	char session_c[64] = "", media_c[64] = "";
	int in_audio = 0, seen_audio = 0, mport = -1;

	while (*p) {
		const char *e = line_end(p);
		size_t n = (size_t)(e - p);
		char line[256];

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (strncmp(line, "m=", 2) == 0) {
			if (seen_audio)
				break;
			in_audio = strncmp(line, "m=audio ", 8) == 0;
			if (in_audio) {
				seen_audio = 1;
				mport = atoi(line + 8);
			}
		} else if (strncmp(line, "c=IN IP", 7) == 0 && n > 9) {
			char *dst = in_audio ? media_c : session_c;
			size_t k = strcspn(line + 9, "/ ");

			if (k >= sizeof(session_c))
				k = sizeof(session_c) - 1;
			memcpy(dst, line + 9, k);
			dst[k] = '\0';
		}
		p = next_line(e);
	}
	if (!seen_audio || mport <= 0 || mport > 65535)
		return -1;
	snprintf(host, hostlen, "%s", media_c[0] ? media_c : session_c);
	*port = mport;
	return host[0] ? 0 : -1;
}

/* The direction attribute of the first audio stream (or the session). */
const char *
sdp_direction(const char *sdp)
{
	static const char *const dirs[] = { "sendonly", "recvonly",
	    "inactive", "sendrecv" };

	for (size_t i = 0; i < 4; i++) {
		char needle[16];

		snprintf(needle, sizeof(needle), "a=%s", dirs[i]);
		if (strstr(sdp, needle) != NULL)
			return dirs[i];
	}
	return "sendrecv";
}

/* Append to a growing buffer. */
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
 * A copy of sdp with referd's address and port put in, the origin's
 * session id and version set, and, when direction is not NULL, the
 * audio direction replaced by it.  The caller frees the result.
 */
char *
sdp_rewrite(const char *sdp, const char *addr, int port, const char *origin_id,
    unsigned version, const char *direction)
{
	const char *p = sdp;
	const char *ipver = strchr(addr, ':') ? "IP6" : "IP4";
	char *out = NULL, line[512];
	size_t len = 0, cap = 0;
	int audio_done = 0, dir_written = 0, in_audio = 0;

	while (*p) {
		const char *e = line_end(p);
		size_t n = (size_t)(e - p);
		int k;

		if (strncmp(p, "o=", 2) == 0) {
			/* o=<user> <sess-id> <version> IN IP4 <addr> */
			char user[64] = "-";

			sscanf(p + 2, "%63s", user);
			k = snprintf(line, sizeof(line), "o=%s %s %u IN %s %s\r\n",
			    user, origin_id, version, ipver, addr);
		} else if (strncmp(p, "c=", 2) == 0) {
			k = snprintf(line, sizeof(line), "c=IN %s %s\r\n",
			    ipver, addr);
		} else if (strncmp(p, "m=", 2) == 0) {
			if (in_audio && direction && !dir_written) {
				k = snprintf(line, sizeof(line), "a=%s\r\n",
				    direction);
				if (append(&out, &len, &cap, line, (size_t)k))
					goto fail;
				dir_written = 1;
			}
			in_audio = 0;
			if (strncmp(p, "m=audio ", 8) == 0 && !audio_done) {
				const char *rest = p + 8;

				rest += strspn(rest, "0123456789");
				k = snprintf(line, sizeof(line), "m=audio %d%.*s\r\n",
				    port, (int)(e - rest), rest);
				audio_done = 1;
				in_audio = 1;
			} else {
				k = snprintf(line, sizeof(line), "%.*s\r\n",
				    (int)n, p);
			}
		} else if (direction && (strncmp(p, "a=sendonly", 10) == 0 ||
		    strncmp(p, "a=recvonly", 10) == 0 ||
		    strncmp(p, "a=inactive", 10) == 0 ||
		    strncmp(p, "a=sendrecv", 10) == 0)) {
			k = 0;        /* replaced below */
		} else {
			if (n == 0) {
				p = next_line(e);
				if (p == e)
					break;
				continue;
			}
			if (n > sizeof(line) - 3)
				goto fail;
			k = snprintf(line, sizeof(line), "%.*s\r\n", (int)n, p);
		}
		if (k < 0 || (size_t)k >= sizeof(line) ||
		    append(&out, &len, &cap, line, (size_t)k))
			goto fail;
		p = next_line(e);
		if (p == e)
			break;
	}
	if (in_audio && direction && !dir_written) {
		int k = snprintf(line, sizeof(line), "a=%s\r\n", direction);

		if (append(&out, &len, &cap, line, (size_t)k))
			goto fail;
	}
	if (!audio_done)
		goto fail;
	return out;
fail:
	free(out);
	return NULL;
}
