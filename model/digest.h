/*
 * digest.h: referdConfigDigest, the digest of the configuration that is
 * meant to be equal on every instance of referd behind one front, and
 * the SHA-256 (FIPS 180-4) it is made with.
 *
 * Which columns are in is said once, per column, by `.digest` in
 * model/columns.c (see enum col_digest there); the rows in are the
 * active ones.  The agent publishes the digest (agent/mib.c) and
 * referctl names the differences between agents (cli/referctl.c) from
 * the same walk, referd_digest_walk().
 */
#ifndef REFERD_MODEL_DIGEST_H
#define REFERD_MODEL_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "model/config.h"
#include "model/columns.h"

/* SHA-256 of FIPS 180-4. */
struct referd_sha256 {
	uint32_t      h[8];
	uint64_t      bytes;       /* message length so far */
	unsigned char block[64];
	size_t        used;        /* bytes waiting in block */
};

void referd_sha256_init(struct referd_sha256 *s);
void referd_sha256_update(struct referd_sha256 *s, const void *data,
    size_t len);
void referd_sha256_final(struct referd_sha256 *s, unsigned char out[32]);

/* 64 lowercase hex digits and a NUL. */
#define REFERD_DIGEST_HEX 65

/* The hex form of SHA-256(data). */
void referd_sha256_hex(const void *data, size_t len,
    char hex[REFERD_DIGEST_HEX]);

/*
 * Whether column c is in the digest: 1 in, 0 out, -1 when it holds a
 * setting and model/columns.c does not say (tests/unit/test_digest fails
 * on such a column, so a new one is classified when it is added).
 */
int referd_digest_column(const struct column *c);

/* One value in the digest: a scalar (index 0) or a cell of an active
 * row, and its text form (a number in decimal, a string as it is). */
struct digest_item {
	const struct table  *t;      /* the table, or the group of scalars */
	const struct column *c;
	uint32_t             index;
	char                 value[REFERD_PATH_MAX + 1];
};

typedef int (*digest_fn)(void *arg, const struct digest_item *it);

/*
 * Call fn for every value in the digest, in the canonical order: the
 * groups of scalars (referdGeneral, referdAccounting), then the tables
 * by arc, rows by index, columns in their order.  Stops at the first
 * fn that returns nonzero and returns that.
 */
int referd_digest_walk(const struct referd_config *cfg, digest_fn fn,
    void *arg);

/* The digest of a configuration: SHA-256 of one line per value,
 * `TABLE INDEX COLUMN LENGTH:VALUE\n` (MIB names, decimal numbers). */
void referd_config_digest(const struct referd_config *cfg,
    char hex[REFERD_DIGEST_HEX]);

#endif /* REFERD_MODEL_DIGEST_H */
