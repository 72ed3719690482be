package recognition

// Duplicate reports whether face d is already enrolled under a person
// other than self: the nearest other person's nearest template is nearer
// than threshold (pass the check-in policy's threshold). The margin is
// ignored on purpose: for enrollment, close to someone else is already
// too close, even when that face is also close to a third person. Enrollment in the
// kiosk's wizard, the bulk import, `hadir enroll` and the server all ask
// this one question, so one face cannot be enrolled under two NIPs by
// any path. self may be "" (a new person).
func (g *Gallery) Duplicate(d Descriptor, self string, threshold float64) (id string, distance float64, dup bool) {
	m := g.Search(d)
	id, distance = m.ID, m.Distance
	if id == self {
		id, distance = m.SecondID, m.SecondDistance
	}
	if id == "" || id == self || distance >= threshold {
		return "", 0, false
	}
	return id, distance, true
}
