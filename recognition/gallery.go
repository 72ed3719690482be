package recognition

import (
	"math"
	"sync"
)

// Gallery is the in-memory 1:N index of enrolled people, several templates
// each. People are added, replaced or removed one at a time without
// rebuilding the rest (a roster update from the server touches a few).
//
// Search scans int8-quantized copies of the templates (a quarter of the
// memory traffic of float32; 10,000 people x 5 templates is 6.4 MB), then
// re-ranks in float32 only the templates whose distance the quantization
// error could not rule out. The result is exactly the float32 answer: each
// template's quantization error is measured when it is added and bounds
// the coarse distance's error by the triangle inequality.
type Gallery struct {
	mu      sync.RWMutex
	quant   []int8       // slot*128: quantized templates
	exact   []Descriptor // slot: original templates
	qerr    []float32    // slot: |template - quantized|, its exact quantization error
	owner   []int32      // slot: person index, -1 when the slot is free
	ids     []string     // person index: id, "" when free
	slots   [][]int32    // person index: its slots
	index   map[string]int32
	free    []int32 // free slots
	freeIDs []int32 // free person indexes
	maxErr  float64 // upper bound of every live slot's quantization error
	live    int     // live slots
	scratch sync.Pool
}

// Match is the result of a 1:N search: the nearest person and the nearest
// other person, each by their closest template. Distances are Euclidean;
// a missing entry has ID "" and distance +Inf.
type Match struct {
	ID             string
	Distance       float64
	SecondID       string
	SecondDistance float64
}

// NewGallery returns an empty gallery.
func NewGallery() *Gallery {
	return &Gallery{index: map[string]int32{}}
}

// Set replaces all templates of id (adding the person if new). An empty
// list removes the person.
func (g *Gallery) Set(id string, templates []Descriptor) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.removeLocked(id)
	g.addLocked(id, templates)
}

// Add appends templates to id's (adding the person if new).
func (g *Gallery) Add(id string, templates ...Descriptor) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.addLocked(id, templates)
}

// Remove drops id and all its templates; unknown ids are ignored.
func (g *Gallery) Remove(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.removeLocked(id)
}

// Len returns the number of people and of templates.
func (g *Gallery) Len() (people, templates int) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.index), g.live
}

// Has reports whether id is enrolled.
func (g *Gallery) Has(id string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	_, ok := g.index[id]
	return ok
}

func (g *Gallery) addLocked(id string, templates []Descriptor) {
	if len(templates) == 0 {
		return
	}
	p, ok := g.index[id]
	if !ok {
		if n := len(g.freeIDs); n > 0 {
			p = g.freeIDs[n-1]
			g.freeIDs = g.freeIDs[:n-1]
			g.ids[p] = id
		} else {
			p = int32(len(g.ids))
			g.ids = append(g.ids, id)
			g.slots = append(g.slots, nil)
		}
		g.index[id] = p
	}
	for i := range templates {
		s := g.allocSlot()
		g.exact[s] = templates[i]
		g.owner[s] = p
		e := quantize(&templates[i], g.quant[int(s)*128:int(s+1)*128])
		g.qerr[s] = float32(e)
		g.maxErr = math.Max(g.maxErr, e)
		g.slots[p] = append(g.slots[p], s)
		g.live++
	}
}

func (g *Gallery) allocSlot() int32 {
	if n := len(g.free); n > 0 {
		s := g.free[n-1]
		g.free = g.free[:n-1]
		return s
	}
	g.quant = append(g.quant, make([]int8, 128)...)
	g.exact = append(g.exact, Descriptor{})
	g.qerr = append(g.qerr, 0)
	g.owner = append(g.owner, -1)
	return int32(len(g.owner) - 1)
}

func (g *Gallery) removeLocked(id string) {
	p, ok := g.index[id]
	if !ok {
		return
	}
	for _, s := range g.slots[p] {
		g.owner[s] = -1
		g.exact[s] = Descriptor{}
		clear(g.quant[int(s)*128 : int(s+1)*128])
		g.free = append(g.free, s)
		g.live--
	}
	g.slots[p] = nil
	g.ids[p] = ""
	g.freeIDs = append(g.freeIDs, p)
	delete(g.index, id)
}

type scratch struct {
	coarse []int32
}

// looseErr marks a template whose int8 copy is far from it (a clamped
// outlier component): its coarse distance may understate the true one by a
// lot, so it never sets the search bound; it is always re-ranked exactly.
const looseErr = 0.05

// nearestTwo returns the slots with the smallest coarse values that belong
// to two different people (s2 is -1 when only one person is enrolled),
// ignoring loose templates.
func nearestTwo(coarse []int32, owner []int32, qerr []float32) (s1, s2 int32) {
	s1, s2 = -1, -1
	var c1, c2 int32 = math.MaxInt32, math.MaxInt32
	p1 := int32(-1)
	for s, c := range coarse {
		p := owner[s]
		switch {
		case p < 0 || qerr[s] > looseErr:
		case c < c1 && p == p1:
			s1, c1 = int32(s), c
		case c < c1:
			s2, c2 = s1, c1
			s1, c1, p1 = int32(s), c, p
		case c < c2 && p != p1:
			s2, c2 = int32(s), c
		}
	}
	return s1, s2
}

// Search returns the nearest person and the nearest other person to d.
func (g *Gallery) Search(d Descriptor) Match {
	m := Match{Distance: math.Inf(1), SecondDistance: math.Inf(1)}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if len(g.index) == 0 {
		return m
	}
	var probe [128]int8
	probeErr := quantize(&d, probe[:])
	sc, _ := g.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer g.scratch.Put(sc)
	sc.coarse = grow(sc.coarse, len(g.owner))
	scanInt8(probe[:], g.quant, sc.coarse)

	// The nearest templates of the two people nearest by coarse distance,
	// measured exactly, bound how far the true first and second can be.
	s1, s2 := nearestTwo(sc.coarse, g.owner, g.qerr)
	upper := math.Inf(1)
	if s1 >= 0 {
		upper = Distance(d, g.exact[s1]) // with one person: its nearest template
	}
	if s2 >= 0 {
		upper = math.Max(upper, Distance(d, g.exact[s2]))
	}
	// A template's true distance is within probeErr + its own error of its
	// coarse one (triangle inequality), so it can only be nearer than upper
	// when its coarse value is within (upper + probeErr + error)^2.
	sure := sq((upper + probeErr) * quantScale)
	never := sq((upper + probeErr + g.maxErr) * quantScale)

	for s, c := range sc.coarse {
		p := g.owner[s]
		if p < 0 || float64(c) > never {
			continue
		}
		if float64(c) > sure && float64(c) > sq((upper+probeErr+float64(g.qerr[s]))*quantScale) {
			continue
		}
		dist := Distance(d, g.exact[s])
		id := g.ids[p]
		switch {
		case id == m.ID:
			m.Distance = math.Min(m.Distance, dist)
		case dist < m.Distance:
			m.SecondID, m.SecondDistance = m.ID, m.Distance
			m.ID, m.Distance = id, dist
		case id == m.SecondID:
			m.SecondDistance = math.Min(m.SecondDistance, dist)
		case dist < m.SecondDistance:
			m.SecondID, m.SecondDistance = id, dist
		}
	}
	return m
}

func sq(x float64) float64 { return x * x }

func grow(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n)
	}
	return b[:n]
}
