package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/atomicfile"
	"github.com/glpinet/glpinet/internal/cli"
)

// pendingSuffix names the file beside a bulk-issue --out file that holds
// the SHA-256 of each key of the batch being committed: what the database
// stores, nothing secret.
const pendingSuffix = ".pending"

// defaultBulkBatch is how many keys bulk-issue commits in one transaction.
const defaultBulkBatch = 50_000

// bulkIssue issues count new keys for account, batch keys per transaction,
// into the file out, one per line. out must not exist: it is created with
// mode 0600 and never overwritten.
//
// The file never holds a key the database does not: each batch is
// appended to it, and synced, only once its transaction has committed. No
// other file ever holds a key. If the process dies between a commit and
// the append (a window of milliseconds), that batch's keys are in the
// database but in no file: nobody ever had them, so they cannot be used.
// So that such keys are not unaccounted for, the hashes of the batch being
// committed are first written to OUT.pending, which is removed once the
// batch is in out; a later run with the same --out refuses to touch the
// file and reports what it holds and what happened to that batch
// (bulkFileState).
func bulkIssue(ctx context.Context, db Store, account int64, count, batch int, out string, progress *cli.Progress) error {
	pending := out + pendingSuffix
	if _, err := os.Lstat(pending); err == nil {
		return bulkFileState(ctx, db, out)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return bulkFileState(ctx, db, out)
	} else if err != nil {
		return err
	}
	defer f.Close()
	dir := filepath.Dir(out)
	if err := atomicfile.SyncDir(dir); err != nil {
		return err
	}
	done := 0
	failed := func(err error) error {
		if done == 0 {
			// Nothing committed: leave nothing behind, so that the same
			// command can simply run again.
			f.Close()
			os.Remove(out)
			return err
		}
		return withNote(err, fmt.Sprintf("%s holds the %d keys committed before this failure: hand it over as it is, and issue the keys still needed with another --out.", out, done))
	}
	for done < count {
		n := min(batch, count-done)
		keys := make([]*glpinet.RegistrationKey, n)
		lines := make([]byte, 0, n*64)
		hashes := make([]byte, 0, n*(2*32+1))
		for i := range keys {
			raw, k, err := newKey(account, "bulk")
			if err != nil {
				return failed(err)
			}
			keys[i] = k
			lines = append(append(lines, raw...), '\n')
			hashes = append(hex.AppendEncode(hashes, k.Hash[:]), '\n')
		}
		if err := writePending(pending, hashes); err != nil {
			return failed(err)
		}
		if err := atomicfile.SyncDir(dir); err != nil {
			return failed(err)
		}
		if err := db.CreateKeys(ctx, keys); err != nil {
			// A failed commit may still have committed (a lost answer):
			// the database says which.
			_, ferr := db.FindKeyRecord(context.WithoutCancel(ctx), keys[0].Hash)
			if glpinet.ErrorCode(ferr) != glpinet.ENOTFOUND {
				return failed(withNote(err, fmt.Sprintf("Whether the last batch was committed is unknown: run the same command again once the database answers, and it will tell (from %s).", pending)))
			}
			os.Remove(pending)
			return failed(err)
		}
		// One write: a run killed in the middle of it leaves at most a
		// part of one line.
		if _, err := f.Write(lines); err != nil {
			return failed(err)
		}
		if err := f.Sync(); err != nil {
			return failed(err)
		}
		done += n
		if err := os.Remove(pending); err != nil {
			return failed(err)
		}
		progress.Add(int64(n))
	}
	progress.Done()
	return f.Close()
}

// withNote adds a sentence to err's message, keeping its code.
func withNote(err error, note string) error {
	var e *glpinet.Error
	if errors.As(err, &e) {
		return glpinet.Errorf(e.Code, "%s %s", e.Message, note)
	}
	return fmt.Errorf("%w. %s", err, note)
}

// bulkFile is what a key file holds.
type bulkFile struct {
	keys    int    // complete lines holding a well-formed key
	other   int    // complete lines holding anything else
	partial bool   // the last line has no line break: cut short
	last    string // the last key
	inBatch int    // keys whose hash is in the pending batch
}

// readBulkFile counts the keys in the file at path, and those among them
// whose hash is in batch.
func readBulkFile(path string, batch map[[32]byte]bool) (*bulkFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var bf bulkFile
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			bf.partial = line != ""
			return &bf, nil
		} else if err != nil {
			return nil, err
		}
		key := glpinet.NormalizeKey(line)
		if glpinet.CheckKey(key) != glpinet.KeyOK {
			bf.other++
			continue
		}
		bf.keys++
		bf.last = key
		if batch[glpinet.HashKey(key)] {
			bf.inBatch++
		}
	}
}

