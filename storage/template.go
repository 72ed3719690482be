package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DescriptorLen is the length of a face descriptor (dlib ResNet).
const DescriptorLen = 128

// TemplateQuality records how good the enrollment frame was, so weak
// templates can be found and replaced later.
type TemplateQuality struct {
	FaceWidth   int     `json:"face_width"` // pixels
	Sharpness   float64 `json:"sharpness"`
	Brightness  float64 `json:"brightness"`
	Yaw         float64 `json:"yaw"`
	EyeOpenness float64 `json:"eye_openness"`
}

// Template is one face descriptor of an employee. The descriptor is
// biometric data (UU PDP): it is encrypted at rest and must never be
// logged.
type Template struct {
	ID         string
	NIP        string
	Descriptor [DescriptorLen]float32
	Quality    TemplateQuality
	TakenAt    time.Time
	// Adapted marks a template the kiosk added from a confident check-in
	// (AdaptTemplate), not from enrollment: bounded per person, replaced
	// oldest first, and dropped by re-enrollment.
	Adapted bool
}

// String hides the descriptor so a template printed by mistake does not
// leak biometric data into a log.
func (t Template) String() string {
	return fmt.Sprintf("Template{ID:%s NIP:%s TakenAt:%s}", t.ID, t.NIP, t.TakenAt.Format(time.RFC3339))
}

// GoString hides the descriptor from %#v as well.
func (t Template) GoString() string { return t.String() }

// templateKey is NIP + "/" + ID, so one employee's templates are a
// contiguous key range.
func templateKey(nip, id string) []byte { return []byte(nip + "/" + id) }

const (
	tplFormat  = 1 // an enrollment template
	tplAdapted = 2 // the same layout, an adapted template (AdaptTemplate)
	tplHdrLen  = 1 + 8 + 4 + 4*8
	tplDescLen = DescriptorLen * 4
)

func float32frombits(b uint32) float32 { return math.Float32frombits(b) }

// encodeTemplate lays out the clear metadata then the sealed descriptor,
// bound by additional data to its bucket and key.
func (s *Store) encodeTemplate(key []byte, t Template) []byte {
	v := make([]byte, tplHdrLen, tplHdrLen+12+tplDescLen+16)
	v[0] = tplFormat
	if t.Adapted {
		v[0] = tplAdapted
	}
	binary.BigEndian.PutUint64(v[1:], uint64(t.TakenAt.UnixNano()))
	binary.BigEndian.PutUint32(v[9:], uint32(int32(t.Quality.FaceWidth)))
	for i, f := range []float64{t.Quality.Sharpness, t.Quality.Brightness, t.Quality.Yaw, t.Quality.EyeOpenness} {
		binary.BigEndian.PutUint64(v[13+8*i:], math.Float64bits(f))
	}
	var plain [tplDescLen]byte
	for i, f := range t.Descriptor {
		binary.LittleEndian.PutUint32(plain[4*i:], math.Float32bits(f))
	}
	v = s.seal.seal(v, plain[:], recordAD(bktTemplates, key))
	clear(plain[:])
	return v
}

// decodeTemplate reverses encodeTemplate; buf is scratch space.
func (s *Store) decodeTemplate(key, v []byte, buf []byte) (Template, []byte, error) {
	var t Template
	if len(v) < tplHdrLen || (v[0] != tplFormat && v[0] != tplAdapted) {
		return t, buf, fmt.Errorf("%w: %s: template %s: bad format", ErrCorrupt, s.path, key)
	}
	plain, err := s.seal.open(buf[:0], v[tplHdrLen:], recordAD(bktTemplates, key))
	if err != nil || len(plain) != tplDescLen {
		return t, buf, fmt.Errorf("%w: %s: template %s: %v", ErrCorrupt, s.path, key, err)
	}
	for i := range t.Descriptor {
		t.Descriptor[i] = math.Float32frombits(binary.LittleEndian.Uint32(plain[4*i:]))
	}
	clear(plain)
	t.TakenAt = time.Unix(0, int64(binary.BigEndian.Uint64(v[1:]))).UTC()
	t.Adapted = v[0] == tplAdapted
	t.Quality.FaceWidth = int(int32(binary.BigEndian.Uint32(v[9:])))
	q := []*float64{&t.Quality.Sharpness, &t.Quality.Brightness, &t.Quality.Yaw, &t.Quality.EyeOpenness}
	for i, p := range q {
		*p = math.Float64frombits(binary.BigEndian.Uint64(v[13+8*i:]))
	}
	if len(key) > 19 && key[18] == '/' {
		t.NIP, t.ID = string(key[:18]), string(key[19:])
	}
	return t, plain, nil
}

