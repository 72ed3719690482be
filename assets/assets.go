// Package assets embeds what the kiosk shows and plays: translations
// (Bahasa Indonesia first, English), icons and sounds.
package assets

import "embed"

// Translations holds one go-i18n JSON file per language for fyne's lang
// package; every user-visible string of the kiosk comes from here.
//
//go:embed translations/*.json
var Translations embed.FS
