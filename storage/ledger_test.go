package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rawUpdate edits a closed store's file directly, as an attacker with
// file access (or a buggy tool) would.
func rawUpdate(t *testing.T, dir string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(dbPath(dir), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyLedgerFindsFirstBrokenLink(t *testing.T) {
	type tamper func(t *testing.T, tx *bolt.Tx, ids []string) error
	rewrite := func(id string, f func(*Event)) tamper {
		return func(t *testing.T, tx *bolt.Tx, ids []string) error {
			b := tx.Bucket(bktEvents)
			e, err := decodeEvent(b.Get([]byte(id)))
			if err != nil {
				return err
			}
			f(&e)
			return b.Put([]byte(id), encodeEvent(&e))
		}
	}
	cases := []struct {
		name    string
		tamper  func(ids []string) tamper
		wantSeq uint64
		want    string
	}{
		{"altered time", func(ids []string) tamper {
			return rewrite(ids[2], func(e *Event) { e.Time = e.Time.Add(-30 * time.Minute) })
		}, 3, "does not match its hash"},
		{"altered NIP with recomputed hash", func(ids []string) tamper {
			return func(t *testing.T, tx *bolt.Tx, _ []string) error {
				if err := rewrite(ids[1], func(e *Event) { e.NIP = validNIP(4999); e.Hash = EventHash(e) })(t, tx, ids); err != nil {
					return err
				}
				e, _ := decodeEvent(tx.Bucket(bktEvents).Get([]byte(ids[1])))
				l, _ := decodeLedger(tx.Bucket(bktLedger).Get(seqKey(2)))
				l.Hash = e.Hash
				return tx.Bucket(bktLedger).Put(seqKey(2), l.encode())
			}
		}, 3, "previous hash"},
		{"event removed from the middle", func(ids []string) tamper {
			return func(t *testing.T, tx *bolt.Tx, _ []string) error {
				tx.Bucket(bktEvents).Delete([]byte(ids[3]))
				tx.Bucket(bktOutbox).Delete(seqKey(4))
				return tx.Bucket(bktLedger).Delete(seqKey(4))
			}
		}, 5, "previous hash"},
		{"event body deleted", func(ids []string) tamper {
			return func(t *testing.T, tx *bolt.Tx, _ []string) error {
				tx.Bucket(bktOutbox).Delete(seqKey(2))
				return tx.Bucket(bktEvents).Delete([]byte(ids[1]))
			}
		}, 2, "body missing"},
		{"last event removed", func(ids []string) tamper {
			return func(t *testing.T, tx *bolt.Tx, _ []string) error {
				tx.Bucket(bktEvents).Delete([]byte(ids[5]))
				tx.Bucket(bktOutbox).Delete(seqKey(6))
				return tx.Bucket(bktLedger).Delete(seqKey(6))
			}
		}, 0, "chain head"},
		{"two events swapped", func(ids []string) tamper {
			return func(t *testing.T, tx *bolt.Tx, _ []string) error {
				l := tx.Bucket(bktLedger)
				a := append([]byte(nil), l.Get(seqKey(2))...)
				b := append([]byte(nil), l.Get(seqKey(3))...)
				l.Put(seqKey(2), b)
				return l.Put(seqKey(3), a)
			}
		}, 2, "previous hash"},
		{"forged event outside the ledger", func(ids []string) tamper {
			return func(t *testing.T, tx *bolt.Tx, _ []string) error {
				e, _ := decodeEvent(tx.Bucket(bktEvents).Get([]byte(ids[0])))
				e.ID = "FORGED"
				return tx.Bucket(bktEvents).Put([]byte("FORGED"), encodeEvent(&e))
			}
		}, 0, "outside the ledger"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, c, dir := openTest(t)
			ctx := context.Background()
			ids := recordEvents(t, s, c, 6)
			if _, err := s.VerifyLedger(ctx); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			s.Close()
			rawUpdate(t, dir, func(tx *bolt.Tx) error { return tc.tamper(ids)(t, tx, ids) })

			for _, verify := range []func() (LedgerReport, error){
				func() (LedgerReport, error) {
					s, err := Open(dir, testOptions(c))
					if err != nil {
						t.Fatal(err)
					}
					defer s.Close()
					return s.VerifyLedger(ctx)
				},
				func() (LedgerReport, error) { return VerifyLedgerDir(ctx, dir, time.Second) },
			} {
				rep, err := verify()
				if !errors.Is(err, ErrLedgerBroken) || rep.Broken == nil {
					t.Fatalf("VerifyLedger = %+v, %v; want ErrLedgerBroken", rep, err)
				}
				if rep.Broken.Seq != tc.wantSeq || !strings.Contains(rep.Broken.Reason, tc.want) {
					t.Fatalf("broken link %+v, want seq %d and %q", rep.Broken, tc.wantSeq, tc.want)
				}
			}
		})
	}
}
