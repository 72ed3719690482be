// Coarse gallery scan: squared distances between int8-quantized
// descriptors. target_clones lets the compiler emit an AVX2 body and a
// portable one and pick at load time, so a binary built on a new CPU still
// runs on an older kiosk.
#include <stdint.h>
#include "scan.h"

__attribute__((target_clones("avx2", "default")))
void hadir_scan_i8(const int8_t *probe, const int8_t *gallery, int32_t n, int32_t *out) {
	for (int32_t i = 0; i < n; i++) {
		const int8_t *t = gallery + (int64_t)i * 128;
		int32_t s = 0;
		for (int k = 0; k < 128; k++) {
			int32_t d = (int32_t)probe[k] - (int32_t)t[k];
			s += d * d;
		}
		out[i] = s;
	}
}
