/*
 * digest.c: SHA-256 (FIPS 180-4, section 6.2) and the configuration
 * digest (see digest.h).
 *
 * The rule of what is in (referd-mib(7), referdConfigDigest):
 *  - a column whose `.digest` is DIGEST_POLICY in model/columns.c, of a
 *    scalar or of an active row (RowStatus active: a row not in service
 *    is not configuration in effect);
 *  - out by their kind: indexes (the index is on every line), StorageType
 *    (how a row was provisioned, not what it does), RowStatus (only
 *    active rows are walked), and everything the agent or the engine
 *    computes: counters, calls, endpoint status, read-only scalars;
 *  - out by `.digest`: DIGEST_INSTANCE (this instance's own: signaling
 *    endpoints, paths, the RTP port range, its name) and DIGEST_SECRET
 *    (RADIUS secrets: everything else in the digest can be read by any
 *    manager allowed to read the digest, so a hash over it and a secret
 *    would let anyone test guesses of the secret offline).
 */
#include <stdio.h>
#include <string.h>

#include "model/digest.h"

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* One 512-bit block (6.2.2). */
static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k;

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ROTR(w[t - 15], 7) ^ ROTR(w[t - 15], 18) ^
		    (w[t - 15] >> 3);
		uint32_t s1 = ROTR(w[t - 2], 17) ^ ROTR(w[t - 2], 19) ^
		    (w[t - 2] >> 10);

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; k = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = k + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[t] + w[t];
		uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));

		k = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

void
referd_sha256_init(struct referd_sha256 *s)
{
	/* 5.3.3: the fractional parts of the square roots of the first
	 * eight primes. */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->bytes = 0;
	s->used = 0;
}

void
referd_sha256_update(struct referd_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->bytes += len;
	while (len > 0) {
		size_t n = sizeof(s->block) - s->used;

		if (n > len)
			n = len;
		memcpy(s->block + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used == sizeof(s->block)) {
			sha256_block(s->h, s->block);
			s->used = 0;
		}
	}
}

void
referd_sha256_final(struct referd_sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->bytes * 8;
	unsigned char len[8];

	/* 5.1.1: a 1 bit, zeros to 448 mod 512, the length in 64 bits. */
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	referd_sha256_update(s, "\x80", 1);
	while (s->used != 56)
		referd_sha256_update(s, "", 1);
	referd_sha256_update(s, len, sizeof(len));
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

/* The hex form of a finished SHA-256. */
static void
sha256_hex_final(struct referd_sha256 *s, char hex[REFERD_DIGEST_HEX])
{
	unsigned char md[32];

	referd_sha256_final(s, md);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

void
referd_sha256_hex(const void *data, size_t len, char hex[REFERD_DIGEST_HEX])
{
	struct referd_sha256 s;

	referd_sha256_init(&s);
	referd_sha256_update(&s, data, len);
	sha256_hex_final(&s, hex);
}

int
referd_digest_column(const struct column *c)
{
	switch (c->kind) {
	case K_INDEX:
	case K_STORAGE:
	case K_ROWSTATUS:
	case K_OPER:
	case K_COUNTER:
	case K_CALL:
	case K_RUNTIME:
		return 0;
	default:
		break;
	}
	switch (c->digest) {
	case DIGEST_POLICY:
		return 1;
	case DIGEST_INSTANCE:
	case DIGEST_SECRET:
		return 0;
	default:
		return -1;
	}
}

/* The text form of the value of column c at base (a row, or the
 * configuration for a scalar). */
static void
item_value(struct digest_item *it, const char *base)
{
	const struct column *c = it->c;
	const char *at = base + c->off;
	uint32_t u[2];
	int e;

	switch (c->kind) {
	case K_U32:
		memcpy(u, at, sizeof(u[0]));
		snprintf(it->value, sizeof(it->value), "%u", u[0]);
		break;
	case K_ENUM:
		memcpy(&e, at, sizeof(e));
		snprintf(it->value, sizeof(it->value), "%d", e);
		break;
	case K_PORT_RANGE:
		memcpy(u, at, sizeof(u));
		snprintf(it->value, sizeof(it->value), "%u-%u", u[0], u[1]);
		break;
	default:   /* the strings */
		snprintf(it->value, sizeof(it->value), "%s", at);
		break;
	}
}

/* The values of t's columns in the digest, of one row or the scalars. */
static int
walk_columns(const struct table *t, uint32_t index, const char *base,
    digest_fn fn, void *arg)
{
	struct digest_item it = { .t = t, .index = index };
	int rc;

	for (const struct column *c = t->cols; c->name; c++) {
		if (referd_digest_column(c) != 1)
			continue;
		it.c = c;
		item_value(&it, base);
		if ((rc = fn(arg, &it)) != 0)
			return rc;
	}
	return 0;
}

int
referd_digest_walk(const struct referd_config *cfg, digest_fn fn, void *arg)
{
	int rc;

	for (const struct table *const *g = mib_scalar_groups; *g; g++)
		if ((rc = walk_columns(*g, 0, (const char *)cfg, fn, arg)) != 0)
			return rc;
	for (size_t i = 0; i < mib_n_tables; i++) {
		const struct table *t = &mib_tables[i];
		enum referd_table ct;
		size_t n, sz;
		const char *rows;

		if (t->id == TABLE_STATS || t->id == TABLE_CALLS)
			continue;
		ct = (enum referd_table)t->id;
		sz = referd_row_size(ct);
		rows = referd_config_rows(cfg, ct, &n);
		for (size_t r = 0; r < n; r++) {
			char *row = (char *)(uintptr_t)(rows + r * sz);
			uint32_t index;

			if (*referd_row_status(ct, row) != REFERD_RS_ACTIVE)
				continue;
			memcpy(&index, row, sizeof(index));
			if ((rc = walk_columns(t, index, row, fn, arg)) != 0)
				return rc;
		}
	}
	return 0;
}

/* One value into the hash. */
static int
hash_item(void *arg, const struct digest_item *it)
{
	char head[160];
	int n = snprintf(head, sizeof(head), "%s %u %s %zu:", it->t->name,
	    it->index, it->c->name, strlen(it->value));

	referd_sha256_update(arg, head, (size_t)n);
	referd_sha256_update(arg, it->value, strlen(it->value));
	referd_sha256_update(arg, "\n", 1);
	return 0;
}

void
referd_config_digest(const struct referd_config *cfg,
    char hex[REFERD_DIGEST_HEX])
{
	struct referd_sha256 s;

	referd_sha256_init(&s);
	(void)referd_digest_walk(cfg, hash_item, &s);
	sha256_hex_final(&s, hex);
}
