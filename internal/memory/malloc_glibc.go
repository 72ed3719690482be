//go:build linux && cgo

package memory

// #include <malloc.h>
import "C"

func tune(arenas, mmapThreshold int) {
	C.mallopt(C.M_ARENA_MAX, C.int(arenas))
	C.mallopt(C.M_MMAP_THRESHOLD, C.int(mmapThreshold))
}

func trim() { C.malloc_trim(0) }
