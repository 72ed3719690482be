//go:build !linux || !cgo

package memory

func tune(arenas, mmapThreshold int) {}

func trim() {}
