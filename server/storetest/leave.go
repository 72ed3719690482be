package storetest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/hadir-id/hadir/server"
)

var _ = register("Exceptions", testExceptions)
var _ = register("ExceptionDecisions", testExceptionDecisions)

// TestPDF returns a small well-formed PDF (header, objects, xref table,
// trailer, startxref pointing at the table).
func TestPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
	xref := b.Len()
	b.WriteString("xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\n")
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

// TestPNG returns a small PNG.
func TestPNG(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Exception posts an exception as multipart with an optional document.
func (e *Env) Exception(token string, fields map[string]string, docName string, doc []byte) Resp {
	e.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if docName != "" {
		w, err := mw.CreateFormFile("document", docName)
		if err != nil {
			e.T.Fatal(err)
		}
		w.Write(doc)
	}
	mw.Close()
	return e.DoType("POST", "/api/v1/exceptions", token, mw.FormDataContentType(), body.Bytes())
}

func exc(nip, typ, from, to string) map[string]string {
	return map[string]string{"nip": nip, "type": typ, "from": from, "to": to, "reason": "alasan " + typ}
}

func testExceptions(t *testing.T, b Backend) {
	e := Start(t, b)
	admin := e.As("admin", server.RoleAdmin)
	op := e.As("op", server.RoleOperator, "DINKES")
	other := e.As("op2", server.RoleOperator, "DINSOS")
	rng := Seed(14)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(rng, 1))
	put(t, e, NIP(2), "Budi", "DINKES", Templates(rng, 1))
	put(t, e, NIP(9), "Other", "DINSOS", Templates(rng, 1))
	pdf := TestPDF()

	r := e.Exception(op, exc(NIP(1), "CT", "2026-10-12", "2026-10-14"), "surat.pdf", pdf)
	e.Want(r, 201, "")
	x := r.JSON["exception"].(map[string]any)
	id := x["id"].(string)
	if x["state"] != "pending" || x["created_by"] != "op" || x["unit"] != "DINKES" || x["document_type"] != "application/pdf" || x["document_size"] != float64(len(pdf)) {
		t.Fatalf("created %v", x)
	}
	// The document comes back decrypted, only to the unit's users.
	r = e.Do("GET", "/api/v1/exceptions/"+id+"/document", op, nil)
	if r.Status != 200 || !bytes.Equal(r.Raw, pdf) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("document: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	e.Want(e.Do("GET", "/api/v1/exceptions/"+id+"/document", other, nil), 403, "forbidden")
	e.Want(e.Do("GET", "/api/v1/exceptions/"+id, other, nil), 403, "forbidden")

	// Bad input: a clear 4xx with the reason, nothing written.
	e.Want(e.Do("PUT", "/api/v1/employees/"+NIP(2)+"/service", admin, map[string]any{"from": "2026-10-10"}), 200, "")
	big := append(bytes.Clone(pdf), bytes.Repeat([]byte(" "), 5<<20)...)
	withTime := exc(NIP(1), "IDT", "2026-10-20", "2026-10-21")
	withTime["time"] = "09:00"
	bad := []struct {
		name    string
		token   string
		fields  map[string]string
		doc     string
		data    []byte
		status  int
		code    string
		message string
	}{
		{"overlap", op, exc(NIP(1), "S", "2026-10-14", "2026-10-15"), "", nil, 409, "conflict", id},
		{"range over a year", op, exc(NIP(1), "TB", "2026-01-01", "2027-01-01"), "", nil, 422, "range_too_long", "one year"},
		{"unknown type", op, exc(NIP(1), "XX", "2026-10-20", "2026-10-20"), "", nil, 422, "unknown_type", "XX"},
		{"outside service", op, exc(NIP(2), "CT", "2026-10-05", "2026-10-12"), "", nil, 422, "outside_service", "2026-10-10"},
		{"another unit", other, exc(NIP(1), "CT", "2026-10-20", "2026-10-20"), "", nil, 403, "forbidden", "DINKES"},
		{"no such employee", op, exc(NIP(7), "CT", "2026-10-20", "2026-10-20"), "", nil, 404, "not_found", ""},
		{"to before from", op, exc(NIP(1), "CT", "2026-10-20", "2026-10-19"), "", nil, 400, "bad_request", "before"},
		{"part day without time", op, exc(NIP(1), "IDT", "2026-10-20", "2026-10-20"), "", nil, 400, "bad_request", "time"},
		{"part day over two days", op, withTime, "", nil, 400, "bad_request", "same date"},
		{"PNG named .pdf", op, exc(NIP(1), "S", "2026-10-20", "2026-10-20"), "surat.pdf", TestPNG(t), 415, "document_mismatch", "image/png"},
		{"PDF named .png", op, exc(NIP(1), "S", "2026-10-20", "2026-10-20"), "surat.png", pdf, 415, "document_mismatch", "application/pdf"},
		{"not a document type", op, exc(NIP(1), "S", "2026-10-20", "2026-10-20"), "run.exe", pdf, 415, "unsupported_document", ".pdf"},
		{"PDF header only", op, exc(NIP(1), "S", "2026-10-20", "2026-10-20"), "surat.pdf", []byte("%PDF-1.4\nnot really a pdf at all, no trailer\n"), 422, "document_unreadable", "trailer"},
		{"truncated PNG", op, exc(NIP(1), "S", "2026-10-20", "2026-10-20"), "foto.png", TestPNG(t)[:40], 422, "document_unreadable", ""},
		{"name too long", op, exc(NIP(1), "S", "2026-10-20", "2026-10-20"), strings.Repeat("a", 200) + ".pdf", pdf, 400, "bad_request", "plain file name"},
		{"too large", op, exc(NIP(1), "S", "2026-10-20", "2026-10-20"), "surat.pdf", big, 413, "document_too_large", "limit"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Exception(tc.token, tc.fields, tc.doc, tc.data)
			e.Want(r, tc.status, tc.code)
			if !strings.Contains(r.Str("message"), tc.message) {
				t.Errorf("message %q lacks %q", r.Str("message"), tc.message)
			}
		})
	}
	r = e.Do("GET", "/api/v1/exceptions?unit=DINKES&state=pending,approved,rejected,revoked", op, nil)
	e.Want(r, 200, "")
	if n := len(r.JSON["exceptions"].([]any)); n != 1 {
		t.Errorf("after refused requests: %d exceptions stored, want 1\n%s", n, r.Raw)
	}
	// A part-day izin with its time, and a JSON request without a document.
	one := exc(NIP(1), "IDT", "2026-10-20", "2026-10-20")
	one["time"] = "09:00"
	r = e.Exception(op, one, "", nil)
	e.Want(r, 201, "")
	if got := r.JSON["exception"].(map[string]any); got["time"] != "09:00" || got["document_name"] != nil {
		t.Errorf("part-day exception %v", got)
	}
	e.Want(e.Do("POST", "/api/v1/exceptions", op, map[string]any{"nip": NIP(2), "type": "DL", "from": "2026-10-21", "to": "2026-10-22", "reason": "surat tugas"}), 201, "")
}

