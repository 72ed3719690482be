package app

import "context"

// offUI runs work (store writes: argon2 hashing, fsync) on a goroutine
// owned by the kiosk and hands its result to done on the UI goroutine
// (fyne.Do, or the tests' queue). The UI never waits for the disk, and
// done is dropped once the kiosk has shut down. The work gets the kiosk's
// context with the logged-in operator named for the audit log.
func offUI[T any](k *kiosk, work func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := k.actor()
	k.bg.Add(1)
	go func() { // one piece of store work; ends when work returns
		defer k.bg.Done()
		v, err := work(ctx)
		k.do(func() { done(v, err) })
	}()
}
