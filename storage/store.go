package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DBFile is the name of the database file inside the data directory.
const DBFile = "hadir.db"

// KeyFileName is the default key file name inside the data directory.
const KeyFileName = "hadir.key"

// Options tunes a Store. Start from DefaultOptions (or OptionsFromEnv) and
// change fields; zero fields fall back to the defaults.
type Options struct {
	// KeyFile is the AES-256 key file (64 hex characters). Empty means
	// <dir>/hadir.key. It is created with mode 0600 and a random key when
	// a new store is created; it is never created for an existing store.
	// A key file readable by group or others is refused.
	KeyFile string
	// Key, when set (32 bytes), is used instead of the key file, e.g. a
	// key supplied by the environment (see OptionsFromEnv).
	Key []byte
	// Timeout is how long Open waits for another process's file lock
	// before returning ErrLocked. Zero means one second; the kiosk must
	// never hang at start.
	Timeout time.Duration
	// Now is the clock used for record times and retention (default
	// time.Now); tests inject a fake one.
	Now func() time.Time
	// DeviceID names this kiosk in the event hash chain. Empty means the
	// ID generated and stored when the store was created.
	DeviceID string
	// PhotoRetention: evidence photos older than this are purged (30 days).
	PhotoRetention time.Duration
	// EventRetention: synced events older than this are purged (90 days).
	// Unsynced events are never purged.
	EventRetention time.Duration
	// PurgeInterval is how often Run purges (default one hour).
	PurgeInterval time.Duration
	// PurgeBatch caps the records one purge transaction deletes, so the
	// kiosk's event writes never wait long behind it (default 1000).
	PurgeBatch int
	// Argon2 are the operator PIN/password hashing parameters used for
	// new hashes (default: 19 MiB, 2 passes, 1 lane).
	Argon2 Argon2Params
	// MaxSize, when > 0, caps the database file size in bytes; writes
	// beyond it fail with ErrStorageFull. Zero means no cap.
	MaxSize int
	// OperatorMaxFails wrong operator PINs in a row lock the operator
	// login for OperatorLockout (defaults 5 and 5 minutes). The count
	// and the lock are kept in the store, so a restart does not reset
	// them.
	OperatorMaxFails int
	OperatorLockout  time.Duration
}

// Defaults of the operator login lockout.
const (
	DefaultOperatorMaxFails = 5
	DefaultOperatorLockout  = 5 * time.Minute
)

// DefaultOptions returns the production settings. It does not read the
// environment; use OptionsFromEnv for that.
func DefaultOptions() Options {
	return Options{
		Timeout:        time.Second,
		Now:            time.Now,
		PhotoRetention: 30 * 24 * time.Hour,
		EventRetention: 90 * 24 * time.Hour,
		PurgeInterval:  time.Hour,
		PurgeBatch:     1000,
		Argon2:         DefaultArgon2,

		OperatorMaxFails: DefaultOperatorMaxFails,
		OperatorLockout:  DefaultOperatorLockout,
	}
}

// OptionsFromEnv returns DefaultOptions with the key taken from HADIR_KEY
// (64 hex characters) and the key file path from HADIR_KEY_FILE, when set.
// The CLI and the kiosk use it so a key can live outside the data
// directory (e.g. injected by systemd credentials).
func OptionsFromEnv() (Options, error) {
	o := DefaultOptions()
	if v := os.Getenv(EnvKey); v != "" {
		k, err := ParseKey(v)
		if err != nil {
			return o, fmt.Errorf("%s: %w", EnvKey, err)
		}
		o.Key = k
	}
	if v := os.Getenv(EnvKeyFile); v != "" {
		o.KeyFile = v
	}
	return o, nil
}

func (o Options) withDefaults(dir string) Options {
	d := DefaultOptions()
	if o.KeyFile == "" {
		o.KeyFile = filepath.Join(dir, KeyFileName)
	}
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.Now == nil {
		o.Now = d.Now
	}
	if o.PhotoRetention <= 0 {
		o.PhotoRetention = d.PhotoRetention
	}
	if o.EventRetention <= 0 {
		o.EventRetention = d.EventRetention
	}
	if o.PurgeInterval <= 0 {
		o.PurgeInterval = d.PurgeInterval
	}
	if o.PurgeBatch <= 0 {
		o.PurgeBatch = d.PurgeBatch
	}
	if o.OperatorMaxFails <= 0 {
		o.OperatorMaxFails = d.OperatorMaxFails
	}
	if o.OperatorLockout <= 0 {
		o.OperatorLockout = d.OperatorLockout
	}
	if o.Argon2 == (Argon2Params{}) {
		o.Argon2 = d.Argon2
	}
	return o
}

// Store is the kiosk's durable store: one bbolt file, exclusively locked
// by the process that opened it. Its methods are safe for concurrent use.
type Store struct {
	db     *bolt.DB
	seal   *sealer
	opts   Options
	dir    string
	path   string
	device string

	compactPending bool // see compact

	closeOnce sync.Once
	closeErr  error
}

