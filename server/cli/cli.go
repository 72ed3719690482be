// Package cli is the hadir-server command line: serving, and the few
// maintenance commands an administrator runs on the server host (create a
// device enrollment code, add a user, revoke a device, erase an employee).
// cmd/hadir-server only calls Run.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/postgres"
	"github.com/hadir-id/hadir/server/sqlite"
)

// DefaultDB is the database when --db is not given: a SQLite file in the
// working directory.
const DefaultDB = "sqlite:hadir-server.db"

const usage = `usage:
  hadir-server [--addr 127.0.0.1:8080] [--db sqlite:hadir-server.db | postgres://...] [--data DIR]
               [--addr-file PATH] [--key-file PATH] [--models DIR] [--schedules DIR]
               [--tls-cert FILE --tls-key FILE] [--trusted-proxy CIDR]... [--metrics-token-file FILE]
  hadir-server code --db DSN (--unit UNIT... | --all-units) [--ttl 24h]
  hadir-server user add --db DSN --name NAME --role admin|operator|auditor [--unit UNIT]...   (password on stdin)
  hadir-server device revoke --db DSN DEVICE_ID
  hadir-server employee delete --db DSN NIP
The key encrypting templates and photos comes from HADIR_SERVER_KEY (64 hex
characters) or --key-file (default DATA/server.key, created 0600 if missing;
refused when others may read it). Prometheus reads /metrics with the token
of HADIR_METRICS_TOKEN or --metrics-token-file; admins may always read it.
`

// Run executes the command line args (without the program name) and
// returns the exit status: 0 ok, 1 failure, 2 usage.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := run(ctx, args, stdin, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "hadir-server: %v\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "hadir-server: %v\n", err)
		return 1
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Serves reports whether args start the server (no command, only flags,
// or "serve") rather than a maintenance command: main prepares the
// process for serving (memory.UseHugePages) only then.
func Serves(args []string) bool {
	return len(args) == 0 || strings.HasPrefix(args[0], "-") || args[0] == "serve"
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if Serves(args) {
		if len(args) > 0 && args[0] == "serve" {
			args = args[1:]
		}
		return serve(ctx, args, stderr)
	}
	switch cmd := strings.Join(args[:min(2, len(args))], " "); {
	case args[0] == "code":
		return newCode(ctx, args[1:], stdout)
	case cmd == "user add":
		return addUser(ctx, args[2:], stdin, stdout)
	case cmd == "device revoke":
		return revokeDevice(ctx, args[2:], stdout)
	case cmd == "employee delete":
		return deleteEmployee(ctx, args[2:], stdout)
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// multiFlag collects a repeatable flag.
type multiFlag []string

// String implements flag.Value.
func (m *multiFlag) String() string { return strings.Join(*m, ",") }

// Set implements flag.Value (appends).
func (m *multiFlag) Set(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return errors.New("empty value")
	}
	*m = append(*m, v)
	return nil
}

// parse parses flags interspersed with positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// OpenStore opens the store named by dsn: postgres:// or postgresql:// is
// PostgreSQL, "sqlite:PATH" or a bare path is SQLite.
func OpenStore(ctx context.Context, dsn string, cipher *server.Cipher) (server.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn, cipher)
	}
	return sqlite.Open(ctx, dsn, cipher)
}

func newCode(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("code", flag.ContinueOnError)
	db := fs.String("db", DefaultDB, "database")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the code stays valid")
	var units multiFlag
	fs.Var(&units, "unit", "unit the device serves (repeatable)")
	all := fs.Bool("all-units", false, "the device serves every unit (a central office)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("code takes no arguments, got %q", pos)}
	}
	// A code without a unit serves every unit: never by omission.
	switch {
	case len(units) == 0 && !*all:
		return usageError{"code needs --unit UNIT (repeatable), or --all-units for a device that serves every unit"}
	case len(units) > 0 && *all:
		return usageError{"--unit and --all-units exclude each other"}
	}
	if *ttl <= 0 {
		return usageError{"--ttl must be positive"}
	}
	st, err := OpenStore(ctx, *db, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	code := server.NewCode()
	if err := st.CreateCode(ctx, server.HashSecret(server.NormalizeCode(code)), units, time.Now().Add(*ttl), "cli"); err != nil {
		return err
	}
	if err := st.Audit(ctx, server.AuditEntry{Actor: "cli", Action: "code.create", Detail: fmt.Sprintf("units=%v ttl=%s", []string(units), *ttl)}); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, code)
	return err
}

func addUser(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	db := fs.String("db", DefaultDB, "database")
	name := fs.String("name", "", "login name")
	role := fs.String("role", "", "admin, operator or auditor")
	var units multiFlag
	fs.Var(&units, "unit", "unit an operator serves (repeatable)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("user add takes no arguments, got %q", pos)}
	}
	if err := server.ValidateUserName(*name); err != nil {
		return usageError{err.Error()}
	}
	if !server.Role(*role).Valid() {
		return usageError{fmt.Sprintf("--role %q must be admin, operator or auditor", *role)}
	}
	if server.Role(*role) == server.RoleOperator && len(units) == 0 {
		return usageError{"an operator needs at least one --unit"}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	hash, err := server.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	st, err := OpenStore(ctx, *db, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, server.User{Name: *name, Role: server.Role(*role), Units: units, PasswordHash: hash})
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, server.AuditEntry{Actor: "cli", Action: "user.create", Target: u.Name, Detail: fmt.Sprintf("role=%s units=%v", u.Role, u.Units)}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "user %s (%s) created\n", u.Name, u.Role)
	return err
}

func revokeDevice(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("device revoke", flag.ContinueOnError)
	db := fs.String("db", DefaultDB, "database")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"device revoke needs exactly one DEVICE_ID"}
	}
	st, err := OpenStore(ctx, *db, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RevokeDevice(ctx, pos[0], time.Now()); err != nil {
		return err
	}
	if err := st.Audit(ctx, server.AuditEntry{Actor: "cli", Action: "device.revoke", Target: pos[0]}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "device %s revoked\n", pos[0])
	return err
}

func deleteEmployee(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("employee delete", flag.ContinueOnError)
	db := fs.String("db", DefaultDB, "database")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"employee delete needs exactly one NIP"}
	}
	st, err := OpenStore(ctx, *db, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	rev, err := st.DeleteEmployee(ctx, pos[0])
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, server.AuditEntry{Actor: "cli", Action: "employee.delete", Target: pos[0], Detail: fmt.Sprintf("rev=%d", rev)}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "employee %s erased (roster revision %d)\n", pos[0], rev)
	return err
}

// getenv reads the environment (a variable so the source of the key and
// model directory is one place).
var getenv = os.Getenv
