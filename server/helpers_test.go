package server

import (
	"hash/crc32"
	"io"
)

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

func nopCloser(r io.Reader) io.ReadCloser { return io.NopCloser(r) }
