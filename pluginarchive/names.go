package pluginarchive

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/glpinet/glpinet"
)

// Bounds on entry names. They match Linux's NAME_MAX and are well under
// PATH_MAX, so that anything accepted can be extracted; they also bound the
// memory the duplicate detection holds per entry.
const (
	maxNameLen      = 1024 // bytes in a whole normalised path
	maxComponentLen = 255  // bytes in one path component
)

// checkEntryName validates an entry name as stored in the archive and
// returns it normalised: relative, slash-separated, without "." components,
// empty components or a trailing slash. dirHint reports whether the stored
// name ended with a slash, which is how zip (and old tar) mark folders.
//
// It rejects every name an extractor could resolve outside its target
// directory, or resolve differently on another operating system: absolute
// paths, ".." components, backslashes (a separator on Windows), drive
// letters, NUL bytes and other control characters, and invalid UTF-8 (whose
// meaning depends on the extracting system's locale).
//
// A name that normalises to "" (such as "./", which tar writes for the
// directory it was run in) is returned as "" without error; the caller
// decides whether such an entry is acceptable.
func checkEntryName(raw string) (clean string, dirHint bool, err error) {
	invalid := func(why string) (string, bool, error) {
		return "", false, glpinet.Errorf(glpinet.EINVALID, "invalid entry %q: %s", raw, why)
	}
	switch {
	case raw == "":
		return invalid("the name is empty")
	case strings.IndexByte(raw, 0) >= 0:
		return invalid("the name contains a NUL byte")
	case !utf8.ValidString(raw):
		return invalid("the name is not valid UTF-8")
	case strings.ContainsFunc(raw, unicode.IsControl):
		return invalid("the name contains a control character")
	case strings.IndexByte(raw, '\\') >= 0:
		return invalid(`the name contains a backslash; folders must be separated with "/"`)
	case raw[0] == '/':
		return invalid("absolute paths are not allowed")
	case len(raw) >= 2 && raw[1] == ':' && isASCIILetter(raw[0]):
		return invalid("the name starts with a drive letter")
	}
	dirHint = strings.HasSuffix(raw, "/")
	parts := make([]string, 0, strings.Count(raw, "/")+1)
	for part := range strings.SplitSeq(raw, "/") {
		switch {
		case part == "" || part == ".":
			continue
		case part == "..":
			return invalid(`".." is not allowed in paths`)
		case len(part) > maxComponentLen:
			return invalid("a file or folder name is longer than 255 bytes")
		}
		parts = append(parts, part)
	}
	clean = strings.Join(parts, "/")
	if len(clean) > maxNameLen {
		return invalid("the path is longer than 1024 bytes")
	}
	return clean, dirHint, nil
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isPluginKey reports whether s matches ^[a-z0-9]+$, the pattern GLPI
// requires for plugin keys (and hence for the plugin's directory name).
func isPluginKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// foldKey returns a string equal for exactly the names that a
// case-insensitive file system (Windows, macOS) treats as the same: every
// rune is replaced by a canonical member of its Unicode simple case-folding
// orbit. Already-canonical names (lower-case ASCII, the common case) are
// returned without allocating.
//
// The canonical rune is the lower case of the orbit's smallest member, so
// that e.g. 'k', 'K' and the Kelvin sign U+212A all map to 'k'. '/' folds
// only to itself, so the folded path has its slashes where the original has
// them: the prefixes of a folded path are the folded prefixes.
func foldKey(s string) string {
	canonical := true
	for _, r := range s {
		if foldRune(r) != r {
			canonical = false
			break
		}
	}
	if canonical {
		return s
	}
	return strings.Map(foldRune, s)
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		// The orbits of ASCII letters also hold non-ASCII runes ('k' and the
		// Kelvin sign), but their canonical member is the ASCII lower case.
		return unicode.ToLower(r)
	}
	smallest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		smallest = min(smallest, f)
	}
	return unicode.ToLower(smallest)
}

// pathNode is what pathSet knows about one normalised path.
type pathNode struct {
	name     string // the path as first seen, before case folding
	dir      bool
	explicit bool // stored as an entry, rather than only implied by a descendant
}

// pathSet detects entries that would be extracted to the same place: exact
// duplicates, names differing only by case, and a file used as a folder by
// another entry. It also counts the distinct paths, implied folders
// included, so that MaxEntries bounds its memory.
type pathSet struct {
	nodes map[string]*pathNode // keyed by foldKey(path)
	max   int
}

func newPathSet(maxPaths int) *pathSet {
	return &pathSet{nodes: make(map[string]*pathNode), max: maxPaths}
}

// add records the normalised path clean (a file, or a folder when dir).
// raw is the stored name, for messages.
func (s *pathSet) add(clean, raw string, dir bool) error {
	folded := foldKey(clean)
	// Slash positions differ between clean and folded when folding changes
	// a rune's encoded length, but their count and order do not.
	cleanSlashes, foldedSlashes := slashes(clean), slashes(folded)
	// Register the parent folders, deepest first, stopping at the first one
	// already known: its own ancestors were registered with it. Each step
	// either stops or inserts, so the work is bounded by MaxEntries.
	for i := len(cleanSlashes) - 1; i >= 0; i-- {
		parent, key := clean[:cleanSlashes[i]], folded[:foldedSlashes[i]]
		n, ok := s.nodes[key]
		if !ok {
			if err := s.insert(key, &pathNode{name: parent, dir: true}); err != nil {
				return err
			}
			continue
		}
		if n.name != parent {
			return caseConflict(n.name, parent)
		}
		if !n.dir {
			return fileFolderConflict(parent)
		}
		break
	}
	if n, ok := s.nodes[folded]; ok {
		if n.name != clean {
			return caseConflict(n.name, clean)
		}
		if n.dir && dir && !n.explicit {
			n.explicit = true // a folder entry for a folder already implied
			return nil
		}
		if n.dir != dir {
			return fileFolderConflict(clean)
		}
		return glpinet.Errorf(glpinet.EINVALID, "invalid entry %q: %q appears more than once in the archive", raw, clean)
	}
	return s.insert(folded, &pathNode{name: clean, dir: dir, explicit: true})
}

func (s *pathSet) insert(key string, n *pathNode) error {
	if len(s.nodes) >= s.max {
		return tooManyEntries(s.max)
	}
	s.nodes[key] = n
	return nil
}

// slashes returns the indexes of the slashes in p.
func slashes(p string) []int {
	var idx []int
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			idx = append(idx, i)
		}
	}
	return idx
}

func caseConflict(a, b string) error {
	return glpinet.Errorf(glpinet.EINVALID,
		"%q and %q differ only by letter case: they would overwrite each other on case-insensitive file systems", a, b)
}

func fileFolderConflict(p string) error {
	return glpinet.Errorf(glpinet.EINVALID, "%q is both a file and a folder in the archive", p)
}

func tooManyEntries(max int) error {
	return glpinet.Errorf(glpinet.EINVALID, "the archive has more than %d files and folders", max)
}
