package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// EraseReport counts what EraseEmployee removed.
type EraseReport struct {
	Templates int `json:"templates"`
	Photos    int `json:"photos"`
}

// EraseEmployee exercises the right to erasure (UU PDP): the employee
// record, all their face templates, their enrollment photo, their
// fallback PIN and all their evidence photos are deleted in one
// transaction, and the erasure is written to the audit
// log. Their attendance events stay (payroll and discipline depend on
// them) but lose their photos. ErrNotFound if the employee is unknown.
func (s *Store) EraseEmployee(ctx context.Context, nip string) (EraseReport, error) {
	var rep EraseReport
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		rep = EraseReport{}
		if _, err := s.getEmployee(tx, nip); err != nil {
			return err
		}
		if err := tx.Bucket(bktEmployees).Delete([]byte(nip)); err != nil {
			return err
		}
		if b := tx.Bucket(bktPINs); b != nil {
			if err := b.Delete([]byte(nip)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bktEnrollPhotos).Delete([]byte(nip)); err != nil {
			return err
		}
		n, err := deleteTemplates(tx, nip)
		if err != nil {
			return err
		}
		rep.Templates = n
		var photos []string
		err = tx.Bucket(bktPhotoAge).ForEach(func(k, v []byte) error {
			if string(v) == nip && len(k) > 8 {
				photos = append(photos, string(k[8:]))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range photos {
			if err := deletePhoto(tx, id); err != nil {
				return err
			}
		}
		rep.Photos = len(photos)
		return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionErase, Subject: nip,
			Detail: fmt.Sprintf("employee, %d templates, %d photos deleted", rep.Templates, rep.Photos)})
	})
	return rep, err
}
