// Package assets embeds what the kiosk shows and plays: translations
// (Bahasa Indonesia first, English), icons and sounds.
package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

// Translations holds one go-i18n JSON file per language for fyne's lang
// package; every user-visible string of the kiosk comes from here.
//
//go:embed translations/*.json
var Translations embed.FS

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon (window, task bar, `fyne package`).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// Sounds are the short cues the check-in screen plays, so a person who is
// not looking at the screen still knows whether it worked. They are tiny
// 16 kHz 8-bit mono WAV files generated with ffmpeg:
//
//	success.wav: 880 Hz for 0.12 s then 1320 Hz for 0.2 s (a rising chime)
//	  ffmpeg -f lavfi -i sine=frequency=880:duration=0.12 -f lavfi -i sine=frequency=1320:duration=0.2 \
//	    -filter_complex "[0][1]concat=n=2:v=0:a=1,afade=t=out:st=0.25:d=0.07,volume=0.6" -ar 16000 -ac 1 -c:a pcm_u8 success.wav
//	failure.wav: 330 Hz for 0.18 s then 220 Hz for 0.3 s (a falling buzz)
//	  ffmpeg -f lavfi -i sine=frequency=330:duration=0.18 -f lavfi -i sine=frequency=220:duration=0.3 \
//	    -filter_complex "[0][1]concat=n=2:v=0:a=1,afade=t=out:st=0.4:d=0.08,volume=0.7" -ar 16000 -ac 1 -c:a pcm_u8 failure.wav
//
//go:embed sounds/*.wav
var Sounds embed.FS
