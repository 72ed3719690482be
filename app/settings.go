package app

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/storage"
)

// Settings the kiosk keeps in the store (audited on change by the store).
const (
	settingCamera    = "camera.source"         // camera spec; --camera overrides
	settingThreshold = "recognition.threshold" // policy threshold (distance)
	settingMargin    = "recognition.margin"    // policy margin
	settingLiveness  = "checkin.liveness"      // off, blink or challenge
	settingSchedule  = "schedule.file"         // TOML schedule; --schedule overrides
	settingLanguage  = "ui.language"           // id or en; --lang overrides
	settingDevice    = "device.name"           // name given at registration
)

// setting reads a setting, def when unset or unreadable.
func (k *kiosk) setting(key, def string) string {
	v, err := k.svc.store.Setting(k.ctx, key)
	if err != nil || v == "" {
		return def
	}
	return v
}

// setSetting saves a setting under the operator's name (the store audits
// it) and marks the pipeline for a rebuild.
func (k *kiosk) setSetting(key, value string) error {
	if err := k.svc.store.SetSetting(k.actor(), key, value); err != nil {
		return fmt.Errorf("save setting %s: %w", key, err)
	}
	k.pipe.dirty = true
	return nil
}

// cameraSpec is the camera to open: the flag, else the setting, else the
// first webcam.
func (k *kiosk) cameraSpec() string {
	if k.cfg.Camera != "" {
		return k.cfg.Camera
	}
	return k.setting(settingCamera, "0")
}

// scheduleFile is the schedule to load ("" = the national default).
func (k *kiosk) scheduleFile() string {
	if k.cfg.Schedule != "" {
		return k.cfg.Schedule
	}
	return k.setting(settingSchedule, "")
}

// pipelineOptions are checkin.DefaultOptions with the saved settings.
func (k *kiosk) pipelineOptions() (checkin.Options, error) {
	o := checkin.DefaultOptions()
	if v := k.setting(settingThreshold, ""); v != "" {
		f, err := parseThreshold(v)
		if err != nil {
			return o, err
		}
		o.Policy.Threshold = f
	}
	if v := k.setting(settingMargin, ""); v != "" {
		f, err := parseMargin(v)
		if err != nil {
			return o, err
		}
		o.Policy.Margin = f
	}
	if v := k.setting(settingLiveness, ""); v != "" {
		m, err := checkin.ParseLivenessMode(v)
		if err != nil {
			return o, fmt.Errorf("setting %s: %w", settingLiveness, err)
		}
		o.Liveness = m
	}
	if path := k.scheduleFile(); path != "" {
		c, err := attendance.Load(path)
		if err != nil {
			return o, fmt.Errorf("schedule %s: %w", path, err)
		}
		o.Schedule = c
	}
	o.ClockOffset = k.svc.sync.ClockOffset
	o.Now = k.clock.Now
	if k.opt.tune != nil {
		k.opt.tune(&o)
	}
	return o, nil
}

var errRange = errors.New("out of range")

// parseThreshold accepts a match threshold the kiosk can live with: below
// 0.30 nobody is recognised, above 0.60 strangers are.
func parseThreshold(s string) (float64, error) {
	return parseFloatIn(s, 0.30, 0.60)
}

// parseMargin accepts a margin between 0 and 0.20.
func parseMargin(s string) (float64, error) { return parseFloatIn(s, 0, 0.20) }

func parseFloatIn(s string, lo, hi float64) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("number %q: %w", s, err)
	}
	if f < lo || f > hi {
		return 0, fmt.Errorf("%v not in %v..%v: %w", f, lo, hi, errRange)
	}
	return f, nil
}

// isNotFound reports a missing record.
func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
