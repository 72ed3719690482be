// Coarse gallery scan: squared distances between int8-quantized
// descriptors. The CPU picks, at run time, an AVX2 body or the portable
// loop, so a binary built on a new CPU still runs on an older kiosk. The
// AVX2 body is written with intrinsics rather than left to the
// vectorizer (or target_clones): gcc and clang then produce the same
// 256-bit code (clang 14, which compiles the project's C, vectorized the
// loop 128 bits wide, 37% slower, and emits no symbol for target_clones).
#include <stdint.h>
#include "scan.h"

static void scan_base(const int8_t *probe, const int8_t *gallery, int32_t n, int32_t *out) {
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

#if defined(__x86_64__)
#include <immintrin.h>

// scan_avx2: each descriptor is 8 x 16 int8, widened to int16 (|d| <= 254
// fits), squared and summed in pairs into int32 (at most 128 x 254^2).
__attribute__((target("avx2")))
static void scan_avx2(const int8_t *probe, const int8_t *gallery, int32_t n, int32_t *out) {
	__m256i p[8];
	for (int j = 0; j < 8; j++) {
		p[j] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(probe + 16 * j)));
	}
	for (int32_t i = 0; i < n; i++) {
		const int8_t *t = gallery + (int64_t)i * 128;
		__m256i acc = _mm256_setzero_si256();
		for (int j = 0; j < 8; j++) {
			__m256i g = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(t + 16 * j)));
			__m256i d = _mm256_sub_epi16(p[j], g);
			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(d, d));
		}
		__m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
		s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
		s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
		out[i] = _mm_cvtsi128_si32(s);
	}
}
#endif

void hadir_scan_i8(const int8_t *probe, const int8_t *gallery, int32_t n, int32_t *out) {
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx2")) {
		scan_avx2(probe, gallery, n, out);
		return;
	}
#endif
	scan_base(probe, gallery, n, out);
}
