package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/console"
)

// serve runs the HTTP server until ctx is cancelled (SIGINT/SIGTERM in
// main), then shuts down gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("hadir-server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	db := fs.String("db", DefaultDB, "database: sqlite:PATH, a bare PATH, or postgres://...")
	data := fs.String("data", ".", "directory for the key file")
	addrFile := fs.String("addr-file", "", "write the base URL here once listening (atomically)")
	keyFile := fs.String("key-file", "", "server key file (default DATA/server.key; ignored when HADIR_SERVER_KEY is set)")
	models := fs.String("models", "", "face model directory for the photo API (default $HADIR_MODELS, else ./models)")
	schedules := fs.String("schedules", "", "directory of per-unit schedule files UNIT.toml (default.toml for the rest)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM); serve HTTPS")
	tlsKey := fs.String("tls-key", "", "TLS private key (PEM)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	secureCookie := fs.Bool("secure-cookie", false, "mark the web console's session cookie Secure on plain HTTP too (TLS ended by a reverse proxy)")
	var proxies multiFlag
	fs.Var(&proxies, "trusted-proxy", "CIDR or address of a reverse proxy whose X-Forwarded-For is believed (repeatable; default none)")
	metricsFile := fs.String("metrics-token-file", "", "file holding the bearer token Prometheus sends to /metrics (default $HADIR_METRICS_TOKEN)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected arguments %q", pos)}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageError{fmt.Sprintf("--log-level %q: %v", *logLevel, err)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	key, err := loadKey(*data, *keyFile, log)
	if err != nil {
		return err
	}
	metricsToken, err := loadMetricsToken(*metricsFile)
	if err != nil {
		return err
	}
	sched, err := loadSchedules(*schedules)
	if err != nil {
		return err
	}
	modelsDir := *models
	if modelsDir == "" {
		modelsDir = getenv("HADIR_MODELS")
	}
	if modelsDir == "" {
		modelsDir = "models"
	}
	st, err := OpenStore(ctx, *db, key.Cipher())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckKey(ctx, key.Fingerprint()); err != nil {
		return err
	}
	srv, err := server.New(server.Config{Store: st, Key: key, Logger: log, ModelsDir: modelsDir, Schedule: sched,
		TrustedProxies: proxies, MetricsToken: metricsToken})
	if err != nil {
		return err
	}
	defer srv.Close()
	pages, err := console.New(console.Options{Server: srv, Store: st, Schedule: sched, Logger: log, SecureCookie: *secureCookie})
	if err != nil {
		return err
	}
	srv.MountPages(pages)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	scheme := "http"
	if *tlsCert != "" || *tlsKey != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()
	if *addrFile != "" {
		if err := writeAtomic(*addrFile, []byte(url+"\n")); err != nil {
			ln.Close()
			return err
		}
	}
	fmt.Fprintf(stderr, "hadir-server listening on %s\n", url)
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "hadir-server stopped")
	return nil
}

// loadKey takes HADIR_SERVER_KEY, else the key file (created if missing).
func loadKey(data, keyFile string, log *slog.Logger) (*server.Key, error) {
	if v := getenv("HADIR_SERVER_KEY"); v != "" {
		k, err := server.ParseKey(v)
		if err != nil {
			return nil, fmt.Errorf("HADIR_SERVER_KEY: %w", err)
		}
		return k, nil
	}
	if keyFile == "" {
		keyFile = filepath.Join(data, "server.key")
	}
	k, created, err := server.LoadOrCreateKeyFile(keyFile)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("created a new server key: back it up, templates and photos cannot be read without it", "file", keyFile)
	}
	return k, nil
}

// minMetricsToken is the shortest scrape token accepted (a guessable one
// would open the fleet's numbers to anyone).
const minMetricsToken = 16

// loadMetricsToken reads the /metrics bearer token from a file (kept out
// of the process list) or HADIR_METRICS_TOKEN; "" when neither is set.
func loadMetricsToken(file string) (string, error) {
	tok := getenv("HADIR_METRICS_TOKEN")
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("metrics token: %w", err)
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if tok != "" && len(tok) < minMetricsToken {
		return "", fmt.Errorf("metrics token: %d characters, need at least %d", len(tok), minMetricsToken)
	}
	return tok, nil
}

// loadSchedules reads DIR/UNIT.toml per unit and DIR/default.toml (else
// the national default) for the other units.
func loadSchedules(dir string) (func(string) *attendance.Config, error) {
	def := attendance.DefaultConfig()
	units := map[string]*attendance.Config{}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.toml"))
		if err != nil {
			return nil, fmt.Errorf("schedules: %w", err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("schedules: no *.toml in %s", dir)
		}
		for _, f := range files {
			c, err := attendance.Load(f)
			if err != nil {
				return nil, err
			}
			name := strings.TrimSuffix(filepath.Base(f), ".toml")
			if name == "default" {
				def = c
			} else {
				units[name] = c
			}
		}
	}
	return func(unit string) *attendance.Config {
		if c, ok := units[unit]; ok {
			return c
		}
		return def
	}, nil
}

// writeAtomic writes a temp file beside path and renames it over path, so
// a reader never sees a half-written address.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
