// Package npy reads and writes numpy .npy files holding float32 arrays.
//
// The .npy format is a 6-byte magic string "\x93NUMPY", a major and a minor
// version byte, a little-endian header length (2 bytes for version 1.0,
// 4 bytes for 2.0 and 3.0), an ASCII header that is a Python dict literal
// such as
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
//
// and then the raw array data.
//
// Write always produces version 1.0 files with dtype '<f4' (little-endian
// float32), byte for byte as np.save does in numpy 1.24. Read accepts versions 1.0,
// 2.0 and 3.0 and the following dtypes, converted to float32:
//
//	'<f4'  float32                 copied bit for bit (NaN payloads included)
//	'<f8'  float64                 rounded to nearest; beyond ±MaxFloat32 becomes ±Inf
//	'<i8'  int64                   rounded to nearest float32 (exact up to ±2^24)
//	'<i4'  int32                   rounded to nearest float32 (exact up to ±2^24)
//	'|u1'  uint8                   exact
//	'|b1'  bool                    0 becomes 0, any other byte becomes 1
//
// Only C (row-major) order is supported; a file with fortran_order True is
// rejected with ErrUnsupported rather than silently transposed.
//
// Read is meant to be safe on hostile input: malformed files give an error
// wrapping ErrFormat, never a panic, and memory is allocated only as data
// actually arrives, so a header that claims a huge shape cannot make Read
// allocate more than a small fixed amount beyond the bytes really present.
package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/edge-pi/edge/internal/safefile"
)

// Array is a dense float32 array in C (row-major) order.
// An empty Shape is a scalar holding exactly one element.
type Array struct {
	Shape []int
	Data  []float32
}

// Limits applied to every file read or written.
const (
	// MaxElements is the largest number of elements an array may hold:
	// 1<<31, or where int has 32 bits, the most whose size in bytes
	// still fits an int (1<<29 - 1).
	MaxElements = min(1<<31, math.MaxInt/4)
	// MaxDims is the largest number of dimensions (numpy's own limit is 64).
	MaxDims = 64
	// MaxHeaderLen is the largest header, in bytes, that Read accepts.
	MaxHeaderLen = 64 << 10
)

var (
	// ErrFormat is wrapped by every error caused by a malformed or
	// truncated file.
	ErrFormat = errors.New("npy: malformed file")
	// ErrUnsupported is wrapped by errors for well-formed files this
	// package does not handle: other dtypes, Fortran order.
	ErrUnsupported = errors.New("npy: unsupported")
)

var magic = []byte("\x93NUMPY")

const (
	// alignment of the data start, as numpy writes it (ARRAY_ALIGN).
	headerAlign = 64
	// numpy leaves room after the dict so the first axis can grow in place
	// (GROWTH_AXIS_MAX_DIGITS); we copy it to write identical bytes.
	growthAxisMaxDigits = 21
	// largest data chunk read or written at once, in bytes.
	chunkBytes = 64 << 10
	// elements Read preallocates before any data has arrived.
	maxPrealloc = 1 << 16
)

// dtype describes one accepted element type.
type dtype struct {
	size    int
	convert func(dst []float32, src []byte)
}