// AddTemplates stores templates for an existing employee (ErrNotFound
// otherwise) and returns them with the IDs assigned (a caller-set ID is
// kept if valid and unused). TakenAt defaults to now. The first templates
// of an employee are audited as an enrollment, later ones as re-enrollment.
func (s *Store) AddTemplates(ctx context.Context, nip string, ts []Template) ([]Template, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := ValidateNIP(nip); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%w: no templates for %s", ErrInvalid, nip)
	}
	var out []Template
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := s.getEmployee(tx, nip); err != nil {
			return err
		}
		action := ActionEnroll
		if hasTemplates(tx, nip) {
			action = ActionReEnroll
		}
		var err error
		out, err = s.putTemplates(ctx, tx, nip, ts, action, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// putTemplates validates ts, assigns IDs and writes them with an audit
// entry in tx.
func (s *Store) putTemplates(ctx context.Context, tx *bolt.Tx, nip string, ts []Template, action AuditAction, note string) ([]Template, error) {
	now := s.opts.Now().UTC()
	out := make([]Template, len(ts))
	for i, t := range ts {
		if t.NIP != "" && t.NIP != nip {
			return nil, fmt.Errorf("%w: template %d is for %s, not %s", ErrInvalid, i, t.NIP, nip)
		}
		for _, f := range t.Descriptor {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("%w: template %d for %s has a non-finite descriptor value", ErrInvalid, i, nip)
			}
		}
		if t.ID == "" {
			t.ID = NewID(now)
		} else if !validID(t.ID) {
			return nil, fmt.Errorf("%w: template ID %q", ErrInvalid, t.ID)
		}
		if t.TakenAt.IsZero() {
			t.TakenAt = now
		}
		t.NIP = nip
		t.TakenAt = t.TakenAt.UTC()
		out[i] = t
	}
	// New enrollment templates retire the adapted ones: they were learnt
	// against the old enrollment, which the operator has just judged
	// stale or incomplete (AdaptTemplate).
	dropped := 0
	if slices.ContainsFunc(out, func(t Template) bool { return !t.Adapted }) {
		var err error
		if dropped, err = deleteAdapted(tx, nip); err != nil {
			return nil, err
		}
	}
	b := tx.Bucket(bktTemplates)
	for _, t := range out {
		key := templateKey(nip, t.ID)
		if b.Get(key) != nil {
			return nil, fmt.Errorf("%w: template %s of %s", ErrDuplicate, t.ID, nip)
		}
		if err := b.Put(key, s.encodeTemplate(key, t)); err != nil {
			return nil, err
		}
	}
	detail := fmt.Sprintf("%d templates", len(out))
	if dropped > 0 {
		detail += fmt.Sprintf(", %d adapted dropped", dropped)
	}
	if note != "" {
		detail += ", " + note
	}
	return out, s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: action, Subject: nip, Detail: detail})
}

func hasPrefix(k, p []byte) bool { return len(k) >= len(p) && string(k[:len(p)]) == string(p) }

// ForEachTemplate calls fn with every template, decrypted, in NIP order;
// the kiosk loads its in-memory gallery with it at start. It runs in one
// read transaction (writers are not blocked); fn must not call the
// store's write methods. An error from fn stops the walk and is returned.
func (s *Store) ForEachTemplate(ctx context.Context, fn func(Template) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.view(func(tx *bolt.Tx) error {
		buf := make([]byte, tplDescLen)
		n := 0
		return tx.Bucket(bktTemplates).ForEach(func(k, v []byte) error {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			t, b, err := s.decodeTemplate(k, v, buf)
			buf = b
			if err != nil {
				return err
			}
			return fn(t)
		})
	})
}

// Templates returns one employee's templates (none is not an error).
func (s *Store) Templates(ctx context.Context, nip string) ([]Template, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Template
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = s.templatesIn(tx, nip)
		return err
	})
	return out, err
}

// ReplaceTemplates re-enrolls an employee: all their templates are
// deleted and ts stored instead, in one transaction (audited as
// re-enrollment). Use it when the old templates stopped matching (new
// glasses, hijab worn differently) rather than piling up stale ones.
func (s *Store) ReplaceTemplates(ctx context.Context, nip string, ts []Template) ([]Template, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%w: no templates for %s", ErrInvalid, nip)
	}
	var out []Template
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := s.getEmployee(tx, nip); err != nil {
			return err
		}
		var err error
		out, err = s.replaceTemplates(ctx, tx, nip, ts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// replaceTemplates deletes nip's templates and writes ts in tx.
func (s *Store) replaceTemplates(ctx context.Context, tx *bolt.Tx, nip string, ts []Template) ([]Template, error) {
	n, err := deleteTemplates(tx, nip)
	if err != nil {
		return nil, err
	}
	return s.putTemplates(ctx, tx, nip, ts, ActionReEnroll, fmt.Sprintf("replaced %d templates", n))
}

// deleteTemplates deletes every template of nip in tx and returns how
// many there were.
func deleteTemplates(tx *bolt.Tx, nip string) (int, error) {
	b := tx.Bucket(bktTemplates)
	prefix := []byte(nip + "/")
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// hasTemplates reports whether nip has at least one template.
func hasTemplates(tx *bolt.Tx, nip string) bool {
	prefix := []byte(nip + "/")
	k, _ := tx.Bucket(bktTemplates).Cursor().Seek(prefix)
	return k != nil && hasPrefix(k, prefix)
}
