package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/hadir-id/hadir/api"
	"math"
	"strings"
	"testing"
	"time"
)

func TestRecordEventRoundTripAndChain(t *testing.T) {
	s, c, dir := openTest(t)
	ctx := context.Background()
	photo := fakeJPEG(20 << 10)
	in := sampleEvent(1, c.Now().In(time.FixedZone("WIB", 7*3600)))
	in.ID = "01JD0000000000000000000001"
	e1, err := s.RecordEvent(ctx, in, photo)
	if err != nil {
		t.Fatal(err)
	}
	if e1.Seq != 1 || e1.Device != "KIOSK-TEST-1" || e1.PhotoID != in.ID || e1.PrevHash != ([32]byte{}) ||
		e1.Hash != EventHash(&e1) || e1.Sync != SyncPending || !e1.RecordedAt.Equal(c.Now()) || e1.Time.Location() != time.UTC {
		t.Fatalf("first event %+v", e1)
	}
	c.Add(time.Second)
	e2, err := s.RecordEvent(ctx, sampleEvent(2, c.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Seq != 2 || e2.PrevHash != e1.Hash || e2.ID == "" || e2.PhotoID != "" {
		t.Fatalf("second event not linked: %+v", e2)
	}
	got, err := s.Event(ctx, e1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != e1 {
		t.Fatalf("Event = %+v\nwant    %+v", got, e1)
	}
	p, err := s.Photo(ctx, e1.PhotoID)
	if err != nil || !bytes.Equal(p, photo) {
		t.Fatalf("Photo: %v (equal %v)", err, bytes.Equal(p, photo))
	}
	// Retrying an acknowledged ID records nothing.
	if _, err := s.RecordEvent(ctx, in, nil); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate ID: %v", err)
	}
	if n, _ := s.OutboxLen(ctx); n != 2 {
		t.Fatalf("outbox has %d entries, want 2", n)
	}
	if _, err := s.VerifyLedger(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if bytes.Contains(readFile(t, dbPath(dir)), photo[100:200]) {
		t.Fatal("evidence photo stored in plaintext")
	}
}

func TestRecordEventRejectsBadInput(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := context.Background()
	good := sampleEvent(0, c.Now())
	mod := func(f func(*Event)) Event { e := good; f(&e); return e }
	cases := []struct {
		name  string
		e     Event
		photo []byte
		want  error
	}{
		{"kind", mod(func(e *Event) { e.Kind = "lunch" }), nil, ErrInvalid},
		{"bad nip", mod(func(e *Event) { e.NIP = "1234" }), nil, ErrInvalidNIP},
		{"in without nip", mod(func(e *Event) { e.NIP = "" }), nil, ErrInvalidNIP},
		{"no time", mod(func(e *Event) { e.Time = time.Time{} }), nil, ErrInvalid},
		{"nan distance", mod(func(e *Event) { e.Distance = math.NaN() }), nil, ErrInvalid},
		{"bad id", mod(func(e *Event) { e.ID = "a b" }), nil, ErrInvalid},
		{"long note", mod(func(e *Event) { e.Note = string(make([]byte, 2000)) }), nil, ErrInvalid},
		{"png photo", good, []byte("\x89PNG\r\n\x1a\n"), ErrInvalid},
		{"manual without operator or note", mod(func(e *Event) { e.Kind, e.Operator, e.Note = KindManual, "", "" }), nil, ErrInvalid},
	}
	for _, tc := range cases {
		if _, err := s.RecordEvent(ctx, tc.e, tc.photo); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// An unknown face may be recorded as a sighting without NIP.
	if _, err := s.RecordEvent(ctx, mod(func(e *Event) { e.Kind, e.NIP = KindSighting, "" }), nil); err != nil {
		t.Fatalf("anonymous sighting: %v", err)
	}
	// A batch is all or nothing.
	bad := mod(func(e *Event) { e.Kind = "?" })
	if _, err := s.RecordEvents(ctx, []Record{{Event: good}, {Event: bad}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("batch with a bad event: %v", err)
	}
	dup := mod(func(e *Event) { e.ID = "SAME" })
	if _, err := s.RecordEvents(ctx, []Record{{Event: dup}, {Event: dup}}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("batch with a repeated ID: %v", err)
	}
	if n, _ := s.OutboxLen(ctx); n != 1 {
		t.Fatalf("outbox has %d entries after rejected input, want 1", n)
	}
}

func TestRecordEventsBatch(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := context.Background()
	recs := make([]Record, 10)
	for i := range recs {
		recs[i] = Record{Event: sampleEvent(i, c.Now())}
	}
	recs[3].Photo = fakeJPEG(1000)
	evs, err := s.RecordEvents(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq != evs[i-1].Seq+1 || evs[i].PrevHash != evs[i-1].Hash {
			t.Fatalf("batch event %d not chained", i)
		}
	}
	if evs[3].PhotoID == "" {
		t.Fatal("photo of batch event not stored")
	}
	if rep, err := s.VerifyLedger(ctx); err != nil || rep.Entries != 10 || rep.Pending != 10 {
		t.Fatalf("VerifyLedger = %+v, %v", rep, err)
	}
}

func TestNewIDIsSortableAndUnique(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 1000; i++ {
		id := NewID(t0.Add(time.Duration(i) * time.Millisecond))
		if len(id) != 26 || seen[id] || id <= prev || !validID(id) {
			t.Fatalf("NewID #%d = %q (prev %q)", i, id, prev)
		}
		seen[id], prev = true, id
	}
	// Same millisecond, and a clock that steps back: still increasing.
	for i := 0; i < 1000; i++ {
		id := NewID(t0)
		if id <= prev {
			t.Fatalf("NewID in the same millisecond: %q after %q", id, prev)
		}
		prev = id
	}
}

func TestEventWireRoundTrip(t *testing.T) {
	s, c, _ := openTest(t)
	e, err := s.RecordEvent(context.Background(), sampleEvent(3, c.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := e.Wire()
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"hash":"`+e.Hash.String()+`"`) || strings.Contains(string(b), `"sync"`) {
		t.Fatalf("JSON %s", b)
	}
	var back api.Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != w || api.EventHash(&back) != e.Hash {
		t.Fatalf("round trip changed the event:\n%+v\n%+v", back, w)
	}
}