var dtypes = map[string]dtype{
	"<f4": {4, func(dst []float32, src []byte) {
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	}},
	"<f8": {8, func(dst []float32, src []byte) {
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
		}
	}},
	"<i8": {8, func(dst []float32, src []byte) {
		for i := range dst {
			dst[i] = float32(int64(binary.LittleEndian.Uint64(src[8*i:])))
		}
	}},
	"<i4": {4, func(dst []float32, src []byte) {
		for i := range dst {
			dst[i] = float32(int32(binary.LittleEndian.Uint32(src[4*i:])))
		}
	}},
	"|u1": {1, func(dst []float32, src []byte) {
		for i := range dst {
			dst[i] = float32(src[i])
		}
	}},
	"|b1": {1, func(dst []float32, src []byte) {
		for i := range dst {
			if src[i] != 0 {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	}},
}

// header is the decoded header dict.
type header struct {
	descr string
	dt    dtype
	shape []int
	n     int // number of elements
}

// Read decodes one array from r. It reads exactly the bytes of one .npy
// file and nothing after them, so several arrays written back to back can
// be read in turn from one stream.
func Read(r io.Reader) (*Array, error) {
	h, _, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	return readData(r, h, maxPrealloc)
}

// ReadFile reads the .npy file at path. Unlike Read it also requires the
// file to end exactly where the data ends: trailing bytes are an error.
// Errors name the path.
func ReadFile(path string) (*Array, error) {
	// A regular file only: a FIFO without a writer would block, a device
	// never ends.
	f, _, err := safefile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	a, err := readFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func readFile(f *os.File) (*Array, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h, hlen, err := readHeader(f)
	if err != nil {
		return nil, err
	}
	// The size is known, so a short or long file is caught before any
	// allocation, and the data slice can be allocated exactly.
	want := int64(h.n) * int64(h.dt.size)
	have := fi.Size() - hlen
	if fi.Mode().IsRegular() {
		switch {
		case have < want:
			return nil, fmt.Errorf("%w: data truncated: shape %v needs %d bytes, file has %d: %w",
				ErrFormat, h.shape, want, have, io.ErrUnexpectedEOF)
		case have > want:
			return nil, fmt.Errorf("%w: %d trailing bytes after the data of shape %v",
				ErrFormat, have-want, h.shape)
		}
		return readData(f, h, h.n)
	}
	return readData(f, h, maxPrealloc)
}

// readHeader reads and validates everything before the data. It returns
// the header and the number of bytes consumed.
func readHeader(r io.Reader) (*header, int64, error) {
	var pre [10]byte
	if err := readFull(r, pre[:8], "magic"); err != nil {
		return nil, 0, err
	}
	if string(pre[:6]) != string(magic) {
		return nil, 0, fmt.Errorf("%w: bad magic %q, not a .npy file", ErrFormat, pre[:6])
	}
	major, minor := pre[6], pre[7]
	var hlen int
	n := int64(8)
	switch {
	case major == 1 && minor == 0:
		if err := readFull(r, pre[8:10], "header length"); err != nil {
			return nil, 0, err
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
		n += 2
	case (major == 2 || major == 3) && minor == 0:
		var b [4]byte
		if err := readFull(r, b[:], "header length"); err != nil {
			return nil, 0, err
		}
		l := binary.LittleEndian.Uint32(b[:])
		if l > MaxHeaderLen {
			return nil, 0, fmt.Errorf("%w: header length %d exceeds limit %d", ErrFormat, l, MaxHeaderLen)
		}
		hlen = int(l)
		n += 4
	default:
		return nil, 0, fmt.Errorf("%w: format version %d.%d", ErrUnsupported, major, minor)
	}
	buf := make([]byte, hlen)
	if err := readFull(r, buf, "header"); err != nil {
		return nil, 0, err
	}
	n += int64(hlen)
	h, err := parseHeader(string(buf))
	if err != nil {
		return nil, 0, err
	}
	return h, n, nil
}

// readFull is io.ReadFull with end of input reported as a truncation.
func readFull(r io.Reader, b []byte, what string) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: truncated %s: %w", ErrFormat, what, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("npy: reading %s: %w", what, err)
	}
	return nil
}

// readData reads h.n elements, preallocating at most prealloc of them; the
// rest grows only as bytes arrive.
func readData(r io.Reader, h *header, prealloc int) (*Array, error) {
	data := make([]float32, 0, min(h.n, prealloc))
	per := max(1, chunkBytes/h.dt.size)
	buf := make([]byte, min(h.n, per)*h.dt.size)
	for len(data) < h.n {
		k := min(h.n-len(data), per)
		if m, err := io.ReadFull(r, buf[:k*h.dt.size]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("%w: data truncated: shape %v needs %d elements, data ends after %d: %w",
					ErrFormat, h.shape, h.n, len(data)+m/h.dt.size, io.ErrUnexpectedEOF)
			}
			return nil, fmt.Errorf("npy: reading data: %w", err)
		}
		off := len(data)
		data = append(data, make([]float32, k)...)
		h.dt.convert(data[off:], buf[:k*h.dt.size])
	}
	return &Array{Shape: h.shape, Data: data}, nil
}

// parseHeader decodes the header dict. It accepts what Python's
// ast.literal_eval would accept for the dicts numpy writes: either quote
// style, any whitespace, an optional trailing comma, keys in any order.
// Exactly the keys descr, fortran_order and shape must be present, as numpy
// itself requires.
func parseHeader(s string) (*header, error) {
	p := &parser{s: s}
	h, err := p.dict()
	if errors.Is(err, ErrUnsupported) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header %q: %w", ErrFormat, truncate(s, 120), err)
	}
	return h, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

