#include <stdint.h>
void hadir_scan_i8(const int8_t *probe, const int8_t *gallery, int32_t n, int32_t *out);
