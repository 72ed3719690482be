package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout this code writes. History:
//
//	1: the foundation prototype: buckets meta, employees (JSON without
//	   version), templates (plaintext descriptors).
//	2: encrypted templates, versioned employees, events with hash chain,
//	   outbox, photos, settings, operators, audit log, key check value.
//	3: enrollment photos in their own bucket (enroll_photos), which
//	   erasure clears, instead of the secrets bucket.
//	4: templates may be adapted (AdaptTemplate: format byte 2, same
//	   layout). Nothing is rewritten; the number only makes an older
//	   hadir refuse the file by its schema (ErrNewerSchema) instead of
//	   calling its adapted templates corrupt.
const schemaVersion = 4

var (
	bktMeta      = []byte("meta")
	bktEmployees = []byte("employees")
	bktTemplates = []byte("templates")
	bktEvents    = []byte("events")
	bktLedger    = []byte("ledger")
	bktChain     = []byte("chain")
	bktOutbox    = []byte("outbox")
	bktPhotos    = []byte("photos")
	bktPhotoAge  = []byte("photo_age")
	bktSettings  = []byte("settings")
	bktOperators = []byte("operators")
	bktAudit     = []byte("audit")

	allBuckets = [][]byte{bktMeta, bktEmployees, bktTemplates, bktEvents, bktLedger, bktChain,
		bktOutbox, bktPhotos, bktPhotoAge, bktSettings, bktOperators, bktAudit, bktEnrollPhotos}

	keySchema   = []byte("schema")
	keyKeyCheck = []byte("keycheck")
	keyDevice   = []byte("device")
	keyCreated  = []byte("created")
	// keyOutboxLen counts the outbox (8 bytes, big-endian), kept in the
	// transaction that adds or removes an entry: the status line asks
	// every few seconds, and counting a long offline backlog would read
	// (and keep resident) all of its pages each time.
	keyOutboxLen = []byte("outbox_len")
	// keyCompact marks a file whose free pages may still hold plaintext
	// biometric data (left by the schema-1 migration): Open rewrites the
	// file compactly and clears the mark.
	keyCompact = []byte("compact_pending")
)

func u32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}

// prepare runs after the read-write open: it creates a new store's
// buckets, migrates an older schema, or re-checks the key of a current
// one, each in at most one transaction.
func (s *Store) prepare(key []byte) error {
	check := keyCheck(key)
	var (
		schema uint32
		stored []byte
		device string
	)
	err := s.view(func(tx *bolt.Tx) error {
		m := tx.Bucket(bktMeta)
		if m == nil {
			return nil
		}
		if v := m.Get(keySchema); len(v) == 4 {
			schema = binary.BigEndian.Uint32(v)
		}
		stored = append([]byte(nil), m.Get(keyKeyCheck)...)
		device = string(m.Get(keyDevice))
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case schema > schemaVersion:
		return fmt.Errorf("%w: %s has schema version %d, this hadir understands up to %d", ErrNewerSchema, s.path, schema, schemaVersion)
	case len(stored) > 0 && !equalCheck(stored, check):
		return fmt.Errorf("%w: %s was created with a different key than %s", ErrWrongKey, s.path, keySource(s.opts))
	case schema == schemaVersion:
	default:
		err = s.update(func(tx *bolt.Tx) error {
			if schema == 1 {
				if err := s.migrateV1(tx); err != nil {
					return err
				}
				if err := tx.Bucket(bktMeta).Put(keyCompact, []byte{1}); err != nil {
					return err
				}
			}
			for _, b := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return fmt.Errorf("create bucket %s: %w", b, err)
				}
			}
			if schema == 2 {
				if err := s.migrateEnrollPhotos(tx); err != nil {
					return fmt.Errorf("move enrollment photos: %w", err)
				}
			}
			m := tx.Bucket(bktMeta)
			if device == "" {
				device = NewID(s.opts.Now())
				if err := m.Put(keyDevice, []byte(device)); err != nil {
					return err
				}
			}
			if m.Get(keyCreated) == nil {
				if err := m.Put(keyCreated, []byte(s.opts.Now().UTC().Format(time.RFC3339))); err != nil {
					return err
				}
			}
			if err := m.Put(keyKeyCheck, check); err != nil {
				return err
			}
			if schema != 0 {
				if err := s.appendAudit(tx, Audit{Action: ActionMigrate, Detail: fmt.Sprintf("schema %d -> %d", schema, schemaVersion)}); err != nil {
					return err
				}
			}
			return m.Put(keySchema, u32(schemaVersion))
		})
		if err != nil {
			return fmt.Errorf("initialise %s: %w", s.path, err)
		}
	}
	err = s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bktMeta).Get(keyCompact) != nil {
			s.compactPending = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.countOutbox(); err != nil {
		return fmt.Errorf("count the outbox of %s: %w", s.path, err)
	}
	s.device = device
	if s.opts.DeviceID != "" {
		s.device = s.opts.DeviceID
	}
	return nil
}

