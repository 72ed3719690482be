package app

import "context"

// offUI is the one bridge between the screens and slow work: it runs
// work (store writes: argon2 hashing, fsync; sync and camera calls) on a
// goroutine owned by the window and hands its result to done on the UI
// goroutine (fyne.Do, or the tests' queue). The UI never waits for the
// disk or the network, and done is dropped once the kiosk has shut down.
// The work gets the kiosk's context with the logged-in operator named
// for the audit log. Call it on the UI goroutine.
func offUI[T any](k *window, work func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := k.ops.Actor()
	k.working++
	k.bg.Add(1)
	go func() { // one piece of work; ends when work returns
		defer k.bg.Done()
		v, err := work(ctx)
		k.do(func() {
			k.working--
			done(v, err)
		})
	}()
}