// Path returns the database file path.
func (s *Store) Path() string { return s.path }

// DeviceID returns the ID of this kiosk in the event hash chain.
func (s *Store) DeviceID() string { return s.device }

// Open opens (creating dir and <dir>/hadir.db as needed) the store. It
// checks the file before writing anything: a damaged or truncated file
// gives ErrCorrupt naming it, the wrong key ErrWrongKey, a file from a
// newer Hadir ErrNewerSchema, a store held by another process ErrLocked
// after opts.Timeout; in all these cases the file is left unchanged. An
// older schema is migrated in one transaction.
func Open(dir string, opts Options) (*Store, error) {
	opts = opts.withDefaults(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, DBFile)
	info, err := inspect(path, opts.Timeout)
	if err != nil {
		return nil, err
	}
	if info.schema > schemaVersion {
		return nil, fmt.Errorf("%w: %s has schema version %d, this hadir understands up to %d", ErrNewerSchema, path, info.schema, schemaVersion)
	}
	key, err := loadKey(opts, !info.exists || info.keyCheck == nil)
	if err != nil {
		return nil, err
	}
	if info.keyCheck != nil && !equalCheck(info.keyCheck, keyCheck(key)) {
		return nil, fmt.Errorf("%w: %s was created with a different key than %s", ErrWrongKey, path, keySource(opts))
	}
	seal, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	db, err := openRW(path, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, seal: seal, opts: opts, dir: dir, path: path}
	if err := s.prepare(key); err != nil {
		_ = db.Close()
		return nil, err
	}
	if s.compactPending {
		if err := s.compact(); err != nil {
			if s.db != nil {
				_ = s.db.Close()
			}
			return nil, err
		}
	}
	return s, nil
}

// openRW opens the file read-write; a panic while loading a damaged
// freelist becomes ErrCorrupt.
func openRW(path string, opts Options) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(path, &err)
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, MaxSize: opts.MaxSize, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, openError(path, err)
	}
	return db, nil
}

func keySource(o Options) string {
	if o.Key != nil {
		return "the supplied key"
	}
	return "key file " + o.KeyFile
}

func equalCheck(a, b []byte) bool { return bytes.Equal(a, b) } // not secret: an HMAC tag

// Close releases the file lock. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.db.Close() })
	return s.closeErr
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s (is the kiosk running?)", ErrLocked, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// fileState is what inspect learns about an existing file without writing.
type fileState struct {
	exists   bool
	schema   uint32 // 0 when the file has no meta bucket yet
	keyCheck []byte
}

// inspect validates an existing database file read-only (shared lock,
// O_RDONLY) so that a damaged file is reported before a read-write open
// could touch it: too short for its two meta pages, meta pages invalid,
// or shorter than its own high-water mark (truncated).
func inspect(path string, timeout time.Duration) (st fileState, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("stat %s: %w", path, err)
	}
	if fi.Size() == 0 {
		return st, nil
	}
	st.exists = true
	if err := checkMetaSize(path, fi.Size()); err != nil {
		return st, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(path, &err)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return st, openError(path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if hw := tx.Size(); hw > fi.Size() {
			return fmt.Errorf("%w: %s is truncated: %d bytes, its pages need %d", ErrCorrupt, path, fi.Size(), hw)
		}
		m := tx.Bucket(bktMeta)
		if m == nil {
			// Empty is a store whose first transaction never committed;
			// anything else belongs to another program.
			if k, _ := tx.Cursor().First(); k != nil {
				return fmt.Errorf("%w: %s is a bbolt file but not a hadir store (no meta bucket)", ErrCorrupt, path)
			}
			return nil
		}
		if v := m.Get(keySchema); len(v) == 4 {
			st.schema = binary.BigEndian.Uint32(v)
		} else {
			return fmt.Errorf("%w: %s: schema version missing", ErrCorrupt, path)
		}
		if v := m.Get(keyKeyCheck); v != nil {
			st.keyCheck = append([]byte(nil), v...)
		} else if st.schema >= 2 {
			// Every schema-2 file has one; without it a new key could be
			// generated that cannot decrypt the templates.
			return fmt.Errorf("%w: %s: key check value missing", ErrCorrupt, path)
		}
		return nil
	})
	return st, err
}

// checkMetaSize rejects a file too short to hold bbolt's two meta pages
// (mapping it would fault).
func checkMetaSize(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var hdr [32]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return fmt.Errorf("%w: %s: too short for a database (%d bytes)", ErrCorrupt, path, size)
	}
	pageSize := int64(4096)
	if binary.LittleEndian.Uint32(hdr[16:20]) == 0xED0CDAED {
		if ps := int64(binary.LittleEndian.Uint32(hdr[24:28])); ps >= 512 && ps <= 1<<20 {
			pageSize = ps
		}
	}
	if size < 2*pageSize {
		return fmt.Errorf("%w: %s is truncated: %d bytes, less than two %d-byte meta pages", ErrCorrupt, path, size, pageSize)
	}
	return nil
}