type parser struct {
	s   string
	pos int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end (a NUL byte in
// the header is never valid where peek's result is compared).
func (p *parser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *parser) expect(c byte) error {
	if got := p.peek(); got != c {
		return p.errorf("want %q", c)
	}
	p.pos++
	return nil
}

func (p *parser) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p.pos >= len(p.s) {
		return fmt.Errorf("%s at end of header", msg)
	}
	return fmt.Errorf("%s at offset %d (%q)", msg, p.pos, truncate(p.s[p.pos:], 16))
}

func (p *parser) dict() (*header, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	var (
		descr, fortran, shape bool
		h                     header
	)
	for p.peek() != '}' {
		keyPos := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		switch key {
		case "descr":
			if descr {
				return nil, fmt.Errorf("duplicate key %q", key)
			}
			descr = true
			if p.peek() == '[' {
				return nil, fmt.Errorf("%w: structured dtype", ErrUnsupported)
			}
			if h.descr, err = p.str(); err != nil {
				return nil, err
			}
		case "fortran_order":
			if fortran {
				return nil, fmt.Errorf("duplicate key %q", key)
			}
			fortran = true
			v, err := p.boolean()
			if err != nil {
				return nil, err
			}
			if v {
				return nil, fmt.Errorf("%w: fortran_order True (only C order is supported)", ErrUnsupported)
			}
		case "shape":
			if shape {
				return nil, fmt.Errorf("duplicate key %q", key)
			}
			shape = true
			if h.shape, h.n, err = p.tuple(); err != nil {
				return nil, err
			}
		default:
			p.pos = keyPos
			return nil, p.errorf("unexpected key %q", key)
		}
		if p.peek() == '}' {
			break
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
	}
	p.pos++ // '}'
	if p.skipSpace(); p.pos < len(p.s) {
		return nil, p.errorf("trailing characters after dict")
	}
	switch {
	case !descr:
		return nil, errors.New("missing key 'descr'")
	case !fortran:
		return nil, errors.New("missing key 'fortran_order'")
	case !shape:
		return nil, errors.New("missing key 'shape'")
	}
	dt, ok := dtypes[h.descr]
	if !ok {
		return nil, fmt.Errorf("%w: dtype %q (want one of <f4 <f8 <i8 <i4 |u1 |b1)", ErrUnsupported, h.descr)
	}
	h.dt = dt
	return &h, nil
}

// str reads a quoted string without escapes, which numpy never writes in
// the keys and dtype strings we accept.
func (p *parser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errorf("want a quoted string")
	}
	start := p.pos + 1
	end := strings.IndexByte(p.s[start:], q)
	if end < 0 {
		return "", p.errorf("unterminated string")
	}
	v := p.s[start : start+end]
	if strings.ContainsAny(v, "\\\n") {
		return "", p.errorf("unsupported escape or newline in string")
	}
	p.pos = start + end + 1
	return v, nil
}

func (p *parser) boolean() (bool, error) {
	p.skipSpace()
	switch rest := p.s[p.pos:]; {
	case strings.HasPrefix(rest, "True"):
		p.pos += 4
		return true, p.wordEnd()
	case strings.HasPrefix(rest, "False"):
		p.pos += 5
		return false, p.wordEnd()
	}
	return false, p.errorf("want True or False")
}

// wordEnd checks that an identifier or number is not followed by more
// identifier characters ("Falsey", "12ab").
func (p *parser) wordEnd() error {
	if p.pos < len(p.s) && isWordByte(p.s[p.pos]) {
		return p.errorf("unexpected character")
	}
	return nil
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// tuple reads a shape tuple: "()", "(5,)", "(1, 3, 224, 224)" with an
// optional trailing comma. It returns the dims and their product, checking
// every limit as it goes.
func (p *parser) tuple() ([]int, int, error) {
	if err := p.expect('('); err != nil {
		return nil, 0, err
	}
	shape := []int{}
	n := 1
	commas := 0
	for p.peek() != ')' {
		if len(shape) == MaxDims {
			return nil, 0, p.errorf("more than %d dimensions", MaxDims)
		}
		d, err := p.dim()
		if err != nil {
			return nil, 0, err
		}
		if d != 0 && n > MaxElements/d {
			return nil, 0, fmt.Errorf("shape has more than %d elements", MaxElements)
		}
		n *= d
		shape = append(shape, d)
		if p.peek() == ')' {
			break
		}
		if err := p.expect(','); err != nil {
			return nil, 0, err
		}
		commas++
	}
	p.pos++ // ')'
	// In Python "(5)" is the int 5, not a tuple.
	if len(shape) == 1 && commas == 0 {
		return nil, 0, errors.New("shape (N) is an int, not a tuple; want (N,)")
	}
	return shape, n, nil
}

// dim reads one non-negative dimension. A Python 2 long suffix "L", which
// old numpy versions wrote, is accepted.
func (p *parser) dim() (int, error) {
	p.skipSpace()
	start := p.pos
	if p.pos < len(p.s) && (p.s[p.pos] == '-' || p.s[p.pos] == '+') {
		p.pos++
	}
	for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
		p.pos++
	}
	lit := p.s[start:p.pos]
	if p.pos < len(p.s) && p.s[p.pos] == 'L' {
		p.pos++
	}
	if lit == "" || lit == "-" || lit == "+" {
		p.pos = start
		return 0, p.errorf("want a dimension")
	}
	if err := p.wordEnd(); err != nil {
		return 0, err
	}
	if len(lit) > 1 && lit[0] == '0' {
		// Python 3 rejects "07"; so do we rather than guess octal.
		p.pos = start
		return 0, p.errorf("dimension with a leading zero")
	}
	if lit[0] == '-' && strings.Trim(lit[1:], "0") != "" {
		return 0, fmt.Errorf("negative dimension %s", lit)
	}
	d, err := strconv.ParseInt(lit, 10, 64)
	if err != nil || d > MaxElements {
		return 0, fmt.Errorf("dimension %s exceeds %d", truncate(lit, 24), MaxElements)
	}
	return int(d), nil
}

// Write encodes a as a version 1.0 .npy file with dtype '<f4'. The header
// is the same, byte for byte, as the one numpy 1.24's np.save writes.
func Write(w io.Writer, a *Array) error {
	hdr, err := encodeHeader(a)
	if err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("npy: writing header: %w", err)
	}
	buf := make([]byte, 4*min(len(a.Data), chunkBytes/4))
	for data := a.Data; len(data) > 0; {
		k := min(len(data), len(buf)/4)
		for i, v := range data[:k] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		if _, err := w.Write(buf[:4*k]); err != nil {
			return fmt.Errorf("npy: writing data: %w", err)
		}
		data = data[k:]
	}
	return nil
}