// readPending reads the hashes of OUT.pending, in order; none when the
// file does not exist.
func readPending(path string) ([][32]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var hashes [][32]byte
	for _, line := range strings.Fields(string(b)) {
		var h [32]byte
		if n, err := hex.Decode(h[:], []byte(line)); err != nil || n != len(h) {
			return nil, fmt.Errorf("%s is not a list of key hashes written by glpinetd key bulk-issue: move it away", path)
		}
		hashes = append(hashes, h)
	}
	return hashes, nil
}

// bulkFileState is bulk-issue's answer when its --out file (or the
// pending file beside it) already exists: a refusal (ECONFLICT) that says
// what the file holds, what became of the batch a stopped run was
// committing, and what to do.
func bulkFileState(ctx context.Context, db Store, out string) error {
	pending := out + pendingSuffix
	hashes, err := readPending(pending)
	if err != nil {
		return err
	}
	batch := make(map[[32]byte]bool, len(hashes))
	for _, h := range hashes {
		batch[h] = true
	}
	bf, err := readBulkFile(out, batch)
	if errors.Is(err, fs.ErrNotExist) {
		bf, err = nil, nil
	}
	if err != nil {
		return err
	}

	var b strings.Builder
	switch {
	case bf == nil:
		fmt.Fprintf(&b, "%s does not exist, but %s does, left by an earlier bulk-issue into it.", out, pending)
	case bf.other > 0:
		return glpinet.Errorf(glpinet.ECONFLICT, "%s already exists and is not a key file written by bulk-issue (%s): a key file is never overwritten; choose another --out.",
			out, cli.Count(bf.other, "line is not a key", "lines are not keys"))
	case bf.keys == 0:
		fmt.Fprintf(&b, "%s already exists and holds no key: the run that created it stopped before committing its first batch.", out)
	default:
		rec, err := db.FindKeyRecord(ctx, glpinet.HashKey(bf.last))
		if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
			return glpinet.Errorf(glpinet.ECONFLICT, "%s already exists and holds %s that are not in this database (another --data or --database?): a key file is never overwritten; choose another --out.",
				out, cli.Count(bf.keys, "key", "keys"))
		} else if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s already exists and holds %s of account %d, all committed to the database (bulk-issue writes a key only once its batch is committed).",
			out, cli.Count(bf.keys, "key", "keys"), rec.Account.ID)
		if bf.partial {
			b.WriteString(" Its last line is cut short: the run was stopped while writing it.")
		}
	}

	if len(hashes) > 0 {
		_, err := db.FindKeyRecord(ctx, hashes[0])
		switch {
		case glpinet.ErrorCode(err) == glpinet.ENOTFOUND:
			fmt.Fprintf(&b, " The run stopped before committing its next batch (%s): no key of it exists; delete %s.",
				cli.Count(len(hashes), "key", "keys"), pending)
		case err != nil:
			return err
		default:
			written := 0
			if bf != nil {
				written = bf.inBatch
			}
			if lost := len(hashes) - written; lost > 0 {
				// The file holds a batch in its order: what is missing is
				// its end, with consecutive IDs.
				firstLost, err := db.FindKeyRecord(ctx, hashes[written])
				if err != nil {
					return err
				}
				lastLost, err := db.FindKeyRecord(ctx, hashes[len(hashes)-1])
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, " The run stopped between committing its last batch and writing it: %s (IDs %d to %d) %s in the database but in no file."+
					" Nobody ever had them, so they cannot be used (revoke them to tidy the key list, or leave them); delete %s once noted.",
					cli.Count(lost, "key", "keys"), firstLost.Key.ID, lastLost.Key.ID, isAre(lost), pending)
			} else {
				fmt.Fprintf(&b, " Its last batch was committed and written: delete %s.", pending)
			}
		}
	}
	if bf != nil {
		b.WriteString(" A key file is never overwritten: hand this one over as it is, and issue the keys still needed with another --out.")
	}
	return glpinet.Errorf(glpinet.ECONFLICT, "%s", b.String())
}

// writePending creates the pending file at path (which must not exist)
// with the hashes b, synced. Written in place, not through a temporary
// file renamed into place (atomicfile): a run killed meanwhile must leave
// nothing in the folder but its key file and the pending file, which
// bulkFileState reports on (no temporary file for the operator to
// wonder about). The batch is committed only once this file is synced.
func writePending(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
