/* hash.h — FNV-1a, the one non-cryptographic hash of the project.
 *
 * Used where a name or a version must come out the same on every machine
 * and in every build: a pod's veth name, a pod template's hash, the
 * version of a served OpenAPI document. Not for anything an attacker
 * chooses the input of and profits from colliding.
 */
#ifndef CLIENTIP_HASH_H
#define CLIENTIP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A32_INIT 2166136261u
#define HASH_FNV1A64_INIT 14695981039346656037ULL

/* Continue hash h over len bytes of p (start from the _INIT value). */
uint32_t hash_fnv1a32(uint32_t h, const void *p, size_t len);
uint64_t hash_fnv1a64(uint64_t h, const void *p, size_t len);

#endif
