package testkit

import (
	"crypto/rand"
	"database/sql"
	"os"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// CorruptTable damages the SQLite database file at path as a failing disk
// or a stray write would: it overwrites with random bytes one leaf page of
// table's b-tree (from the middle, not its root, so that the schema and
// the table's first rows still read) and returns that page's number. No
// connection may have the database open. The write-ahead log is
// checkpointed into the file first, so that the damage is not hidden by a
// newer copy of the page in the -wal file.
func CorruptTable(t testing.TB, path, table string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var pageSize int64
	var busy, logged, done int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done); err != nil || busy != 0 {
		t.Fatalf("checkpoint %s: busy %d, %v", path, busy, err)
	}
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	var pages []int64
	rows, err := db.Query(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`, table)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(pages) < 3 {
		t.Fatalf("table %s has %d leaf pages: add rows, so that one in the middle can be damaged", table, len(pages))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	page := pages[len(pages)/2]
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	garbage := make([]byte, pageSize)
	rand.Read(garbage)
	garbage[0] = 0xff // no page type: random bytes found damaged every time
	if _, err := f.WriteAt(garbage, (page-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return page
}
