package sync

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/hadir-id/hadir/storage"
)

// Wire types of /api/v1 (see the contract in the package README of the
// server). Events travel as storage.Event marshalled as is.

// envelope is the part every answer shares, success or error.
type envelope struct {
	ServerTime   string  `json:"server_time"`
	Error        string  `json:"error"`
	Message      string  `json:"message"`
	ConflictNIP  string  `json:"conflict_nip"`
	ConflictName string  `json:"conflict_name"`
	Distance     float64 `json:"distance"`
}

type registerRequest struct {
	Code       string `json:"code"`
	DeviceID   string `json:"device_id"`
	Name       string `json:"name"`
	AppVersion string `json:"app_version"`
}

type registerResponse struct {
	DeviceID string   `json:"device_id"`
	Token    string   `json:"token"`
	Units    []string `json:"units"`
}

type heartbeatRequest struct {
	Backlog       int       `json:"backlog"`
	OldestPending time.Time `json:"oldest_pending,omitzero"`
	ClockOffsetNS int64     `json:"clock_offset_ns"`
	CameraFPS     float64   `json:"camera_fps"`
	FreeDiskBytes uint64    `json:"free_disk_bytes"`
	AppVersion    string    `json:"app_version"`
	LastError     string    `json:"last_error,omitempty"`
}

// Result statuses of POST /events.
const (
	resultAccepted  = "accepted"
	resultDuplicate = "duplicate"
	resultRejected  = "rejected"
)

type eventResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

type chainReport struct {
	OK          bool   `json:"ok"`
	BrokenAtSeq uint64 `json:"broken_at_seq"`
	Message     string `json:"message"`
}

type pushResponse struct {
	Results []eventResult `json:"results"`
	Chain   chainReport   `json:"chain"`
}

type wireEmployee struct {
	NIP    string `json:"nip"`
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Status string `json:"status"`
}

type wireTemplate struct {
	ID         string                  `json:"id"`
	Descriptor string                  `json:"descriptor"`
	Quality    storage.TemplateQuality `json:"quality"`
	TakenAt    time.Time               `json:"taken_at"`
}

type rosterChange struct {
	Rev       uint64         `json:"rev"`
	NIP       string         `json:"nip"`
	Deleted   bool           `json:"deleted"`
	Employee  *wireEmployee  `json:"employee"`
	Templates []wireTemplate `json:"templates"`
}

type rosterResponse struct {
	Revision uint64         `json:"revision"`
	More     bool           `json:"more"`
	Changes  []rosterChange `json:"changes"`
}

type enrollmentRequest struct {
	Employee  wireEmployee   `json:"employee"`
	Templates []wireTemplate `json:"templates"`
}

type enrollmentResponse struct {
	Revision uint64 `json:"revision"`
}

const descriptorBytes = storage.DescriptorLen * 4

// encodeDescriptor is the contract's form: base64 (standard) of 128
// little-endian float32.
func encodeDescriptor(d [storage.DescriptorLen]float32) string {
	var b [descriptorBytes]byte
	for i, f := range d {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

func decodeDescriptor(s string) ([storage.DescriptorLen]float32, error) {
	var d [storage.DescriptorLen]float32
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return d, fmt.Errorf("descriptor: %w", err)
	}
	if len(b) != descriptorBytes {
		return d, fmt.Errorf("descriptor is %d bytes, want %d", len(b), descriptorBytes)
	}
	for i := range d {
		f := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return d, fmt.Errorf("descriptor has a non-finite value")
		}
		d[i] = f
	}
	return d, nil
}

func toWireTemplate(t storage.Template) wireTemplate {
	return wireTemplate{ID: t.ID, Descriptor: encodeDescriptor(t.Descriptor), Quality: t.Quality, TakenAt: t.TakenAt.UTC()}
}