// encodeHeader validates a and returns magic, version, length and header.
func encodeHeader(a *Array) ([]byte, error) {
	if a == nil {
		return nil, errors.New("npy: nil array")
	}
	if len(a.Shape) > MaxDims {
		return nil, fmt.Errorf("npy: %d dimensions, more than %d", len(a.Shape), MaxDims)
	}
	n := 1
	var sb strings.Builder
	sb.WriteString("{'descr': '<f4', 'fortran_order': False, 'shape': (")
	for i, d := range a.Shape {
		if d < 0 {
			return nil, fmt.Errorf("npy: negative dimension %d in shape %v", d, a.Shape)
		}
		if d != 0 && n > MaxElements/d {
			return nil, fmt.Errorf("npy: shape %v has more than %d elements", a.Shape, MaxElements)
		}
		n *= d
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(d))
	}
	if len(a.Shape) == 1 {
		sb.WriteByte(',')
	}
	sb.WriteString("), }")
	if n != len(a.Data) {
		return nil, fmt.Errorf("npy: shape %v holds %d elements but Data has %d", a.Shape, n, len(a.Data))
	}
	if len(a.Shape) > 0 {
		sb.WriteString(strings.Repeat(" ", max(0, growthAxisMaxDigits-len(strconv.Itoa(a.Shape[0])))))
	}
	// 8 bytes magic and version, 2 bytes length, the dict, padding, '\n'.
	used := 10 + sb.Len() + 1
	pad := (headerAlign - used%headerAlign) % headerAlign
	sb.WriteString(strings.Repeat(" ", pad))
	sb.WriteByte('\n')
	if sb.Len() > math.MaxUint16 {
		// Unreachable with MaxDims dims of at most 10 digits each.
		return nil, fmt.Errorf("npy: header of %d bytes too long for version 1.0", sb.Len())
	}
	out := make([]byte, 0, 10+sb.Len())
	out = append(out, magic...)
	out = append(out, 1, 0)
	out = binary.LittleEndian.AppendUint16(out, uint16(sb.Len()))
	out = append(out, sb.String()...)
	return out, nil
}

// WriteFile writes a to path atomically (internal/safefile.WriteFile):
// the data goes to a temporary file in the same directory, which is
// synced, renamed over path, and then the directory is synced. A crash or
// a full disk leaves either the old file or the new one, never a partial
// file. path must be a regular file or nothing: a device such as
// /dev/full, a directory or a symbolic link there is an error, and stays
// as it was. A new file has mode 0644. Errors name the path.
func WriteFile(path string, a *Array) error {
	// Validate first so a bad array creates no temporary file.
	if _, err := encodeHeader(a); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// Write issues one syscall per 64 KiB chunk, so no bufio is needed.
	if err := safefile.WriteFile(path, 0o644, func(w io.Writer) error { return Write(w, a) }); err != nil {
		return fmt.Errorf("npy: write %s: %w", path, err)
	}
	return nil
}
