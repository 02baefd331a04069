package gallery

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

// CheckName reports whether name can be given to a new identity (Enroll
// of a name not in the gallery, Rename, Merge of a name new to the
// gallery). A name is shown to people and written in the audit log, and
// scripts pass it as an argument, so it must not pass for another:
//
//   - 1 to MaxNameLen bytes of UTF-8 without surrounding spaces;
//   - valid in the PRECIS Nickname profile (RFC 8266): no control
//     characters, no invisible or bidi-override characters (U+200B,
//     U+202E and the other default-ignorable code points), no unassigned
//     code points;
//   - no word mixes Latin, Cyrillic and Greek letters (a Cyrillic "а" in
//     "аlice");
//   - not "unknown" in any case, not "." or "..", without '/' or '\' and
//     not starting with '-' (it would be read as a flag).
//
// Names that an older edge accepted and these rules refuse stay in a
// gallery that holds them: they load, match, can be removed, renamed to
// an allowed name, and given more photos.
func CheckName(name string) error {
	if err := checkStoredName(name); err != nil {
		return err
	}
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadName, name, why) }
	if _, err := precis.Nickname.String(name); err != nil {
		return bad("invisible, bidi-control or unassigned characters are not allowed")
	}
	switch {
	case strings.HasPrefix(name, "-"):
		return bad("starts with '-'")
	case strings.ContainsAny(name, `/\`):
		return bad("contains a path separator")
	case name == "." || name == "..":
		return bad("not a name")
	}
	for _, w := range strings.Fields(name) {
		if mixedScripts(w) {
			return bad("mixes Latin, Cyrillic and Greek letters in one word")
		}
	}
	return nil
}

// checkStoredName is what a gallery file's names must pass: the rules
// before CheckName's profile, so that no gallery an older edge wrote is
// lost.
func checkStoredName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrBadName)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrBadName, len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w %q: not UTF-8", ErrBadName, name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w %q: leading or trailing space", ErrBadName, name)
	case nameKey(name) == Unknown:
		return fmt.Errorf("%w %q: reserved for a face no one enrolled matches", ErrBadName, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w %q: control character", ErrBadName, name)
		}
	}
	return nil
}

func mixedScripts(word string) bool {
	var seen *unicode.RangeTable
	for _, r := range word {
		for _, s := range []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek} {
			if unicode.Is(s, r) {
				if seen != nil && seen != s {
					return true
				}
				seen = s
			}
		}
	}
	return false
}

// nameKey is the form in which two names are the same name: the PRECIS
// Nickname form (NFKC, spaces collapsed) case-folded. "Alice", "alice"
// and "ALICE" have one key.
func nameKey(name string) string {
	s, err := precis.Nickname.String(name)
	if err != nil {
		s = name // an old name the profile refuses: compare it as it is
	}
	return cases.Fold().String(s)
}

// lookAlike maps letters that look like a Latin letter, digit or pair
// to it, after case folding.
var lookAlike = strings.NewReplacer(
	// Cyrillic
	"а", "a", "б", "6", "в", "b", "г", "r", "д", "d", "е", "e", "ё", "e", "ж", "x", "з", "3", "и", "u",
	"і", "l", "ї", "l", "ј", "j", "к", "k", "л", "n", "м", "m", "н", "h", "о", "o", "п", "n", "р", "p",
	"с", "c", "т", "t", "у", "y", "х", "x", "ц", "u", "ч", "4", "ш", "w", "щ", "w", "ъ", "b", "ь", "b",
	"ѕ", "s", "һ", "h", "ԁ", "d", "ԛ", "q", "ԝ", "w", "ӏ", "l", "ү", "y", "ҡ", "k",
	// Greek
	"α", "a", "β", "b", "γ", "y", "δ", "d", "ε", "e", "ζ", "z", "η", "n", "θ", "o", "ι", "l", "κ", "k",
	"λ", "a", "μ", "u", "ν", "v", "ξ", "e", "ο", "o", "π", "n", "ρ", "p", "σ", "o", "ς", "c", "τ", "t",
	"υ", "u", "φ", "o", "χ", "x", "ψ", "w", "ω", "w",
	// Latin and digits that pass for others
	"rn", "m", "vv", "w", "cl", "d", "0", "o", "1", "l", "i", "l", "|", "l", "5", "s", "ı", "l",
)

// skeleton is a name reduced to how it looks: case-folded, NFKC, accents
// dropped, and Cyrillic, Greek and Latin look-alikes mapped to one
// letter (in the spirit of Unicode TS #39's confusable skeleton, with a
// small table). Two names with one skeleton may be read as one.
func skeleton(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(nameKey(name)) {
		if unicode.Is(unicode.Mn, r) || unicode.IsSpace(r) || r == '.' || r == '_' || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	return lookAlike.Replace(b.String())
}

// LookAlike returns an enrolled name other than name that looks like it
// (the same skeleton: "аlice" in Cyrillic, "alice1" and "alicel", "Bob"
// and "B0b"), for the CLI to warn about; ok is false if there is none.
func (g *Gallery) LookAlike(name string) (other string, ok bool) {
	s := skeleton(name)
	for _, id := range g.ids {
		if id.Name != name && skeleton(id.Name) == s {
			return id.Name, true
		}
	}
	return "", false
}

// sameName returns the enrolled name that is name under another case or
// form ("Alice" for "alice"), if any.
func (g *Gallery) sameName(name string) (string, bool) {
	k := nameKey(name)
	for _, id := range g.ids {
		if id.Name != name && nameKey(id.Name) == k {
			return id.Name, true
		}
	}
	return "", false
}
