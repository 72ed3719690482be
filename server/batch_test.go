package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/hadir-id/hadir/api"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const goodEvent = `{"id":"01JB8Z6X9Q6M4T3V2W1Y0Z9A8B","kind":"in","nip":"198503152010011002","time":"2026-10-05T00:45:00Z","zone":"Asia/Jakarta","monotonic_ns":5,"boot_id":"b","clock_offset_ns":-3,"distance":0.3,"margin":0.1,"liveness":"blink-ok","liveness_score":0.9,"device":"K1","seq":1,"recorded_at":"2026-10-05T00:45:00Z","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"1111111111111111111111111111111111111111111111111111111111111111","sync":"pending","future_field":{"x":1}}`

func TestDecodeBatch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		err     error
		reasons []string
	}{
		{"one good", `{"events":[` + goodEvent + `]}`, nil, []string{""}},
		{"unknown top-level field ignored", `{"x":1,"events":[` + goodEvent + `]}`, nil, []string{""}},
		{"good and bad", `{"events":[` + goodEvent + `,{"id":"A","kind":"in"},` + goodEvent + `]}`, nil, []string{"", "bad_nip", ""}},
		{"wrong type inside", `{"events":[{"id":"X","seq":"1"}]}`, nil, []string{"bad_json"}},
		{"null event", `{"events":[null]}`, nil, []string{"bad_id"}},
		{"not json", `nope`, ErrBadBatch, nil},
		{"array", `[]`, ErrBadBatch, nil},
		{"events string", `{"events":"x"}`, ErrBadBatch, nil},
		{"empty", `{"events":[]}`, ErrBadBatch, nil},
		{"missing", `{}`, ErrBadBatch, nil},
		{"trailing", `{"events":[` + goodEvent + `]} x`, ErrBadBatch, nil},
		{"too many", `{"events":[` + strings.Repeat("1,", api.MaxBatchEvents) + `1]}`, ErrBatchTooLarge, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := DecodeBatch(strings.NewReader(tc.body), "K1")
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if len(items) != len(tc.reasons) {
				t.Fatalf("%d items, want %d", len(items), len(tc.reasons))
			}
			for i, it := range items {
				if it.Reason != tc.reasons[i] {
					t.Errorf("item %d reason %q (%s), want %q", i, it.Reason, it.Message, tc.reasons[i])
				}
			}
		})
	}
}

func TestDecodeBatchBodyLimit(t *testing.T) {
	body := `{"events":[` + goodEvent + strings.Repeat(" ", 1000) + `]}`
	r := http.MaxBytesReader(httptest.NewRecorder(), nopCloser(strings.NewReader(body)), 100)
	_, err := DecodeBatch(r, "K1")
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		t.Fatalf("err %v, want *http.MaxBytesError", err)
	}
}

func TestValidateEvent(t *testing.T) {
	base := func() Event {
		var e Event
		if err := json.Unmarshal([]byte(goodEvent), &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, tc := range []struct {
		name   string
		mod    func(*Event)
		reason string
	}{
		{"ok", func(*Event) {}, ""},
		{"sighting without nip", func(e *Event) { e.Kind, e.NIP = KindSighting, "" }, ""},
		{"manual without nip", func(e *Event) { e.Kind, e.NIP = KindManual, "" }, "bad_nip"},
		{"id too long", func(e *Event) { e.ID = strings.Repeat("A", 65) }, "bad_id"},
		{"kind", func(e *Event) { e.Kind = "IN" }, "bad_kind"},
		{"device", func(e *Event) { e.Device = "K2" }, "device_mismatch"},
		{"seq", func(e *Event) { e.Seq = 0 }, "bad_seq"},
		{"hash", func(e *Event) { e.Hash = Hash{} }, "missing_hash"},
		{"zone", func(e *Event) { e.Zone = "Local" }, "bad_zone"},
		{"note", func(e *Event) { e.Note = strings.Repeat("x", 1025) }, "bad_text"},
		{"utf8", func(e *Event) { e.Operator = "\xff" }, "bad_text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base()
			tc.mod(&e)
			if got, msg := validateEvent(&e, "K1"); got != tc.reason {
				t.Errorf("reason %q (%s), want %q", got, msg, tc.reason)
			}
		})
	}
}

func TestValidateNIP(t *testing.T) {
	for nip, ok := range map[string]bool{
		"198503152010011002": true,
		"198503152010012999": true,
		"19850315201001100":  false, // 17
		"19850315201001100x": false,
		"198502302010011002": false, // Feb 30
		"198503151985021002": false, // appointed before birth
		"198503152010131002": false, // month 13
		"198503152010013002": false, // gender 3
		"198503152010011000": false, // serial 000
	} {
		if err := ValidateNIP(nip); (err == nil) != ok {
			t.Errorf("ValidateNIP(%s) = %v, want ok=%v", nip, err, ok)
		}
	}
}

// FuzzDecodeBatch: any body either fails as a whole with a 4xx-class error
// or yields one item per event, each accepted with a valid id and kind or
// rejected with a reason; it never panics.
func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{
		`{"events":[` + goodEvent + `]}`,
		`{"events":[` + goodEvent + `,{"id":"A"}]}`,
		`{"events":[]}`, `{"events":null}`, `[]`, ``, `{`, `{"events":[1,"x",null,{}]}`,
		`{"events":[{"id":"01JB8Z6X9Q6M4T3V2W1Y0Z9A8B","kind":"sighting","time":"2026-01-01T00:00:00Z","device":"K1","seq":1,"hash":"` + strings.Repeat("a", 64) + `"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := DecodeBatch(bytes.NewReader(body), "K1")
		if err != nil {
			if !errors.Is(err, ErrBadBatch) && !errors.Is(err, ErrBatchTooLarge) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if len(items) == 0 || len(items) > api.MaxBatchEvents {
			t.Fatalf("%d items without an error", len(items))
		}
		for _, it := range items {
			if it.Reason != "" {
				if it.Message == "" {
					t.Fatalf("rejection %q without a message", it.Reason)
				}
				continue
			}
			e := it.Event
			if !validID(e.ID) || e.Device != "K1" || e.Seq == 0 || e.Time.IsZero() || e.Hash.IsZero() {
				t.Fatalf("accepted an invalid event %+v", e)
			}
			if e.Kind != KindSighting && ValidateNIP(e.NIP) != nil {
				t.Fatalf("accepted a bad NIP %q", e.NIP)
			}
		}
	})
}
