package pluginarchive

// Manifest describes an archive that passed Inspect: what the marketplace
// stores and shows about a published plugin version.
type Manifest struct {
	// Key is the plugin key: the name of the archive's single top folder,
	// which GLPI uses as the plugin's directory and identifier.
	Key string `json:"key"`
	// Format is the archive format, as named by the file and confirmed by
	// its content.
	Format Format `json:"format"`
	// Size is the size of the archive in bytes.
	Size int64 `json:"size"`
	// SHA256 is the lower-case hex SHA-256 digest of the archive bytes.
	SHA256 string `json:"sha256"`
	// Entries is the number of files and folders stored in the archive.
	Entries int `json:"entries"`
	// UncompressedSize is the total size of the files' content in bytes,
	// as counted while decompressing.
	UncompressedSize int64 `json:"uncompressed_size"`

	// The following fields are what setup.php's plugin_version_<key>()
	// declares; all but Version may be empty.

	// Name is the plugin's display name.
	Name string `json:"name"`
	// Version is the plugin version; never empty.
	Version string `json:"version"`
	// Author is the author text with HTML tags removed.
	Author string `json:"author"`
	// License is the declared license, e.g. "GPLv3+".
	License string `json:"license"`
	// Homepage is the declared homepage URL.
	Homepage string `json:"homepage"`
	// MinGLPI is the minimal GLPI version, inclusive.
	MinGLPI string `json:"min_glpi"`
	// MaxGLPI is the maximal GLPI version, exclusive.
	MaxGLPI string `json:"max_glpi"`
	// Compatibility is MinGLPI and MaxGLPI as a Composer constraint, see
	// Compatibility.
	Compatibility string `json:"compatibility"`
}

// Compatibility turns GLPI's requirements into a Composer version
// constraint. GLPI treats requirements.glpi.min as inclusive and max as
// exclusive (it refuses a GLPI version below min, or equal to or above max),
// hence ">=MIN <MAX"; a bound that is not declared is left out, and the
// result is "" when neither is.
func Compatibility(minGLPI, maxGLPI string) string {
	switch {
	case minGLPI != "" && maxGLPI != "":
		return ">=" + minGLPI + " <" + maxGLPI
	case minGLPI != "":
		return ">=" + minGLPI
	case maxGLPI != "":
		return "<" + maxGLPI
	}
	return ""
}
