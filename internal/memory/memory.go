// Package memory gives a long-running kiosk's idle memory back to the
// system. Most of the kiosk's memory is C memory: dlib's models and frame
// work, OpenCV's decoder, Mesa's textures. glibc keeps what they free in
// its arenas (one per contending thread, up to 8 per core) instead of
// returning it, so a tablet's resident set grows with every busy moment.
// It also lets the server put large C blocks in huge pages (UseHugePages).
package memory

import (
	"os"
	"runtime/debug"
)

// GCPercent is the kiosk's GOGC. Its live Go heap is mostly the face
// gallery (37 MiB for 50,000 templates), which holds no pointers, so a
// collection costs little; Go's default of 100 would let as much garbage
// pile up beside it.
const GCPercent = 20

// Arenas is the number of glibc malloc arenas Limit allows: two let the
// recognition worker and the UI allocate without waiting for each other
// while freed memory stays in few places, where Release can find it.
const Arenas = 2

// MmapThreshold is the size from which glibc maps a block on its own and
// unmaps it on free, instead of carving it from an arena. glibc raises
// its threshold by itself up to 32 MiB after large frees, after which a
// camera frame, a texture or a network tensor left holes in the arenas
// that stayed resident; a fixed 256 KiB measured 15 MiB less for the
// whole kiosk (BenchmarkKioskMemory).
const MmapThreshold = 256 << 10

// Limit caps glibc's arenas at Arenas, fixes its mmap threshold at
// MmapThreshold and, unless GOGC is set, Go's heap growth at GCPercent.
// Call it first thing in main, before C code allocates from many
// threads; existing arenas stay.
func Limit() {
	tune(Arenas, MmapThreshold)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}

// Release returns free memory to the system now: Go's unused heap pages
// and the free pages inside glibc's arenas (malloc_trim). It costs a few
// milliseconds; the kiosk calls it after start-up loading and then every
// half minute.
func Release() {
	debug.FreeOSMemory()
	trim()
}
