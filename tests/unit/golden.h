/*
 * golden.h - what the golden tests of compose and template share: a
 * seeded generator that gives the same sequence everywhere, and SHA-256
 * digests of length-prefixed strings (gnutls), so that a single changed
 * byte of output changes the digest.  Include after <cmocka.h>.
 */
#ifndef TRUCD_TEST_GOLDEN_H
#define TRUCD_TEST_GOLDEN_H

#include <gnutls/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct rng {
	uint64_t s;
};

static inline uint64_t
rng_next(struct rng *r)
{
	/* xorshift64*: the same sequence on every platform. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static inline size_t
rng_below(struct rng *r, size_t n)
{
	return (size_t)((rng_next(r) >> 33) % n);
}

static inline void
dig_add(gnutls_hash_hd_t h, const char *s, size_t n)
{
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (8 * i));
	gnutls_hash(h, len, sizeof(len));
	gnutls_hash(h, s, n);
}

static inline void
dig_str(gnutls_hash_hd_t h, const char *s)
{
	if (s == NULL)
		dig_add(h, "(null)", 7);	/* 7: not a string's length */
	else
		dig_add(h, s, strlen(s));
}

static inline gnutls_hash_hd_t
dig_begin(void)
{
	gnutls_hash_hd_t h;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		fail_msg("gnutls_hash_init");
	return h;
}

static inline void
dig_end(gnutls_hash_hd_t h, char hex[65])
{
	unsigned char out[32];

	gnutls_hash_deinit(h, out);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
}

#endif
