package storage

import (
	"os"
	"syscall"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMemory drops the store's file pages from this process's resident
// set (madvise MADV_DONTNEED on bbolt's read-only map). The kiosk reads
// every template once at start to build its gallery and then rarely
// again; without this those pages stay counted in its RSS on a small
// tablet. The kernel's page cache keeps them, so a later read costs only
// a minor fault; nothing is written or lost.
func (s *Store) ReleaseMemory() error {
	return s.db.View(func(tx *bolt.Tx) error { // a read tx holds off a remap
		fi, err := os.Stat(s.path)
		if err != nil {
			return err
		}
		info := s.db.Info()
		if fi.Size() == 0 || info.Data == 0 {
			return nil
		}
		// info.Data is the address of bbolt's mmap, outside the Go heap:
		// read it as a pointer (not converted from an integer expression).
		base := *(*unsafe.Pointer)(unsafe.Pointer(&info.Data))
		mem := unsafe.Slice((*byte)(base), fi.Size())
		return syscall.Madvise(mem, syscall.MADV_DONTNEED)
	})
}
