//go:build !linux

package storage

// ReleaseMemory is a no-op where madvise is not available.
func (s *Store) ReleaseMemory() error { return nil }
