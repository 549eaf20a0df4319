/*
 * SHA-256 (FIPS 180-4), for the hashes the recorder takes of a run's files
 * when recording ends: a few lines of C instead of a library that every
 * probe-bpf command would load at start.
 */
#ifndef PROBE_SHA256_H
#define PROBE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8]; /* the hash so far */
	uint64_t bytes; /* the message's length so far */
	uint8_t block[64]; /* bytes of a block not yet compressed */
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);

#endif
