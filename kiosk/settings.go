package kiosk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/storage"
)

// Settings the kiosk keeps in the store (audited on change by the store).
const (
	SettingCamera    = "camera.source"         // camera spec; --camera overrides
	SettingThreshold = "recognition.threshold" // policy threshold (distance)
	SettingMargin    = "recognition.margin"    // policy margin
	SettingLiveness  = "checkin.liveness"      // off, blink or challenge
	SettingSchedule  = "schedule.file"         // TOML schedule; --schedule overrides
	SettingLanguage  = "ui.language"           // id or en; --lang overrides
	SettingDevice    = "device.name"           // name given at registration
	SettingAdapt     = "recognition.adapt"     // "off" stops learning faces from check-ins; default on
)

// Setting reads a setting, def when unset or unreadable. A read without
// fsync: cheap enough for the UI goroutine.
func (k *Kiosk) Setting(key, def string) string {
	v, err := k.svc.Store.Setting(k.ctx, key)
	if err != nil || v == "" {
		return def
	}
	return v
}

// SetSettings saves settings (key, value pairs) in order under the
// operator in ctx (Actor; the store audits each), stopping at the first
// failure. The check-in pipeline is built from them when next needed. It
// fsyncs: not on the UI goroutine.
func (k *Kiosk) SetSettings(ctx context.Context, kv ...[2]string) error {
	for _, p := range kv {
		if err := k.svc.Store.SetSetting(ctx, p[0], p[1]); err != nil {
			return fmt.Errorf("save setting %s: %w", p[0], err)
		}
		k.settingsChanged()
	}
	return nil
}

// CameraSpec is the camera to open: the flag, else the setting, else the
// first webcam.
func (k *Kiosk) CameraSpec() string {
	if k.Cfg.Camera != "" {
		return k.Cfg.Camera
	}
	return k.Setting(SettingCamera, "0")
}

// ScheduleFile is the schedule to load ("" = the national default).
func (k *Kiosk) ScheduleFile() string {
	if k.Cfg.Schedule != "" {
		return k.Cfg.Schedule
	}
	return k.Setting(SettingSchedule, "")
}

// PipelineOptions are checkin.DefaultOptions with the saved settings.
func (k *Kiosk) PipelineOptions() (checkin.Options, error) {
	o := checkin.DefaultOptions()
	if v := k.Setting(SettingThreshold, ""); v != "" {
		f, err := ParseThreshold(v)
		if err != nil {
			return o, err
		}
		o.Policy.Threshold = f
	}
	if v := k.Setting(SettingMargin, ""); v != "" {
		f, err := ParseMargin(v)
		if err != nil {
			return o, err
		}
		o.Policy.Margin = f
	}
	if v := k.Setting(SettingLiveness, ""); v != "" {
		m, err := checkin.ParseLivenessMode(v)
		if err != nil {
			return o, fmt.Errorf("setting %s: %w", SettingLiveness, err)
		}
		o.Liveness = m
	}
	if path := k.ScheduleFile(); path != "" {
		c, err := attendance.Load(path)
		if err != nil {
			return o, fmt.Errorf("schedule %s: %w", path, err)
		}
		o.Schedule = c
	}
	o.NoAdapt = k.Setting(SettingAdapt, "on") == "off"
	o.OnAdapt = k.adapted
	o.ClockOffset = k.svc.Sync.ClockOffset
	o.Now = k.clock.Now
	if k.opt.Tune != nil {
		k.opt.Tune(&o)
	}
	return o, nil
}

// adapted queues a face the pipeline learnt for the server, like an
// enrollment (on the recognition goroutine; the queue is a store write).
func (k *Kiosk) adapted(a checkin.Adapted, err error) {
	if err != nil {
		slog.Warn("adaptation not stored", "nip", a.NIP, "err", err)
		return
	}
	if err := k.svc.Sync.QueueEnrollment(k.ctx, a.NIP); err != nil && !errors.Is(err, ErrSyncNotConfigured) {
		slog.Warn("adapted templates not queued for the server", "nip", a.NIP, "err", err)
	}
}

var ErrRange = errors.New("out of range")

// ParseThreshold accepts a match threshold the kiosk can live with: below
// 0.30 nobody is recognised, above 0.60 strangers are.
func ParseThreshold(s string) (float64, error) {
	return parseFloatIn(s, 0.30, 0.60)
}

// ParseMargin accepts a margin between 0 and 0.20.
func ParseMargin(s string) (float64, error) { return parseFloatIn(s, 0, 0.20) }

func parseFloatIn(s string, lo, hi float64) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("number %q: %w", s, err)
	}
	if f < lo || f > hi {
		return 0, fmt.Errorf("%v not in %v..%v: %w", f, lo, hi, ErrRange)
	}
	return f, nil
}

// isNotFound reports a missing record.
func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
