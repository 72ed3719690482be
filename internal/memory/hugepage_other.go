//go:build !linux

package memory

// UseHugePages does nothing off Linux: the tunable is glibc's.
func UseHugePages() {}
