package simd

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

var (
	anyWord = regexp.MustCompile(`^\s*WORD\b`)
	oneWord = regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-fA-F]{8})\s*// (.+?)\s*$`)
)

// checkWord reports whether line is a WORD, and an error unless it is
// `WORD $0x…… // INSTRUCTION` where the word decodes to INSTRUCTION as
// arm64asm prints it (Arm syntax: FMLA V16.4S, V2.4S, V0.S[0]).
func checkWord(line string) (bool, error) {
	if !anyWord.MatchString(line) {
		return false, nil
	}
	m := oneWord.FindStringSubmatch(line)
	if m == nil {
		return true, fmt.Errorf("want `WORD $0x%%08x // INSTRUCTION`, got %q", line)
	}
	v, _ := strconv.ParseUint(m[1], 16, 32)
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		return true, fmt.Errorf("%#08x does not decode: %v", v, err)
	}
	if got := inst.String(); got != m[2] {
		return true, fmt.Errorf("%#08x is %q, the comment says %q", v, got, m[2])
	}
	return true, nil
}

// TestWords decodes every WORD in this package's arm64 assembly and checks
// that it is the instruction its comment names: a slip in a hand-encoded
// register or lane would otherwise compute something else, silently.
func TestWords(t *testing.T) {
	files, err := filepath.Glob("*_arm64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no arm64 assembly found: %v", err)
	}
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			isWord, err := checkWord(line)
			if err != nil {
				t.Errorf("%s:%d: %v", f, i+1, err)
			}
			if isWord {
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no WORDs found")
	}
	t.Logf("%d WORDs decoded in %v", n, files)
}

func TestCheckWordCatchesMistakes(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
	}{
		{"\tWORD\t$0x4fa01052 // FMLA V18.4S, V2.4S, V0.S[1]", true},
		{"\tWORD\t$0x4fa01052 // FMLA V18.4S, V2.4S, V0.S[0]", false}, // wrong lane
		{"\tWORD\t$0x4fa01052 // FMLA V19.4S, V2.4S, V0.S[1]", false}, // wrong register
		{"\tWORD\t$0x4ea4d400 // FADD V0.4S, V0.4S, V4.4S", false},    // it is FSUB
		{"\tWORD\t$0x4fa01052", false},                                // no comment
		{"\tWORD\t$0x00000000 // NOP", false},                         // not a NOP
	} {
		isWord, err := checkWord(tc.line)
		if !isWord || (err == nil) != tc.ok {
			t.Errorf("%q: word %v, error %v", tc.line, isWord, err)
		}
	}
}
