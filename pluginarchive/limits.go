package pluginarchive

// Limits bounds the resources an archive may claim. Sizes are in bytes.
// A zero or negative field means "use the DefaultLimits value": a forgotten
// field must never silently disable a protection.
type Limits struct {
	// MaxArchiveSize bounds the archive file itself (the compressed bytes).
	MaxArchiveSize int64
	// MaxEntrySize bounds the uncompressed content of any single file.
	MaxEntrySize int64
	// MaxTotalSize bounds the uncompressed content of all files together.
	MaxTotalSize int64
	// MaxEntries bounds the number of files and folders, counting folders
	// that are only implied by the paths of the files inside them.
	MaxEntries int
	// MaxRatio bounds uncompressed size / archive size. It is only enforced
	// once more than 8 MiB (ratioFloor) were decompressed: text compresses
	// very well, and small archives cannot hurt anyone.
	MaxRatio int
}

// Default limit values; see DefaultLimits.
const (
	defaultMaxArchiveSize = 100 << 20
	defaultMaxEntrySize   = 50 << 20
	defaultMaxTotalSize   = 500 << 20
	defaultMaxEntries     = 20000
	defaultMaxRatio       = 200
)

// ratioFloor is the uncompressed size under which the compression ratio is
// not checked. Source code and translation files routinely compress 5 to 20
// times; a ratio above MaxRatio only matters when the expanded data is large
// enough to cost real disk space or time.
const ratioFloor = 8 << 20

// DefaultLimits returns the limits used for publishing:
//
//   - archive: 100 MiB. The largest GLPI plugins (with bundled vendor/ and
//     node_modules/ code) ship archives of a few tens of MiB.
//   - one file: 50 MiB uncompressed, far above any legitimate PHP, asset or
//     locale file.
//   - all files: 500 MiB uncompressed.
//   - 20000 files and folders: big plugins with a vendor/ tree have a few
//     thousand.
//   - compression ratio 200 once more than 8 MiB have been decompressed:
//     real plugins stay under 20, while compression bombs reach 1000
//     (deflate's maximum) or far more when nested or overlapping.
func DefaultLimits() Limits {
	return Limits{
		MaxArchiveSize: defaultMaxArchiveSize,
		MaxEntrySize:   defaultMaxEntrySize,
		MaxTotalSize:   defaultMaxTotalSize,
		MaxEntries:     defaultMaxEntries,
		MaxRatio:       defaultMaxRatio,
	}
}

// withDefaults replaces unset (zero or negative) fields by their defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxArchiveSize <= 0 {
		l.MaxArchiveSize = d.MaxArchiveSize
	}
	if l.MaxEntrySize <= 0 {
		l.MaxEntrySize = d.MaxEntrySize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}
