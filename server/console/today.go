package console

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hadir-id/hadir/attendance"
)

// unitToday is one unit's row on the Today page: the API's daily report
// counted by status.
type unitToday struct {
	Unit      string
	Zone      string
	Date      string
	Total     int
	Present   int // present, late or early leave
	Late      int
	Absent    int // no record
	Exception int // statuses of approved exceptions (leave, duty, ...)
	Pending   int // not yet synced: never counted absent
	Waiting   int // manual events waiting for a decision
	Bars      []bar
	Label     string // the chart's text for screen readers
}

// bar is one segment of the unit's stacked bar (inline SVG, no library).
type bar struct {
	Class string
	X, W  float64
	N     int
}

// chartWidth is the SVG bar's width in user units.
const chartWidth = 300

type todayData struct {
	Units    []unitToday
	Totals   unitToday
	Offline  []kiosk
	Backlog  []kiosk
	Clock    []kiosk
	Waiting  int
	NoUnits  bool
	DateText string
}

// codeKey is how the LH (GET /api/v1/recap/daily) writes a row's day
// code. Rows are flat objects and a string containing these bytes would be
// escaped (\"), so each occurrence is one row's code: counting them spares
// decoding every row of every unit (a regency's Today reads 10,000 rows;
// decoding them cost the page 50-200 ms more than the API calls).
var codeKey = []byte(`"code":"`)

// countCodes counts the rows of an LH JSON body by day code.
func countCodes(body []byte) map[string]int {
	out := map[string]int{}
	for {
		i := bytes.Index(body, codeKey)
		if i < 0 {
			return out
		}
		body = body[i+len(codeKey):]
		j := bytes.IndexByte(body, '"')
		if j < 0 {
			return out
		}
		out[string(body[:j])]++
		body = body[j:]
	}
}

// todayPage is the LH page size Today asks for (the API's largest).
const todayPage = 1000

// unitToday counts the unit's LH of today by code, the recap's own
// verdicts: exceptions count as exceptions and a day a kiosk has not yet
// synced is BS (pending), never TK.
func (c *Console) unitToday(r *http.Request, v *view, unit string) (unitToday, error) {
	tok, err := c.token(r, v.s)
	if err != nil {
		return unitToday{}, err
	}
	loc := c.opt.Schedule(unit).Location()
	now := c.opt.Now().In(loc)
	u := unitToday{Unit: unit, Date: attendance.DateOf(now, loc).String(), Zone: zoneName(now)}
	for off := 0; ; {
		q := url.Values{"unit": {unit}, "offset": {strconv.Itoa(off)}, "limit": {strconv.Itoa(todayPage)}}
		res := c.call(r, tok, http.MethodGet, "/api/v1/recap/daily?"+q.Encode(), nil)
		if res.status != http.StatusOK {
			return unitToday{}, &apiError{status: res.status, msg: res.message()}
		}
		rows := 0
		for code, n := range countCodes(res.body.Bytes()) {
			rows += n
			u.count(code, n)
		}
		if off += rows; rows < todayPage {
			break
		}
	}
	var manual struct {
		Events []struct{} `json:"events"`
	}
	if err := c.get(r, v.s, "/api/v1/manual-events?unit="+url.QueryEscape(unit)+"&status=pending", &manual); err != nil {
		return unitToday{}, err
	}
	u.Waiting = len(manual.Events)
	u.Bars, u.Label = bars(u), barLabel(v, u)
	return u, nil
}

// count adds n rows of day code to the unit's counts.
func (u *unitToday) count(code string, n int) {
	switch code {
	case attendance.CodeHoliday, attendance.CodeCollective, attendance.CodeOff:
		return // not a working day
	case attendance.CodePresent, attendance.CodeEarly:
		u.Present += n
	case attendance.CodeLate, attendance.CodeLateEarly:
		u.Present += n
		u.Late += n
	case attendance.CodeAbsent, attendance.CodeNotYet:
		u.Absent += n // no record (yet)
	case attendance.CodePending:
		u.Pending += n
	default:
		u.Exception += n // an approved exception's type
	}
	u.Total += n
}

// bars lays out present (on time), late, exception, pending and absent
// along the chart's width.
func bars(u unitToday) []bar {
	if u.Total == 0 {
		return nil
	}
	var out []bar
	x := 0.0
	for _, s := range []struct {
		class string
		n     int
	}{{"ok", u.Present - u.Late}, {"late", u.Late}, {"exc", u.Exception}, {"pend", u.Pending}, {"abs", u.Absent}} {
		if s.n == 0 {
			continue
		}
		w := float64(s.n) * chartWidth / float64(u.Total)
		out = append(out, bar{Class: s.class, X: x, W: w, N: s.n})
		x += w
	}
	return out
}

func (c *Console) handleToday(w http.ResponseWriter, r *http.Request, v *view) error {
	units, err := c.units(r, v)
	if err != nil {
		return err
	}
	d := todayData{NoUnits: len(units) == 0, DateText: v.F.Date(c.opt.Now())}
	d.Totals.Unit = v.T("today.total")
	for _, unit := range units {
		u, err := c.unitToday(r, v, unit)
		if err != nil {
			return err
		}
		d.Units = append(d.Units, u)
		t := &d.Totals
		t.Total += u.Total
		t.Present += u.Present
		t.Late += u.Late
		t.Absent += u.Absent
		t.Exception += u.Exception
		t.Pending += u.Pending
		t.Waiting += u.Waiting
	}
	d.Totals.Bars, d.Totals.Label = bars(d.Totals), barLabel(v, d.Totals)
	d.Waiting = d.Totals.Waiting
	ks, err := c.fleet(r, v)
	if err != nil {
		return err
	}
	for _, k := range ks {
		if k.Offline {
			d.Offline = append(d.Offline, k)
		}
		if k.OldBacklog {
			d.Backlog = append(d.Backlog, k)
		}
		if k.ClockAlert {
			d.Clock = append(d.Clock, k)
		}
	}
	v.Title, v.Data = "today.title", d
	c.render(w, v, "today", http.StatusOK)
	return nil
}

func barLabel(v *view, u unitToday) string {
	return fmt.Sprintf("%s %d, %s %d, %s %d, %s %d, %s %d", v.T("status.ontime"), u.Present-u.Late, v.T("status.late"), u.Late,
		v.T("status.exception"), u.Exception, v.T("status.pending"), u.Pending, v.T("status.absent"), u.Absent)
}
