package app

import (
	"context"
	"errors"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/storage"
)

// loginForm is the operator PIN screen (or, on a fresh store, the form
// that creates the first admin).
type loginForm struct {
	k     *window
	name  *widget.Select
	pin   *widget.Entry
	pin2  *widget.Entry // first admin: repeat
	newN  *widget.Entry // first admin: name
	msg   *widget.Label
	ok    *widget.Button
	first bool
	busy  bool
	lock  storage.LoginLock // the store's lockout, as last read
}

// loginScreen builds the login (or first-admin) screen.
func (k *window) loginScreen() fyne.CanvasObject {
	ops, err := k.svc.Store.Operators(k.ctx)
	f := &loginForm{k: k, pin: widget.NewPasswordEntry(), msg: wrapped(""), first: err == nil && len(ops) == 0}
	k.login = f
	f.msg.Importance = widget.DangerImportance
	back := widget.NewButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), func() {
		k.login = nil
		k.afterAuth = nil
		k.showCheckin()
	})
	var body *fyne.Container
	if f.first {
		f.newN, f.pin2 = widget.NewEntry(), widget.NewPasswordEntry()
		f.ok = widget.NewButtonWithIcon(tr("login.create_admin"), theme.ConfirmIcon(), f.createAdmin)
		body = container.NewVBox(
			heading(tr("login.first_title")),
			wrapped(tr("login.first_explain")),
			widget.NewForm(
				widget.NewFormItem(tr("field.operator_name"), f.newN),
				widget.NewFormItem(tr("field.pin"), f.pin),
				widget.NewFormItem(tr("field.pin_repeat"), f.pin2),
			),
		)
	} else {
		names := make([]string, 0, len(ops))
		for _, o := range ops {
			names = append(names, o.Name)
		}
		f.name = widget.NewSelect(names, nil)
		f.name.PlaceHolder = tr("login.choose_name")
		if len(names) == 1 {
			f.name.SetSelectedIndex(0)
		}
		f.ok = widget.NewButtonWithIcon(tr("login.submit"), theme.LoginIcon(), f.submit)
		body = container.NewVBox(
			heading(tr("login.title")),
			widget.NewForm(
				widget.NewFormItem(tr("field.operator_name"), f.name),
				widget.NewFormItem(tr("field.pin"), f.pin),
			),
		)
	}
	f.ok.Importance = widget.HighImportance
	f.pin.OnSubmitted = func(string) { f.ok.OnTapped() }
	body.Add(keypad(func(d string) { f.pin.SetText(f.pin.Text + d) }, func() {
		if n := len(f.pin.Text); n > 0 {
			f.pin.SetText(f.pin.Text[:n-1])
		}
	}))
	body.Add(f.msg)
	body.Add(container.NewHBox(back, layout.NewSpacer(), f.ok))
	if !f.first {
		st := k.svc.Store
		offUI(k, st.OperatorLogin, func(l storage.LoginLock, err error) { // the lockout survives restarts
			if err == nil {
				f.lock = l
				k.refreshLoginLock(k.now())
			}
		})
	}
	return container.NewCenter(container.NewStack(sizedBox(520, 0), container.NewPadded(body)))
}

// refreshLoginLock shows the lockout and disables the button while it
// lasts (called every tick on the login screen).
func (k *window) refreshLoginLock(now time.Time) {
	f := k.login
	if f == nil || f.first {
		return
	}
	if f.lock.Locked(now) {
		f.msg.SetText(trf("login.locked", map[string]any{"Until": clockText(f.lock.Until.In(k.location())),
			"Minutes": strconv.Itoa(int(storage.DefaultOperatorLockout / time.Minute))}))
		f.ok.Disable()
		return
	}
	if f.ok.Disabled() && !f.busy {
		f.ok.Enable()
		f.msg.SetText("")
	}
}

// submit checks the PIN off the UI thread (argon2id takes ~50 ms and the
// store writes an audit entry either way).
func (f *loginForm) submit() {
	k := f.k
	now := k.now()
	if f.lock.Locked(now) || f.busy {
		k.refreshLoginLock(now)
		return
	}
	name, pin := f.name.Selected, f.pin.Text
	if name == "" {
		f.msg.SetText(tr("login.choose_name"))
		return
	}
	f.busy = true
	f.ok.Disable()
	st := k.svc.Store
	type checked struct {
		op   storage.Operator
		lock storage.LoginLock
	}
	offUI(k, func(ctx context.Context) (checked, error) { // the store counts it towards the lockout
		op, err := st.VerifyOperator(ctx, name, pin)
		l, lerr := st.OperatorLogin(ctx)
		if lerr != nil && err == nil {
			err = lerr
		}
		return checked{op, l}, err
	}, func(c checked, err error) { f.result(c.op, err, c.lock) })
}

// result applies a PIN check: a session, one more failure towards the
// lockout, or the lockout (audited by the store when it starts).
func (f *loginForm) result(op storage.Operator, err error, l storage.LoginLock) {
	k := f.k
	f.busy = false
	f.ok.Enable()
	f.pin.SetText("")
	f.lock = l
	now := k.now()
	switch {
	case err == nil:
		k.ops.Lock.Start(now, op)
		k.login = nil
		k.loggedIn()
	case errors.Is(err, storage.ErrLoginLocked) || l.Locked(now):
		k.refreshLoginLock(now)
	case errors.Is(err, storage.ErrBadCredentials):
		f.msg.SetText(trf("login.wrong", map[string]any{"Left": strconv.Itoa(l.Left)}))
	default:
		f.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
	}
}

// createAdmin creates the first operator (an admin) on a fresh kiosk and
// logs them in. Audited by the store as an operator change.
func (f *loginForm) createAdmin() {
	k := f.k
	name, pin := f.newN.Text, f.pin.Text
	switch {
	case name == "":
		f.msg.SetText(tr("login.name_missing"))
		return
	case storage.ValidateOperatorPIN(pin) != nil:
		f.msg.SetText(tr("login.pin_rule"))
		return
	case pin != f.pin2.Text:
		f.msg.SetText(tr("login.pin_mismatch"))
		return
	}
	if f.busy {
		return
	}
	f.busy = true
	f.ok.Disable()
	st := k.svc.Store
	offUI(k, func(ctx context.Context) (storage.Operator, error) {
		ctx = storage.WithActor(ctx, name)
		op, err := st.PutOperator(ctx, name, storage.RoleAdmin, pin)
		if err != nil {
			return op, err
		}
		return op, st.RecordAudit(ctx, storage.Audit{Actor: name, Action: storage.ActionLogin, Subject: name, Detail: "first admin created"})
	}, func(op storage.Operator, err error) {
		f.busy = false
		f.ok.Enable()
		if err != nil {
			f.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		if k.login != f {
			return // the form was left meanwhile
		}
		k.ops.Lock.Start(k.now(), op)
		k.login = nil
		k.loggedIn()
	})
}
