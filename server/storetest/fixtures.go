package storetest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server"
)

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewULID returns a ULID: 48 bits of milliseconds then 80 random bits in
// Crockford base 32, time-ordered like the kiosk's storage.NewID.
func NewULID() string {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic(err)
	}
	var b [26]byte
	ms := uint64(time.Now().UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	for i := 10; i < 26; i++ {
		b[i] = crockford[int(r[i-10])%32]
	}
	return string(b[:])
}

// Chain produces consecutive, correctly linked events of one device, the
// way a kiosk's store and sync client do: api.EventHash over the content,
// and the MAC with the device secret.
type Chain struct {
	Device string
	Secret []byte
	Seq    uint64
	Prev   server.Hash
}

// Next returns the next event of the chain as wire JSON.
func (c *Chain) Next(kind, nip string, t time.Time) map[string]any {
	c.Seq++
	ev := api.Event{ID: NewULID(), Kind: kind, NIP: nip, Time: t.UTC(), Zone: "Asia/Jakarta", Monotonic: 123456789,
		BootID: "boot-1", ClockOffset: -1500000, Distance: 0.31, Margin: 0.12, Liveness: "blink-ok", LivenessScore: 0.97,
		Device: c.Device, Seq: c.Seq, RecordedAt: t.UTC(), PrevHash: c.Prev}
	Seal(c.Secret, &ev)
	c.Prev = ev.Hash
	return wireMap(ev)
}

// Seal sets e's hash and MAC as a kiosk holding secret would.
func Seal(secret []byte, e *api.Event) {
	e.Hash = api.EventHash(e)
	e.MAC = api.EventMAC(secret, e.Hash)
}

// wireMap is e as the JSON object a kiosk sends (tests edit the map).
func wireMap(e api.Event) map[string]any {
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

// Batch wraps events as the POST /events body.
func Batch(events ...map[string]any) map[string]any {
	if events == nil {
		events = []map[string]any{}
	}
	return map[string]any{"events": events}
}

// NIP returns the i-th valid, distinct test NIP.
func NIP(i int) string {
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
	return fmt.Sprintf("%s2020011%03d", birth.Format("20060102"), 1+i%999)
}

// Descriptor returns a random unit-length descriptor (distinct people are
// about 1.4 apart, far beyond the 0.42 threshold).
func Descriptor(rng *mrand.Rand) [server.DescriptorLen]float32 {
	var d [server.DescriptorLen]float32
	var n float64
	for i := range d {
		v := rng.NormFloat64()
		d[i] = float32(v)
		n += v * v
	}
	n = math.Sqrt(n)
	for i := range d {
		d[i] = float32(float64(d[i]) / n)
	}
	return d
}

// Near returns d moved by exactly dist in a random direction.
func Near(rng *mrand.Rand, d [server.DescriptorLen]float32, dist float64) [server.DescriptorLen]float32 {
	dir := Descriptor(rng)
	var out [server.DescriptorLen]float32
	for i := range d {
		out[i] = d[i] + float32(dist)*dir[i]
	}
	return out
}

// Templates returns n templates of random faces near one base face.
func Templates(rng *mrand.Rand, n int) []server.Template {
	base := Descriptor(rng)
	out := make([]server.Template, n)
	for i := range out {
		out[i] = server.Template{ID: NewULID(), Descriptor: Near(rng, base, 0.05), TakenAt: time.Now().UTC().Truncate(time.Second),
			Quality: server.Quality{FaceWidth: 120, Sharpness: 40.5, Brightness: 120, Yaw: 3, EyeOpenness: 0.3}}
	}
	return out
}

// WireTemplate is a template as a kiosk sends it.
func WireTemplate(t server.Template) map[string]any {
	return map[string]any{"id": t.ID, "descriptor": api.EncodeDescriptor(&t.Descriptor),
		"quality": map[string]any{"face_width": t.Quality.FaceWidth, "sharpness": t.Quality.Sharpness,
			"brightness": t.Quality.Brightness, "yaw": t.Quality.Yaw, "eye_openness": t.Quality.EyeOpenness},
		"taken_at": t.TakenAt.Format(time.RFC3339)}
}

// Seed makes a deterministic random source for a test.
func Seed(n uint64) *mrand.Rand { return mrand.New(mrand.NewPCG(n, n^0x9e3779b97f4a7c15)) }

// le is little-endian float32 packing (used by descriptor tests).
func le(d [server.DescriptorLen]float32) []byte {
	b := make([]byte, len(d)*4)
	for i, f := range d {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
