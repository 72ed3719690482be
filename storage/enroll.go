package storage

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bktEnrollPhotos holds each employee's enrollment photo (the face shown
// on the result card), sealed with the store key and keyed by NIP.
// Erasing the employee deletes it with everything else biometric.
var bktEnrollPhotos = []byte("enroll_photos")

// MaxEnrollPhoto bounds an enrollment photo (a small JPEG face crop).
const MaxEnrollPhoto = 256 << 10

// Enrollment is everything enrolling one person writes.
type Enrollment struct {
	// Employee is created, or an existing one's name and unit updated
	// (status and version kept).
	Employee Employee
	// Templates are added to the person's templates, or replace them
	// when Replace is set (a re-enrollment after the old ones stopped
	// matching). At least one.
	Templates []Template
	Replace   bool
	// Photo is the enrollment photo (JPEG); nil keeps the current one.
	Photo []byte
	// PIN is the fallback PIN (ValidateEmployeePIN); "" keeps the
	// current one.
	PIN string
}

// Enroll writes an enrollment in one transaction: the store then holds
// either all of it (employee, templates, photo, PIN, audit entries) or,
// after a failure or a crash at any point, none of it. The PIN is hashed
// before the transaction starts. It returns the stored employee and
// templates (IDs assigned).
func (s *Store) Enroll(ctx context.Context, en Enrollment) (Employee, []Template, error) {
	if err := ctx.Err(); err != nil {
		return Employee{}, nil, err
	}
	emp, err := cleanEmployee(en.Employee)
	if err != nil {
		return Employee{}, nil, err
	}
	nip := emp.NIP
	if len(en.Templates) == 0 {
		return Employee{}, nil, fmt.Errorf("%w: enroll %s: no templates", ErrInvalid, nip)
	}
	if len(en.Photo) > MaxEnrollPhoto {
		return Employee{}, nil, fmt.Errorf("%w: enroll %s: photo of %d bytes, limit %d", ErrInvalid, nip, len(en.Photo), MaxEnrollPhoto)
	}
	var pin []byte
	if en.PIN != "" {
		if pin, err = s.hashEmployeePIN(nip, en.PIN); err != nil {
			return Employee{}, nil, err
		}
	}
	var (
		saved Employee
		tpls  []Template
	)
	err = s.update(func(tx *bolt.Tx) error {
		cur, err := s.getEmployee(tx, nip)
		switch {
		case errors.Is(err, ErrNotFound):
			emp.Version = 0
			saved, err = s.putEmployee(ctx, tx, emp)
		case err != nil:
		case cur.Name == emp.Name && cur.Unit == emp.Unit:
			saved = cur
		default:
			cur.Name, cur.Unit = emp.Name, emp.Unit
			saved, err = s.putEmployee(ctx, tx, cur)
		}
		if err != nil {
			return err
		}
		switch had := hasTemplates(tx, nip); {
		case en.Replace && had:
			tpls, err = s.replaceTemplates(ctx, tx, nip, en.Templates)
		case had:
			tpls, err = s.putTemplates(ctx, tx, nip, en.Templates, ActionReEnroll, "")
		default:
			tpls, err = s.putTemplates(ctx, tx, nip, en.Templates, ActionEnroll, "")
		}
		if err != nil {
			return err
		}
		if len(en.Photo) > 0 {
			key := []byte(nip)
			if err := tx.Bucket(bktEnrollPhotos).Put(key, s.seal.seal(nil, en.Photo, recordAD(bktEnrollPhotos, key))); err != nil {
				return err
			}
		}
		if pin != nil {
			return s.putEmployeePIN(ctx, tx, nip, pin)
		}
		return nil
	})
	if err != nil {
		return Employee{}, nil, fmt.Errorf("enroll %s: %w", nip, err)
	}
	return saved, tpls, nil
}

// EnrollPhoto returns nip's enrollment photo (ErrNotFound when none).
func (s *Store) EnrollPhoto(ctx context.Context, nip string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		key := []byte(nip)
		v := tx.Bucket(bktEnrollPhotos).Get(key)
		if v == nil {
			return fmt.Errorf("%w: enrollment photo of %s", ErrNotFound, nip)
		}
		p, err := s.seal.open(nil, v, recordAD(bktEnrollPhotos, key))
		if err != nil {
			return fmt.Errorf("%w: %s: enrollment photo of %s: %v", ErrCorrupt, s.path, nip, err)
		}
		out = p
		return nil
	})
	return out, err
}

// legacyPhotoPrefix is where schema 2 kept enrollment photos: in the
// secrets bucket, which erasure did not reach.
const legacyPhotoPrefix = "enroll-photo/"

// migrateEnrollPhotos (schema 2 -> 3) moves enrollment photos from the
// secrets bucket into their own bucket, re-sealed for it, in the
// caller's transaction. A photo of an employee no longer in the store
// (erased by sync while the photo stayed behind) is deleted instead.
func (s *Store) migrateEnrollPhotos(tx *bolt.Tx) error {
	sb := tx.Bucket(bktSecrets)
	if sb == nil {
		return nil
	}
	pb, err := tx.CreateBucketIfNotExists(bktEnrollPhotos)
	if err != nil {
		return err
	}
	var keys [][]byte
	c := sb.Cursor()
	for k, _ := c.Seek([]byte(legacyPhotoPrefix)); k != nil && hasPrefix(k, []byte(legacyPhotoPrefix)); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		nip := k[len(legacyPhotoPrefix):]
		if tx.Bucket(bktEmployees).Get(nip) != nil {
			plain, err := s.seal.open(nil, sb.Get(k), recordAD(bktSecrets, k))
			if err != nil {
				return fmt.Errorf("%w: %s: secret %q: %v", ErrCorrupt, s.path, k, err)
			}
			if err := pb.Put(nip, s.seal.seal(nil, plain, recordAD(bktEnrollPhotos, nip))); err != nil {
				return err
			}
		}
		if err := sb.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
