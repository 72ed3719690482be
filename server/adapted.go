package server

import (
	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/recognition"
)

// checkAdapted enforces, on the server, what a kiosk's template
// adaptation may send (trust nothing from the kiosk): at most
// api.MaxAdaptedTemplates adapted templates, at least one enrolled
// template, and every adapted one within recognition.DefaultAdaptAnchor
// of an enrolled one of the same request, so a kiosk cannot turn a
// person's templates into someone else's face, one adapted step at a
// time or all at once. (Near another NIP is refused for every template
// by the store's duplicate check.)
func checkAdapted(tpls []Template) error {
	adapted := countAdapted(tpls)
	switch {
	case adapted == 0:
		return nil
	case adapted > api.MaxAdaptedTemplates:
		return badRequest("templates: %d adapted, at most %d", adapted, api.MaxAdaptedTemplates)
	case adapted == len(tpls):
		return badRequest("templates: all %d adapted, want at least one enrolled", adapted)
	}
	for _, t := range tpls {
		if !t.Adapted {
			continue
		}
		near := false
		for _, e := range tpls {
			if !e.Adapted && recognition.Distance(t.Descriptor, e.Descriptor) <= recognition.DefaultAdaptAnchor {
				near = true
				break
			}
		}
		if !near {
			return badRequest("template %s: adapted, but farther than %.2f from every enrolled template", t.ID, recognition.DefaultAdaptAnchor)
		}
	}
	return nil
}

// countAdapted counts the adapted templates (for checks and the audit).
func countAdapted(tpls []Template) int {
	n := 0
	for _, t := range tpls {
		if t.Adapted {
			n++
		}
	}
	return n
}
