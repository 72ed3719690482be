package cli

import (
	"context"
	"encoding/json"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/recognition"
)

func init() {
	register(command{
		name:  "calibrate",
		usage: "--data DIR [--target-fpir 0.003]",
		help:  "propose threshold and margin for this kiosk's enrolled faces (JSON); changes nothing",
		run:   runCalibrate,
	})
}

func runCalibrate(ctx context.Context, io IO, args []string) error {
	fs := newFlags("calibrate")
	data := fs.String("data", "", "kiosk data directory")
	target := fs.Float64("target-fpir", recognition.DefaultTargetFPIR, "allowed share of stranger attempts accepted as someone")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errorf(errUsage, "unexpected arguments %v", fs.Args())
	}
	if !(*target > 0 && *target < 1) {
		return errorf(errUsage, "--target-fpir %v must be between 0 and 1", *target)
	}
	st, err := openStore(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	g := recognition.NewGallery() // enrollment templates only: see checkin.LoadEnrolledGallery
	if _, err := checkin.LoadEnrolledGallery(ctx, st, g); err != nil {
		return err
	}
	c, err := recognition.Calibrate(ctx, g, recognition.CalibrationOptions{TargetFPIR: *target})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(io.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
