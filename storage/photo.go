package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// photoAgeKey orders photos by when they were stored, so retention reads
// only the expired prefix: 8-byte big-endian Unix nanoseconds then the ID.
func photoAgeKey(at time.Time, id string) []byte {
	return append(seqKey(uint64(at.UnixNano())), id...)
}

// photo_age values: NIP (may be empty) so erasure finds a person's photos.

func (s *Store) putPhoto(tx *bolt.Tx, id, nip string, jpeg []byte, now time.Time) error {
	b := tx.Bucket(bktPhotos)
	if b.Get([]byte(id)) != nil {
		return fmt.Errorf("%w: photo %s", ErrDuplicate, id)
	}
	// Stored time first so retention can tell age without decrypting.
	w := enc{b: make([]byte, 0, 8+12+len(jpeg)+16)}
	w.i64(now.UnixNano())
	v := s.seal.seal(w.b, jpeg, recordAD(bktPhotos, []byte(id)))
	if err := b.Put([]byte(id), v); err != nil {
		return err
	}
	return tx.Bucket(bktPhotoAge).Put(photoAgeKey(now, id), []byte(nip))
}

// Photo returns the decrypted evidence JPEG of an event (the event's
// PhotoID). ErrNotFound once retention or erasure removed it.
func (s *Store) Photo(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktPhotos).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("%w: photo %s", ErrNotFound, id)
		}
		if len(v) < 8 {
			return fmt.Errorf("%w: %s: photo %s truncated", ErrCorrupt, s.path, id)
		}
		p, err := s.seal.open(nil, v[8:], recordAD(bktPhotos, []byte(id)))
		if err != nil {
			return fmt.Errorf("%w: %s: photo %s: %v", ErrCorrupt, s.path, id, err)
		}
		out = p
		return nil
	})
	return out, err
}

// deletePhoto removes a photo and its age index entry; a missing photo is
// not an error (already purged).
func deletePhoto(tx *bolt.Tx, id string) error {
	b := tx.Bucket(bktPhotos)
	v := b.Get([]byte(id))
	if v == nil {
		return nil
	}
	if len(v) >= 8 {
		d := dec{b: v[:8]}
		if err := tx.Bucket(bktPhotoAge).Delete(photoAgeKey(nanosTime(d.i64()), id)); err != nil {
			return err
		}
	}
	return b.Delete([]byte(id))
}