// v1Employee is the employee record of schema 1.
type v1Employee struct {
	NIP     string    `json:"nip"`
	Name    string    `json:"name"`
	Unit    string    `json:"unit"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created"`
}

// migrateV1 rewrites schema-1 records: employees gain a version and a
// status, plaintext descriptors (8-byte big-endian Unix seconds then 128
// little-endian float32) are encrypted. It runs inside the caller's
// transaction, so a crash leaves the file at schema 1.
func (s *Store) migrateV1(tx *bolt.Tx) error {
	if eb := tx.Bucket(bktEmployees); eb != nil {
		type kv struct{ k, v []byte }
		var rows []kv
		err := eb.ForEach(func(k, v []byte) error {
			var old v1Employee
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("%w: %s: schema-1 employee %q: %v", ErrCorrupt, s.path, k, err)
			}
			e := Employee{NIP: old.NIP, Name: old.Name, Unit: old.Unit, Status: StatusActive,
				Version: 1, CreatedAt: old.Created, UpdatedAt: old.Created}
			if !old.Active {
				e.Status = StatusInactive
			}
			nv, err := json.Marshal(e)
			if err != nil {
				return err
			}
			rows = append(rows, kv{append([]byte(nil), k...), nv})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := eb.Put(r.k, r.v); err != nil {
				return err
			}
		}
	}
	if tb := tx.Bucket(bktTemplates); tb != nil {
		type kv struct{ k, v []byte }
		var rows []kv
		err := tb.ForEach(func(k, v []byte) error {
			if len(v) != 8+512 {
				return fmt.Errorf("%w: %s: schema-1 template %q has %d bytes", ErrCorrupt, s.path, k, len(v))
			}
			var t Template
			t.TakenAt = time.Unix(int64(binary.BigEndian.Uint64(v[:8])), 0).UTC()
			for i := range t.Descriptor {
				t.Descriptor[i] = float32frombits(binary.LittleEndian.Uint32(v[8+4*i:]))
			}
			rows = append(rows, kv{append([]byte(nil), k...), s.encodeTemplate(k, t)})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := tb.Put(r.k, r.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// compact rewrites the file into a fresh one (bbolt.Compact) so that
// pages freed by the schema-1 migration, which held plaintext
// descriptors, are not carried along, then renames it over the old file
// and reopens it. A crash at any point leaves either the old file (still
// marked, compacted again at the next Open) or the new one.
func (s *Store) compact() error {
	tmp := s.path + ".compact"
	_ = os.Remove(tmp) // a leftover of an interrupted compaction
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: s.opts.Timeout})
	if err != nil {
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	err = bolt.Compact(dst, s.db, 16<<20)
	if err == nil {
		err = dst.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktMeta).Delete(keyCompact) })
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("compact %s: %w", s.path, s.classify(err))
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	s.db, err = openRW(s.path, s.opts)
	s.compactPending = false
	return err
}
