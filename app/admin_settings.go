package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// settingsTab is the admin's settings: camera (with live test), server
// registration, recognition thresholds and liveness, schedule file,
// language and operators. Every change is audited by the store.
type settingsTab struct {
	k        *window
	root     fyne.CanvasObject
	cam      *cameraPanel
	url      *widget.Entry
	code     *widget.Entry
	device   *widget.Entry
	regMsg   *widget.Label
	thresh   *widget.Entry
	margin   *widget.Entry
	liveness *widget.Select
	adapt    *widget.Check // learn faces from check-ins (kiosk.SettingAdapt)
	recMsg   *widget.Label
	sched    *widget.Entry
	schedMsg *widget.Label
	lang     *widget.Select
	opName   *widget.Entry
	opRole   *widget.Select
	opPIN    *widget.Entry
	opMsg    *widget.Label
}

// livenessModes in the order the chooser lists them.
var livenessModes = []checkin.LivenessMode{checkin.LivenessOff, checkin.LivenessBlink, checkin.LivenessChallenge}

var roles = []storage.OperatorRole{storage.RoleOperator, storage.RoleAdmin, storage.RoleAuditor}

func newSettingsTab(k *window) *settingsTab {
	t := &settingsTab{k: k, cam: newCameraPanel(k, false), url: widget.NewEntry(), code: widget.NewEntry(), device: widget.NewEntry(),
		regMsg: wrapped(""), thresh: widget.NewEntry(), margin: widget.NewEntry(), recMsg: wrapped(""),
		sched: widget.NewEntry(), schedMsg: wrapped(""), opName: widget.NewEntry(), opPIN: widget.NewPasswordEntry(), opMsg: wrapped("")}
	for _, e := range []*widget.Entry{t.url, t.code, t.device, t.thresh, t.margin, t.sched, t.opName, t.opPIN} {
		e.OnChanged = func(string) { k.touch() }
	}
	t.url.SetPlaceHolder(tr("settings.server_placeholder"))
	t.sched.SetPlaceHolder(tr("settings.schedule_placeholder"))
	var modes []string
	for _, m := range livenessModes {
		modes = append(modes, tr("liveness."+string(m)))
	}
	t.liveness = widget.NewSelect(modes, func(string) { k.touch() })
	t.adapt = widget.NewCheck(tr("settings.adapt"), func(bool) { k.touch() })
	t.lang = widget.NewSelect([]string{tr("language.id"), tr("language.en")}, nil)
	var roleNames []string
	for _, r := range roles {
		roleNames = append(roleNames, tr("role."+string(r)))
	}
	t.opRole = widget.NewSelect(roleNames, func(string) { k.touch() })
	t.opRole.SetSelectedIndex(0)

	register := widget.NewButtonWithIcon(tr("settings.register"), theme.MailSendIcon(), t.register)
	saveRec := widget.NewButtonWithIcon(tr("common.save"), theme.DocumentSaveIcon(), t.saveRecognition)
	saveSched := widget.NewButtonWithIcon(tr("common.save"), theme.DocumentSaveIcon(), t.saveSchedule)
	addOp := widget.NewButtonWithIcon(tr("settings.operator_save"), theme.ContentAddIcon(), t.saveOperator)

	section := func(title string, objs ...fyne.CanvasObject) fyne.CanvasObject {
		return widget.NewCard(title, "", container.NewVBox(objs...))
	}
	t.root = container.NewVScroll(container.NewVBox(
		section(tr("settings.camera"), t.cam.root),
		section(tr("settings.server"), wrapped(tr("settings.server_explain")), widget.NewForm(
			widget.NewFormItem(tr("settings.server_url"), t.url),
			widget.NewFormItem(tr("settings.code"), t.code),
			widget.NewFormItem(tr("settings.device_name"), t.device),
		), register, t.regMsg),
		section(tr("settings.recognition"), widget.NewForm(
			widget.NewFormItem(tr("settings.threshold"), t.thresh),
			widget.NewFormItem(tr("settings.margin"), t.margin),
			widget.NewFormItem(tr("settings.liveness"), t.liveness),
		), t.adapt, wrapped(tr("settings.recognition_explain")), saveRec, t.recMsg),
		section(tr("settings.schedule"), wrapped(tr("settings.schedule_explain")), t.sched, saveSched, t.schedMsg),
		section(tr("settings.language"), t.lang),
		section(tr("settings.operators"), widget.NewForm(
			widget.NewFormItem(tr("field.operator_name"), t.opName),
			widget.NewFormItem(tr("settings.role"), t.opRole),
			widget.NewFormItem(tr("field.pin"), t.opPIN),
		), addOp, t.opMsg),
	))
	return t
}

func (t *settingsTab) content() fyne.CanvasObject { return t.root }
func (t *settingsTab) leave()                     {}
func (t *settingsTab) refresh()                   { t.cam.update() }

