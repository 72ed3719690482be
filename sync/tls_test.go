package sync

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA is a private CA (like a regency's) and a server certificate
// for 127.0.0.1 it signed.
type testCA struct {
	pemFile         string // the CA certificate, PEM
	server          tls.Certificate
	certPEM, keyPEM string // the server certificate and key, PEM files
}

func newTestCA(t testing.TB) testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Pemkab Test Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "absen.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(file)
	ca2 := testCA{pemFile: file, server: tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey},
		certPEM: filepath.Join(dir, "server.pem"), keyPEM: filepath.Join(dir, "server.key")}
	if err := os.WriteFile(ca2.certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ca2.keyPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return ca2
}

func TestCustomCATLS(t *testing.T) {
	ca := newTestCA(t)
	f := newFakeServer(t)
	ts := httptest.NewUnstartedServer(f.srv.Config.Handler)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{ca.server}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	ctx := context.Background()

	// Without the CA the kiosk refuses the server's certificate.
	s1 := openStore(t, t.TempDir())
	w1 := newWorker(t, s1, nil, testOptions(t, ts.URL))
	err := w1.Register(ctx, "", "CODE-1", "Lobby")
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("register without the CA = %v, want a certificate error", err)
	}

	// With it, registration and sync work.
	s2 := openStore(t, t.TempDir())
	o := testOptions(t, ts.URL)
	o.CAFile = ca.pemFile
	w2 := newWorker(t, s2, nil, o)
	if err := w2.Register(ctx, "", "CODE-1", "Lobby"); err != nil {
		t.Fatal(err)
	}
	ids := recordEvents(t, s2, 50)
	if err := w2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	checkSets(t, ids, f.eventSet(), outboxLen(t, s2))

	// A CA file without a certificate is a configuration error at New.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	_ = os.WriteFile(bad, []byte("not a certificate"), 0o600)
	o.CAFile = bad
	if _, err := New(s2, nil, o); err == nil {
		t.Error("New accepted a CA file without certificates")
	}
}
