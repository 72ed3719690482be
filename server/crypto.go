package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// KeyLen is the length of the server key (AES-256).
const KeyLen = 32

// Key is the server's secret: it encrypts templates and photos at rest and
// derives the JWT signing key. Every process serving one database must use
// the same key. Its String never prints the key.
type Key struct{ b [KeyLen]byte }

// String hides the key.
func (k *Key) String() string { return "Key{redacted}" }

// GoString hides the key from %#v.
func (k *Key) GoString() string { return k.String() }

// ParseKey reads 64 hex characters (HADIR_SERVER_KEY).
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2*KeyLen {
		return nil, fmt.Errorf("server key must be %d hex characters, got %d", 2*KeyLen, len(s))
	}
	var k Key
	if _, err := hex.Decode(k.b[:], []byte(s)); err != nil {
		return nil, errors.New("server key is not hex") // never echo the key
	}
	return &k, nil
}

// ErrKeyFileMode: the key file may be read by others than its owner.
var ErrKeyFileMode = errors.New("server key file is readable by others")

// LoadOrCreateKeyFile reads the key file, or creates it (0600, 64 hex
// characters, fsynced with its directory, so a power cut cannot leave a
// database encrypted under a key that was never on disk) when missing, so
// a first start needs no set-up. A key file others may read is refused
// (ErrKeyFileMode): whoever reads it can decrypt every face and forge
// every access token.
func LoadOrCreateKeyFile(path string) (*Key, bool, error) {
	f, err := os.Open(path)
	if err == nil {
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, false, fmt.Errorf("key file %s: %w", path, err)
		}
		if mode := st.Mode().Perm(); mode&0o077 != 0 {
			return nil, false, fmt.Errorf("%w: %s has mode %04o; run chmod 600 %s (and check who may have copied it)", ErrKeyFileMode, path, mode, path)
		}
		b, err := io.ReadAll(io.LimitReader(f, 1024))
		if err != nil {
			return nil, false, fmt.Errorf("read key file %s: %w", path, err)
		}
		k, err := ParseKey(string(b))
		if err != nil {
			return nil, false, fmt.Errorf("key file %s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read key file: %w", err)
	}
	var k Key
	if _, err := rand.Read(k.b[:]); err != nil {
		return nil, false, fmt.Errorf("generate server key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create key directory: %w", err)
	}
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create key file %s: %w", path, err)
	}
	_, werr := f.WriteString(hex.EncodeToString(k.b[:]) + "\n")
	serr := f.Sync()
	if err := errors.Join(werr, serr, f.Close()); err != nil {
		os.Remove(path) // a partial key must not be found by the next start
		return nil, false, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return nil, false, fmt.Errorf("write key file %s: %w", path, err)
	}
	return &k, true, nil
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// derive returns a purpose-specific subkey, so the JWT secret, the
// encryption key and the key fingerprint are independent.
func (k *Key) derive(purpose string) []byte {
	m := hmac.New(sha256.New, k.b[:])
	m.Write([]byte("hadir-server/" + purpose))
	return m.Sum(nil)
}

// Fingerprint identifies the key without revealing it (Store.CheckKey).
func (k *Key) Fingerprint() []byte { return k.derive("fingerprint") }

// Cipher returns the AES-256-GCM sealer for data at rest.
func (k *Key) Cipher() *Cipher {
	block, err := aes.NewCipher(k.derive("data-at-rest"))
	if err != nil {
		panic("server: aes: " + err.Error()) // 32-byte key: cannot fail
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic("server: gcm: " + err.Error())
	}
	return &Cipher{aead: gcm}
}

// Cipher encrypts templates and photos (AES-256-GCM, random nonce). The
// additional data binds a ciphertext to its row, so a descriptor copied to
// another employee's row does not decrypt.
type Cipher struct{ aead cipher.AEAD }

// Seal encrypts plain bound to ad: nonce || ciphertext || tag.
func (c *Cipher) Seal(plain, ad []byte) []byte {
	out := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		panic("server: crypto/rand failed: " + err.Error())
	}
	return c.aead.Seal(out, out, plain, ad)
}

// Open decrypts what Seal produced with the same ad.
func (c *Cipher) Open(sealed, ad []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n+c.aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	plain, err := c.aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w (wrong key or tampered row)", err)
	}
	return plain, nil
}

// NewToken returns 32 random bytes base64url-encoded: device tokens,
// refresh tokens and enrollment codes.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("server: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewCode returns a one-time enrollment code short enough to type on a
// kiosk: 16 characters from an unambiguous alphabet in groups of four
// (80 bits).
func NewCode() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("server: crypto/rand failed: " + err.Error())
	}
	var sb strings.Builder
	for i, v := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(v)%len(alphabet)])
	}
	return sb.String()
}

// HashSecret is the SHA-256 under which tokens and codes are stored. Codes
// are normalised (case, dashes, spaces) so a code typed by hand matches.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// NormalizeCode upper-cases a typed enrollment code and drops separators.
func NormalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}
