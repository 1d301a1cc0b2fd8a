package postgres

import "time"

// SetListenIdle sets how long db's ListenChanges waits before checking its
// connection.
func SetListenIdle(db *DB, d time.Duration) { db.listenIdle = d }
