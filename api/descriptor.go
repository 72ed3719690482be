package api

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// DescriptorLen is the number of float32 in a dlib face descriptor.
const DescriptorLen = 128

// DescriptorBytes is the raw size of an encoded descriptor.
const DescriptorBytes = DescriptorLen * 4

// ErrBadDescriptor: a descriptor that is not base64 of 128 finite
// little-endian float32.
var ErrBadDescriptor = errors.New("bad descriptor")

// EncodeDescriptor is the contract's form: base64 (standard) of 128
// little-endian float32.
func EncodeDescriptor(d *[DescriptorLen]float32) string {
	var b [DescriptorBytes]byte
	for i, f := range d {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

// DecodeDescriptor parses EncodeDescriptor's form, refusing a wrong
// length and non-finite values (a NaN would poison every distance).
func DecodeDescriptor(s string) ([DescriptorLen]float32, error) {
	var d [DescriptorLen]float32
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return d, fmt.Errorf("%w: not base64: %v", ErrBadDescriptor, err)
	}
	if len(b) != DescriptorBytes {
		return d, fmt.Errorf("%w: %d bytes, want %d", ErrBadDescriptor, len(b), DescriptorBytes)
	}
	for i := range d {
		f := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return d, fmt.Errorf("%w: value %d is not finite", ErrBadDescriptor, i)
		}
		d[i] = f
	}
	return d, nil
}