// shown loads the current values.
func (t *settingsTab) shown() {
	k := t.k
	t.cam.spec.SetText(k.cam.spec)
	t.cam.update()
	t.url.SetText(k.status.ServerURL)
	t.device.SetText(k.ops.Setting(kiosk.SettingDevice, ""))
	o, err := k.ops.PipelineOptions()
	if err != nil {
		o = checkin.DefaultOptions()
		t.recMsg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
	}
	t.thresh.SetText(strconv.FormatFloat(o.Policy.Threshold, 'f', 2, 64))
	t.margin.SetText(strconv.FormatFloat(o.Policy.Margin, 'f', 2, 64))
	for i, m := range livenessModes {
		if m == o.Liveness {
			t.liveness.SetSelectedIndex(i)
		}
	}
	t.adapt.SetChecked(k.ops.Setting(kiosk.SettingAdapt, "on") != "off")
	t.sched.SetText(k.ops.Setting(kiosk.SettingSchedule, ""))
	t.lang.OnChanged = nil
	if currentLanguage == "en" {
		t.lang.SetSelectedIndex(1)
	} else {
		t.lang.SetSelectedIndex(0)
	}
	t.lang.OnChanged = func(string) { t.switchLanguage() }
}

// register exchanges a one-time code for a device token (network call
// off the UI thread; the sync worker saves and audits it).
func (t *settingsTab) register() {
	k := t.k
	k.touch()
	url, code, name := strings.TrimSpace(t.url.Text), strings.TrimSpace(t.code.Text), strings.TrimSpace(t.device.Text)
	if url == "" || code == "" || name == "" {
		t.regMsg.SetText(tr("settings.register_missing"))
		return
	}
	t.regMsg.SetText(tr("settings.registering"))
	ops, sy := k.ops, k.svc.Sync
	offUI(k, func(ctx context.Context) (struct{}, error) {
		if err := ops.SetSettings(ctx, [2]string{kiosk.SettingDevice, name}); err != nil {
			return struct{}{}, err
		}
		rctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		defer cancel()
		if err := sy.Register(rctx, url, code, name); err != nil {
			return struct{}{}, fmt.Errorf("register: %w", err)
		}
		return struct{}{}, nil
	}, func(_ struct{}, err error) {
		if err != nil {
			t.regMsg.SetText(trf("settings.register_failed", map[string]any{"Why": tr(kiosk.SyncErrorKey(err)), "Error": err.Error()}))
			return
		}
		t.code.SetText("")
		t.regMsg.SetText(tr("settings.registered"))
		k.refreshStatus()
	})
}

// saveRecognition validates and saves the thresholds and liveness mode;
// the pipeline is rebuilt with them when check-in resumes.
func (t *settingsTab) saveRecognition() {
	k := t.k
	k.touch()
	th, err := kiosk.ParseThreshold(strings.TrimSpace(t.thresh.Text))
	if err != nil {
		t.recMsg.SetText(tr("settings.threshold_rule"))
		return
	}
	mg, err := kiosk.ParseMargin(strings.TrimSpace(t.margin.Text))
	if err != nil {
		t.recMsg.SetText(tr("settings.margin_rule"))
		return
	}
	i := t.liveness.SelectedIndex()
	if i < 0 {
		i = 1
	}
	def := recognition.DefaultPolicy()
	k.saveSettings(func(err error) {
		if err != nil {
			t.recMsg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		msg := tr("settings.saved")
		if th > def.Threshold || mg < def.Margin {
			msg += " " + tr("settings.looser_warning")
		}
		t.recMsg.SetText(msg)
	}, [2]string{kiosk.SettingThreshold, strconv.FormatFloat(th, 'f', 3, 64)},
		[2]string{kiosk.SettingMargin, strconv.FormatFloat(mg, 'f', 3, 64)},
		[2]string{kiosk.SettingLiveness, string(livenessModes[i])},
		[2]string{kiosk.SettingAdapt, map[bool]string{true: "on", false: "off"}[t.adapt.Checked]})
}

// saveSchedule checks the schedule file loads before saving its path.
func (t *settingsTab) saveSchedule() {
	k := t.k
	k.touch()
	path := strings.TrimSpace(t.sched.Text)
	if path != "" {
		if _, err := attendance.Load(path); err != nil {
			t.schedMsg.SetText(trf("settings.schedule_invalid", map[string]any{"Error": err.Error()}))
			return
		}
	}
	k.saveSettings(func(err error) {
		if err != nil {
			t.schedMsg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		t.schedMsg.SetText(tr("settings.saved"))
	}, [2]string{kiosk.SettingSchedule, path})
}

// switchLanguage changes the interface language at once and keeps it.
func (t *settingsTab) switchLanguage() {
	k := t.k
	k.touch()
	code := "id"
	if t.lang.SelectedIndex() == 1 {
		code = "en"
	}
	if code == currentLanguage {
		return
	}
	if err := SetLanguage(code); err != nil {
		return
	}
	k.saveSettings(func(error) {}, [2]string{kiosk.SettingLanguage, code})
	k.ops.Cfg.Lang = ""
	k.rebuild()
}

// saveOperator creates an operator or changes their role and PIN.
func (t *settingsTab) saveOperator() {
	k := t.k
	k.touch()
	name, pin := strings.TrimSpace(t.opName.Text), t.opPIN.Text
	if name == "" {
		t.opMsg.SetText(tr("login.name_missing"))
		return
	}
	if storage.ValidateOperatorPIN(pin) != nil {
		t.opMsg.SetText(tr("login.pin_rule"))
		return
	}
	role := roles[max(t.opRole.SelectedIndex(), 0)]
	st := k.svc.Store
	offUI(k, func(ctx context.Context) (storage.Operator, error) {
		return st.PutOperator(ctx, name, role, pin)
	}, func(_ storage.Operator, err error) {
		if err != nil {
			t.opMsg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		t.opName.SetText("")
		t.opPIN.SetText("")
		t.opMsg.SetText(trf("settings.operator_saved", map[string]any{"Name": name, "Role": tr("role." + string(role))}))
	})
}
