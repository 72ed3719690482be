package sqlite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/sqlite"
	"github.com/hadir-id/hadir/server/storetest"
)

// TestDocumentEncryptedAtRest: an exception's attachment is not in the
// database file in clear, and comes back intact.
func TestDocumentEncryptedAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hadir.db")
	key := storetest.NewKey(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, key.Cipher())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutEmployee(ctx, server.Employee{NIP: storetest.NIP(1), Name: "A", Unit: "U", Status: "active"}, nil, server.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := append(storetest.TestPDF(), []byte("SURAT-KETERANGAN-DOKTER-RAHASIA")...)
	d := attendance.Date{Year: 2026, Month: 10, Day: 5}
	x := server.ExceptionRecord{ID: "X1", NIP: storetest.NIP(1), Unit: "U", Type: "S", From: d, To: d, Reason: "sakit", CreatedBy: "op", CreatedAt: time.Now()}
	if _, err := st.CreateException(ctx, x, &server.Document{Name: "surat.pdf", Type: "application/pdf", Data: doc}, server.AuditEntry{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	got, err := st.ExceptionDocument(ctx, "X1")
	if err != nil || !bytes.Equal(got.Data, doc) {
		t.Fatalf("document back: %v", err)
	}
	st.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("SURAT-KETERANGAN-DOKTER-RAHASIA")) {
		t.Fatal("the document is stored in clear")
	}
	if !bytes.Contains(raw, []byte("surat.pdf")) {
		t.Fatal("test is broken: the document's name is not in the file")
	}
}
