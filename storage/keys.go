package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of the AES-256 key in bytes.
const KeySize = 32

// EnvKey names the environment variable OptionsFromEnv reads the key from
// (64 hex characters), for kiosks whose key lives in a secret store.
const EnvKey = "HADIR_KEY"

// EnvKeyFile names the environment variable OptionsFromEnv reads the key
// file path from.
const EnvKeyFile = "HADIR_KEY_FILE"

// ParseKey decodes a key written as 64 hex characters (surrounding
// whitespace ignored), the format of the key file and of HADIR_KEY.
func ParseKey(text string) ([]byte, error) {
	k, err := hex.DecodeString(strings.TrimSpace(text))
	if err != nil || len(k) != KeySize {
		return nil, fmt.Errorf("%w: key must be %d hex characters", ErrInvalid, 2*KeySize)
	}
	return k, nil
}

// loadKey returns the key from opts.Key or the key file. A missing key
// file is created (0600, random key) only when mayCreate is set, that is
// for a new store: for an existing store a fresh key would be the wrong
// one, so it reports ErrNoKey instead.
func loadKey(opts Options, mayCreate bool) ([]byte, error) {
	if opts.Key != nil {
		if len(opts.Key) != KeySize {
			return nil, fmt.Errorf("%w: key is %d bytes, want %d", ErrInvalid, len(opts.Key), KeySize)
		}
		return append([]byte(nil), opts.Key...), nil
	}
	data, err := os.ReadFile(opts.KeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		if !mayCreate {
			return nil, fmt.Errorf("%w: key file %s does not exist but the store does; restore the key file (or set %s)", ErrNoKey, opts.KeyFile, EnvKey)
		}
		return createKeyFile(opts.KeyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", opts.KeyFile, err)
	}
	info, err := os.Stat(opts.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("stat key file %s: %w", opts.KeyFile, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: key file %s is accessible by other users (mode %o); run chmod 600 on it", ErrInvalid, opts.KeyFile, info.Mode().Perm())
	}
	k, err := ParseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", opts.KeyFile, err)
	}
	return k, nil
}

// createKeyFile writes a new random key with mode 0600, durably (file and
// directory fsynced), refusing to overwrite an existing file.
func createKeyFile(path string) ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key directory for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	_, werr := f.WriteString(hex.EncodeToString(k) + "\n")
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = syncDir(filepath.Dir(path))
	}
	if werr != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("write key file %s: %w", path, werr)
	}
	return k, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// keyCheck derives the value stored in the file to recognise the right
// key without storing the key or any plaintext: HMAC-SHA256(key, label).
func keyCheck(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("hadir store key check v1"))
	return m.Sum(nil)
}

// sealer encrypts record payloads with AES-256-GCM. The record's bucket
// and key are the additional data, so a ciphertext copied onto another
// record fails authentication.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("aes-gcm: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal appends nonce||ciphertext of plain to dst.
func (s *sealer) seal(dst, plain, ad []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("storage: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	dst = append(dst, nonce...)
	return s.aead.Seal(dst, nonce, plain, ad)
}

// open decrypts nonce||ciphertext into dst.
func (s *sealer) open(dst, sealed, ad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	out, err := s.aead.Open(dst, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, errors.New("authentication failed")
	}
	return out, nil
}

// recordAD is the additional data binding a ciphertext to its place.
func recordAD(bucket []byte, key []byte) []byte {
	ad := make([]byte, 0, len(bucket)+1+len(key))
	ad = append(ad, bucket...)
	ad = append(ad, 0)
	return append(ad, key...)
}
