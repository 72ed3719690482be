package kiosk

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
)

// Sound cues of the check-in screen.
const (
	SoundSuccess = "success"
	SoundFailure = "failure"
)

// Player plays a named cue without blocking. Fyne has no audio API, so
// the kiosk runs a system player; tests use a recorder instead.
type Player interface {
	Play(name string)
}

// Silent plays nothing (no audio tool installed, or tests).
type Silent struct{}

func (Silent) Play(string) {}

// execPlayer plays the embedded WAV files with the first of paplay, aplay
// or ffplay found on PATH. A cue that arrives while one is still playing
// is dropped: a queue of beeps would lag behind the screen.
type execPlayer struct {
	ctx   context.Context
	tool  []string          // command and arguments before the file
	files map[string]string // cue -> extracted WAV path
	busy  atomic.Bool
}

// NewPlayer extracts the cues (sounds/<cue>.wav in files: assets.Sounds)
// into dir and picks a player; with no player
// installed (or no writable dir) it returns Silent, never an error: sound
// is a courtesy, not a requirement of the kiosk.
func NewPlayer(ctx context.Context, dir string, files fs.FS) Player {
	var tool []string
	for _, c := range [][]string{{"paplay"}, {"aplay", "-q"}, {"ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"}} {
		if p, err := exec.LookPath(c[0]); err == nil {
			tool = append([]string{p}, c[1:]...)
			break
		}
	}
	if tool == nil {
		return Silent{}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Silent{}
	}
	p := &execPlayer{ctx: ctx, tool: tool, files: map[string]string{}}
	for _, name := range []string{SoundSuccess, SoundFailure} {
		data, err := fs.ReadFile(files, "sounds/"+name+".wav")
		if err != nil {
			return Silent{}
		}
		path := filepath.Join(dir, name+".wav")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return Silent{}
		}
		p.files[name] = path
	}
	return p
}

// Play starts the cue in the background; the process ends with the cue
// (or with the kiosk, through ctx).
func (p *execPlayer) Play(name string) {
	file, ok := p.files[name]
	if !ok || !p.busy.CompareAndSwap(false, true) {
		return
	}
	args := append(append([]string{}, p.tool[1:]...), file)
	cmd := exec.CommandContext(p.ctx, p.tool[0], args...)
	if err := cmd.Start(); err != nil {
		p.busy.Store(false)
		return
	}
	go func() { // owned by this cue; ends when the Player exits
		_ = cmd.Wait()
		p.busy.Store(false)
	}()
}
