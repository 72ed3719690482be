package app

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/storage"
)

// syncTab shows the link to the server: online, backlog, last success,
// problems, clock offset, refused events and enrollments; "sync now".
type syncTab struct {
	k        *window
	root     fyne.CanvasObject
	state    *widget.Label
	server   *widget.Label
	pending  *widget.Label
	last     *widget.Label
	problem  *widget.Label
	clock    *widget.Label
	rejected *widget.Label
	conflict *widget.Label
	msg      *widget.Label
}

func newSyncTab(k *window) *syncTab {
	t := &syncTab{k: k, state: bold(""), server: widget.NewLabel(""), pending: widget.NewLabel(""), last: widget.NewLabel(""),
		problem: wrapped(""), clock: widget.NewLabel(""), rejected: wrapped(""), conflict: wrapped(""), msg: widget.NewLabel("")}
	t.problem.Importance = widget.DangerImportance
	t.conflict.Importance = widget.DangerImportance
	now := widget.NewButtonWithIcon(tr("sync.now"), theme.ViewRefreshIcon(), func() {
		k.touch()
		k.svc.Sync.SyncNow()
		t.msg.SetText(tr("sync.requested"))
	})
	now.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(tr("sync.state"), t.state),
		widget.NewFormItem(tr("sync.server"), t.server),
		widget.NewFormItem(tr("sync.pending"), t.pending),
		widget.NewFormItem(tr("sync.last_success"), t.last),
		widget.NewFormItem(tr("sync.clock"), t.clock),
		widget.NewFormItem(tr("sync.problem"), t.problem),
	)
	t.root = container.NewVScroll(container.NewVBox(form, container.NewHBox(now, t.msg),
		widget.NewSeparator(), t.rejected, t.conflict, wrapped(tr("sync.register_hint"))))
	return t
}

func (t *syncTab) content() fyne.CanvasObject { return t.root }
func (t *syncTab) leave()                     {}

func (t *syncTab) shown() {
	t.k.refreshStatus()
	t.refresh()
	k := t.k
	sy := k.svc.Sync
	offUI(k, sy.Rejected, t.showRejected) // refused events, counted once per visit
}

// refresh shows the kiosk's latest sync status.
func (t *syncTab) refresh() {
	s, n := t.k.status, t.k.pending
	switch {
	case !s.Configured:
		t.state.SetText(tr("status.not_configured"))
	case s.Revoked:
		t.state.SetText(tr("status.revoked"))
	case s.Online:
		t.state.SetText(tr("status.online"))
	default:
		t.state.SetText(tr("status.offline"))
	}
	t.server.SetText(orDash(s.ServerURL))
	oldest := ""
	if !s.Oldest.IsZero() {
		oldest = dateTimeText(s.Oldest.In(t.k.location()))
	}
	t.pending.SetText(trf("sync.pending_value", map[string]any{"N": strconv.Itoa(n), "Oldest": orDash(oldest)}))
	last := tr("common.never")
	if !s.LastSuccess.IsZero() {
		last = dateTimeText(s.LastSuccess.In(t.k.location()))
	}
	t.last.SetText(last)
	t.clock.SetText(trf("sync.clock_value", map[string]any{"Offset": s.ClockOffset.Round(1e6).String()}))
	if s.Problem != "" {
		t.problem.SetText(tr("sync.problem."+s.Problem) + " " + s.LastError)
	} else {
		t.problem.SetText(tr("sync.problem.none"))
	}
	t.conflict.SetText("")
	for _, c := range s.Conflicts {
		t.conflict.SetText(t.conflict.Text + trf("sync.conflict", map[string]any{"NIP": c.NIP, "Other": c.ConflictName,
			"OtherNIP": c.ConflictNIP}) + "\n")
	}
}

func (t *syncTab) showRejected(rej []storage.Event, err error) {
	if err != nil {
		t.rejected.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
		return
	}
	text := trf("sync.rejected", map[string]any{"N": strconv.Itoa(len(rej))})
	for i, e := range rej {
		if i == 10 {
			break
		}
		text += "\n" + e.Time.In(t.k.location()).Format("2006-01-02 15:04") + "  " + e.NIP + "  " + e.RejectReason
	}
	t.rejected.SetText(text)
}

// orDash shows "-" for an empty value.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
