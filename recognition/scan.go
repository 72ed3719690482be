package recognition

// #cgo CFLAGS: -O3
// #include "scan.h"
import "C"

import (
	"math"
	"unsafe"
)

// quantScale maps descriptor components to int8. dlib's components stay
// within ±0.5 (the largest over the 430 shared dataset faces is 0.499), so
// 127/0.5 clamps none of them; a rarer outlier is clamped and its error,
// measured per template, widens only that template's bound.
const quantScale = 254.0

// quantize writes d as int8 into q and returns the exact Euclidean norm of
// the quantization error, |d - q/quantScale|.
func quantize(d *Descriptor, q []int8) float64 {
	var e2 float64
	for i, x := range d {
		v := math.Round(float64(x) * quantScale)
		v = math.Max(-127, math.Min(127, v))
		q[i] = int8(v)
		diff := float64(x) - v/quantScale
		e2 += diff * diff
	}
	return math.Sqrt(e2)
}

// scanInt8 fills out[i] with the squared distance, in quantized units,
// between probe and the i-th 128-byte template of gallery.
func scanInt8(probe []int8, gallery []int8, out []int32) {
	n := len(out)
	if n == 0 {
		return
	}
	C.hadir_scan_i8((*C.int8_t)(unsafe.Pointer(&probe[0])), (*C.int8_t)(unsafe.Pointer(&gallery[0])), C.int32_t(n), (*C.int32_t)(unsafe.Pointer(&out[0])))
}
