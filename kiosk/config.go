package kiosk

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Config is how the kiosk was started: flags first, then environment,
// then defaults. Settings saved in the store (camera, thresholds, ...)
// apply where a flag did not override them.
type Config struct {
	Lang       string // id or en
	DataDir    string // the store directory
	ModelsDir  string // face models (HADIR_MODELS)
	Camera     string // camera spec overriding the saved setting; "" = use the setting
	Schedule   string // schedule file overriding the saved setting; "" = use the setting
	Fullscreen bool
	// InsecureHTTP lets the sync client talk plain http to a server that
	// is not on this machine: a lab only (logged at start). Without it an
	// http:// server URL is refused; kiosks authenticate over https.
	InsecureHTTP bool
}

// ParseConfig reads the kiosk's flags and environment.
func ParseConfig(args []string) (Config, error) {
	fs := flag.NewFlagSet("hadir", flag.ContinueOnError)
	var c Config
	fs.StringVar(&c.Lang, "lang", envOr("HADIR_LANG", ""), "interface language: id (Bahasa Indonesia) or en; default the saved setting, else id")
	fs.StringVar(&c.DataDir, "data", envOr("HADIR_DATA", "./data"), "kiosk data directory (the encrypted store)")
	fs.StringVar(&c.Camera, "camera", envOr("HADIR_CAMERA", ""), "camera: webcam index (0), /dev/videoN, rtsp:// or http:// URL, video file or image folder; overrides the saved setting")
	fs.StringVar(&c.Schedule, "schedule", envOr("HADIR_SCHEDULE", ""), "attendance schedule file (TOML); overrides the saved setting")
	fs.BoolVar(&c.Fullscreen, "fullscreen", true, "fill the screen (a kiosk); --fullscreen=false for a window")
	fs.BoolVar(&c.InsecureHTTP, "lab-insecure-http", false, "LAB ONLY: allow a plain http:// sync server that is not this machine (logged); production kiosks use https")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (subcommands: hadir help)", fs.Arg(0))
	}
	if c.Lang != "" && c.Lang != "id" && c.Lang != "en" {
		return c, fmt.Errorf("--lang %q: want id or en", c.Lang)
	}
	c.ModelsDir = envOr("HADIR_MODELS", "./models")
	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	return c, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
