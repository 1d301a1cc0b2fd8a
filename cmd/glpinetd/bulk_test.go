package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
)

// TestBulkIssueKilled runs the real command, glpinetd key bulk-issue (this
// test binary, which testscript.Main installs on PATH as glpinetd), and
// kills it with SIGKILL at random moments: whenever it dies, its file holds
// only keys the database has, no other file holds a key, and every key in
// the database is accounted for: in a file, or in the pending batch a run
// committed but did not write, which running it again reports.
func TestBulkIssueKilled(t *testing.T) {
	bin, err := exec.LookPath("glpinetd")
	if err != nil {
		t.Fatal(err)
	}
	ctx := glpinet.WithActor(t.Context(), "test")
	dir := t.TempDir()
	sf := storeFlags{data: filepath.Join(dir, "data")}
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	db.Close()

	bulk := func(out string, count, batch int) *exec.Cmd {
		cmd := exec.CommandContext(t.Context(), bin, "key", "bulk-issue", "--data", sf.data, "--account", strconv.FormatInt(a.ID, 10),
			"--count", strconv.Itoa(count), "--batch", strconv.Itoa(batch), "--out", out)
		cmd.Stdout, cmd.Stderr = new(bytes.Buffer), new(bytes.Buffer)
		return cmd
	}

	// A complete run first, which also measures how long the command takes
	// to start (much longer with -race): the kills below come that long
	// plus 20 to 400 ms after each start, in the middle of the work.
	complete := filepath.Join(outDir, "complete.txt")
	start := time.Now()
	if cmd := bulk(complete, 1, 1); cmd.Run() != nil {
		t.Fatalf("bulk-issue: %s", cmd.Stderr)
	}
	startup := time.Since(start)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	const runs, count, batch = 5, 20_000, 500
	var outs []string
	killed := 0
	for i := range runs {
		out := filepath.Join(outDir, fmt.Sprintf("keys-%d.txt", i))
		outs = append(outs, out)
		cmd := bulk(out, count, batch)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		delay := startup + 20*time.Millisecond + time.Duration(rng.Int64N(int64(380*time.Millisecond)))
		select {
		case err = <-done:
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			err = <-done
		}
		if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			killed++
			t.Logf("run %d killed after %v", i, delay)
		} else if err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, cmd.Stderr)
		} else {
			t.Logf("run %d finished within %v", i, delay)
		}
	}
	if killed == 0 {
		t.Fatalf("every run finished before it was killed: make them longer")
	}

	outs = append(outs, complete)

	db, err = sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, err := glpinet.All(func(p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) { return db.ListKeys(ctx, a.ID, p) })
	if err != nil {
		t.Fatal(err)
	}
	inDB := map[[32]byte]bool{}
	for _, k := range stored {
		inDB[k.Hash] = true
	}

	inFiles, unwritten := map[[32]byte]bool{}, 0
	type fileState struct{ keys, unwritten int }
	states := map[string]fileState{}
	for _, out := range outs {
		b, err := os.ReadFile(out)
		if errors.Is(err, fs.ErrNotExist) {
			t.Logf("%s: killed before it created the file", filepath.Base(out))
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(out); err != nil {
			t.Fatal(err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", out, fi.Mode().Perm())
		}
		lines := strings.SplitAfter(string(b), "\n")
		if last := lines[len(lines)-1]; last != "" {
			// SIGKILL during the write of a batch: a part of one line, of a
			// committed key.
			t.Logf("%s ends with a partial line (%d bytes)", filepath.Base(out), len(last))
		}
		n := 0
		for _, line := range lines[:len(lines)-1] {
			key := strings.TrimSuffix(line, "\n")
			if p := glpinet.CheckKey(key); p != glpinet.KeyOK {
				t.Fatalf("%s: line %q is not a key: %s", out, key, p)
			}
			h := glpinet.HashKey(key)
			if !inDB[h] {
				t.Fatalf("%s holds key %s… that the database does not", out, glpinet.KeyDisplayPrefix(key))
			}
			if inFiles[h] {
				t.Fatalf("%s: key %s… is in two files", out, glpinet.KeyDisplayPrefix(key))
			}
			inFiles[h] = true
			n++
		}
		st := fileState{keys: n}
		pending, err := os.ReadFile(out + pendingSuffix)
		if err == nil {
			for _, line := range strings.Fields(string(pending)) {
				var h [32]byte
				if _, err := hex.Decode(h[:], []byte(line)); err != nil {
					t.Fatalf("%s%s: %q is not a hash", out, pendingSuffix, line)
				}
				if inDB[h] && !inFiles[h] {
					st.unwritten++
				}
			}
		}
		unwritten += st.unwritten
		states[out] = st
		t.Logf("%s: %d keys; pending batch: %v, %d keys of it committed and not written", filepath.Base(out), n, err == nil, st.unwritten)
	}
	if got, want := len(stored), len(inFiles)+unwritten; got != want {
		t.Errorf("the database has %d keys, the files %d and the pending batches %d more: %d unaccounted for", got, len(inFiles), unwritten, got-want)
	}
	t.Logf("%d runs killed; %d keys in the database, %d in files, %d committed but never written", killed, len(stored), len(inFiles), unwritten)

	// No other file holds a key, and nothing but key files and pending
	// batches was left in the folder.
	entries, err := os.ReadDir(outDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, pendingSuffix) {
			b, err := os.ReadFile(filepath.Join(outDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(glpinet.KeyPrefix)) {
				t.Errorf("%s holds a key", name)
			}
			continue
		}
		if !strings.HasPrefix(name, "keys-") && name != "complete.txt" {
			t.Errorf("unexpected file %s left in the folder", name)
		}
	}
	if _, err := os.Stat(complete + pendingSuffix); err == nil {
		t.Errorf("a complete run left %s%s", complete, pendingSuffix)
	}

	// Running again into a file refuses, and says what it holds and what
	// became of the batch the run was committing when it was killed.
	midway := 0
	for _, out := range outs {
		st, ok := states[out]
		if !ok {
			continue
		}
		if st.keys > 0 && st.keys < count && out != complete {
			midway++
		}
		cmd := bulk(out, 10, batch)
		err := cmd.Run()
		stderr := cmd.Stderr.(*bytes.Buffer).String()
		want := []string{"never overwritten", fmt.Sprintf("holds %s of account %d, all committed", cli.Count(st.keys, "key", "keys"), a.ID)}
		if st.keys == 0 {
			want[1] = "holds no key"
		}
		if n := st.unwritten; n > 0 {
			want = append(want, fmt.Sprintf("%d keys (IDs", n), "in no file")
		}
		for _, w := range want {
			if err == nil || !strings.Contains(stderr, w) {
				t.Fatalf("bulk-issue into %s again: %v, %q; want it refused with %q", filepath.Base(out), err, stderr, w)
			}
		}
		t.Logf("%s", stderr)
	}
	if midway == 0 {
		t.Errorf("no run was killed in the middle of its work")
	}
}

// TestBulkFileState: what bulk-issue says when its --out file exists, for
// each state a stopped run can leave (made here by hand, so that every one
// is covered whatever the kills above hit).
func TestBulkFileState(t *testing.T) {
	ctx := glpinet.WithActor(t.Context(), "test")
	sf := storeFlags{data: filepath.Join(t.TempDir(), "data")}
	db, err := sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	// batch returns n new keys and their lines; committed ones are stored.
	batch := func(n int, committed bool) (lines, hashes string, keys []*glpinet.RegistrationKey) {
		for range n {
			raw, k, err := newKey(a.ID, "bulk")
			if err != nil {
				t.Fatal(err)
			}
			lines += raw + "\n"
			hashes += hex.EncodeToString(k.Hash[:]) + "\n"
			keys = append(keys, k)
		}
		if committed {
			if err := db.CreateKeys(ctx, keys); err != nil {
				t.Fatal(err)
			}
		}
		return lines, hashes, keys
	}
	written, _, _ := batch(3, true)
	lost, lostHashes, lostKeys := batch(4, true)
	_, neverHashes, _ := batch(2, false)
	foreignKey, _, _ := batch(1, false) // a well-formed key the database does not have

	tests := []struct {
		name, file, pending string
		noFile              bool
		want                []string
	}{
		{name: "complete", file: written,
			want: []string{"holds 3 keys of account 1, all committed", "never overwritten"}},
		{name: "committed, not written", file: written, pending: lostHashes,
			want: []string{"holds 3 keys", fmt.Sprintf("4 keys (IDs %d to %d) are in the database but in no file", lostKeys[0].ID, lostKeys[3].ID), "cannot be used"}},
		{name: "committed, partly written", file: written + lost[:strings.IndexByte(lost, '\n')+10], pending: lostHashes,
			want: []string{"holds 4 keys", "last line is cut short", fmt.Sprintf("3 keys (IDs %d to %d)", lostKeys[1].ID, lostKeys[3].ID)}},
		{name: "committed and written", file: written + lost, pending: lostHashes,
			want: []string{"holds 7 keys", "last batch was committed and written"}},
		{name: "not committed", file: written, pending: neverHashes,
			want: []string{"holds 3 keys", "before committing its next batch (2 keys): no key of it exists"}},
		{name: "stopped before the first batch", file: "", pending: neverHashes,
			want: []string{"holds no key", "no key of it exists"}},
		{name: "file deleted, pending left", noFile: true, pending: lostHashes,
			want: []string{"does not exist, but", "4 keys (IDs"}},
		{name: "not a key file", file: "hello\n",
			want: []string{"not a key file written by bulk-issue (1 line is not a key)"}},
		{name: "another database's keys", file: foreignKey,
			want: []string{"holds 1 key that are not in this database"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "keys.txt")
			if !tt.noFile {
				if err := os.WriteFile(out, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tt.pending != "" {
				if err := os.WriteFile(out+pendingSuffix, []byte(tt.pending), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := bulkIssue(ctx, db, a.ID, 10, 5, out, cli.NewProgress(io.Discard, 10, ""))
			if glpinet.ErrorCode(err) != glpinet.ECONFLICT {
				t.Fatalf("bulkIssue into an existing file = %v, want ECONFLICT", err)
			}
			msg := glpinet.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q\nlacks %q", msg, w)
				}
			}
			if b, _ := os.ReadFile(out); string(b) != tt.file {
				t.Errorf("the file was changed")
			}
		})
	}
}
