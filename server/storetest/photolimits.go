package storetest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/hadir-id/hadir/server"
)

// Attacks on the photo API's memory (issue 13, finding 5).
var _ = register("PhotoDecodeLimits", testPhotoLimits)

// PNGHeader returns a PNG whose header claims w x h pixels of the given
// bit depth and colour type (6: RGBA) followed by pixel data that is not a
// valid image: a server that decodes it answers "undecodable", one that
// refuses it from the header alone answers "too large".
func PNGHeader(w, h uint32, depth, colorType byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		b.Write(c)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, colorType
	chunk("IHDR", ihdr)
	chunk("IDAT", bytes.Repeat([]byte{0x78, 0x9c, 0xff}, 64))
	chunk("IEND", nil)
	return b.Bytes()
}

func testPhotoLimits(t *testing.T, b Backend) {
	e := Start(t, b)
	op := e.As("op", server.RoleOperator, "DINKES")
	fields := map[string]string{"nip": NIP(1), "name": "A", "unit": "DINKES"}
	for _, tc := range []struct {
		name string
		png  []byte
	}{
		// 9 MP is under the pixel cap, but 16-bit RGBA decodes to 8 bytes
		// a pixel: 72 MB for a file of a few hundred bytes.
		{"16-bit RGBA 3000x3000", PNGHeader(3000, 3000, 16, 6)},
		{"8-bit RGBA 4000x3200 (12.8 MP)", PNGHeader(4000, 3200, 8, 6)},
	} {
		for _, path := range []string{"/api/v1/faces/identify", "/api/v1/faces/register"} {
			r := e.Upload(path, op, fields, Photo{Name: "x.png", Data: tc.png})
			if r.Status != 413 || r.Str("error") != "image_too_large" {
				t.Errorf("%s to %s: %d %s, want 413 image_too_large from the header, without decoding\n%s", tc.name, path, r.Status, r.Str("error"), truncate(r.Raw))
			}
		}
	}
}