func testExceptionDecisions(t *testing.T, b Backend) {
	e := Start(t, b)
	admin := e.As("admin", server.RoleAdmin)
	op := e.As("op", server.RoleOperator, "DINKES")
	head := e.As("kepala", server.RoleHead, "DINKES")
	otherHead := e.As("kepala2", server.RoleHead, "DINSOS")
	aud := e.As("dpo", server.RoleAuditor)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(15), 1))
	create := func(token, from, to string) string {
		t.Helper()
		r := e.Do("POST", "/api/v1/exceptions", token, map[string]any{"nip": NIP(1), "type": "S", "from": from, "to": to, "reason": "sakit"})
		e.Want(r, 201, "")
		return r.JSON["exception"].(map[string]any)["id"].(string)
	}
	byOp := create(op, "2026-10-01", "2026-10-02")
	byAdmin := create(admin, "2026-10-05", "2026-10-05")
	path := func(id, verb string) string { return "/api/v1/exceptions/" + id + "/" + verb }

	e.Want(e.Do("POST", path(byOp, "approve"), op, nil), 403, "forbidden")         // operators do not decide
	e.Want(e.Do("POST", path(byAdmin, "approve"), admin, nil), 403, "own_request") // never the creator
	e.Want(e.Do("POST", path(byOp, "approve"), otherHead, nil), 403, "forbidden")  // another unit's head
	e.Want(e.Do("POST", path(byOp, "reject"), head, nil), 400, "bad_request")      // a rejection needs a reason
	e.Want(e.Do("POST", path("NOPE", "approve"), head, nil), 404, "not_found")
	// A head (or operator) without units serves no unit, not every unit.
	unitless := e.As("kepala0", server.RoleHead)
	e.Want(e.Do("POST", path(byOp, "approve"), unitless, nil), 403, "forbidden")
	e.Want(e.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month=2026-10", unitless, nil), 403, "forbidden")
	r := e.Do("POST", path(byOp, "approve"), head, map[string]any{"note": "ok"})
	e.Want(r, 200, "")
	if x := r.JSON["exception"].(map[string]any); x["state"] != "approved" || x["decided_by"] != "kepala" || x["decided_at"] == nil {
		t.Errorf("approved %v", x)
	}
	// A decision is final: no second approval, no flip.
	e.Want(e.Do("POST", path(byOp, "approve"), admin, nil), 409, "conflict")
	e.Want(e.Do("POST", path(byOp, "reject"), admin, map[string]any{"note": "flip"}), 409, "conflict")
	e.Want(e.Do("POST", path(byAdmin, "reject"), head, map[string]any{"note": "no letter"}), 200, "")
	e.Want(e.Do("POST", path(byAdmin, "approve"), head, nil), 409, "conflict")
	// A rejected one no longer blocks the dates; a pending one does.
	create(op, "2026-10-05", "2026-10-05")

	// Revocation: admins only, with a reason, once, approved ones only.
	e.Want(e.Do("POST", path(byOp, "revoke"), head, map[string]any{"note": "x"}), 403, "forbidden")
	e.Want(e.Do("POST", path(byOp, "revoke"), admin, nil), 400, "bad_request")
	e.Want(e.Do("POST", path(byAdmin, "revoke"), admin, map[string]any{"note": "x"}), 409, "conflict")
	r = e.Do("POST", path(byOp, "revoke"), admin, map[string]any{"note": "surat palsu"})
	e.Want(r, 200, "")
	if x := r.JSON["exception"].(map[string]any); x["state"] != "revoked" || x["revoked_by"] != "admin" || x["decided_by"] != "kepala" {
		t.Errorf("revoked %v", x)
	}
	e.Want(e.Do("POST", path(byOp, "revoke"), admin, map[string]any{"note": "again"}), 409, "conflict")

	log := string(e.Do("GET", "/api/v1/audit?limit=1000", aud, nil).Raw)
	for _, w := range []string{"exception.create", "exception.approve", "exception.reject", "exception.revoke", byOp} {
		if !strings.Contains(log, w) {
			t.Errorf("audit log lacks %s", w)
		}
	}
}
