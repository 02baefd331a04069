package infer

import (
	"fmt"
	"strings"

	"github.com/edge-pi/edge/simd"
)

// Einsum of one or two operands, any equation: explicit or implicit
// output, repeated labels (a diagonal), labels summed in one operand only,
// an ellipsis (the same dimensions in every operand that has one). Two
// operands are gathered into a batch of matrices, [batch][M][K] and
// [batch][K][N] (labels in both and the output, in one and the output,
// in both only; a label in one operand only and not the output is summed
// as it is gathered), multiplied by the packed GEMM (the batch shared by
// the threads), and the product gathered into the output's order; one
// operand is gathered into the output directly, summing the labels the
// output drops.
type einsumKernel struct {
	n       *node
	two     bool
	a, b, o gatherPlan // A → [batch][M][K], B → [batch][K][N], C (or A) → output
	batch   int
	m, nn   int
	k       int
	scratch []float32
	idx     []int // the odometer of the gathers
	body    func(c, lo, hi int)
}

// gatherPlan reads dst[j] = Σ_s src[off(j) + off(s)]: dims and strides of
// the labels kept (row-major in dst), and of those summed.
type gatherPlan struct {
	dims, strides       []int
	sumDims, sumStrides []int
}

func init() {
	register("Einsum", []string{"equation"}, buildEinsum)
}

// einsumTerm is one operand's labels, the ellipsis expanded to labels of
// their own (runes past the letters).
type einsumTerm []rune

func buildEinsum(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 2); err != nil {
		if b.nin() > 2 {
			return nil, unsupportedf("%v: Einsum of %d operands (one or two are supported)", b.n, b.nin())
		}
		return nil, err
	}
	for i := 0; i < b.nin(); i++ {
		if err := b.float(i); err != nil {
			return nil, err
		}
	}
	eq := strings.ReplaceAll(b.a.str("equation", ""), " ", "")
	lhs, rhs, explicit := strings.Cut(eq, "->")
	parts := strings.Split(lhs, ",")
	if len(parts) != b.nin() {
		return nil, b.errf("equation %q has %d operands, the node %d inputs", eq, len(parts), b.nin())
	}
	size := map[rune]int{}
	var terms []einsumTerm
	ellDims := -1 // the ellipsis' dimensions
	for i, p := range parts {
		shape := b.in(i).shape
		t, err := einsumLabels(p, len(shape), &ellDims)
		if err != nil {
			return nil, b.errf("equation %q: %v", eq, err)
		}
		for j, l := range t {
			if s, ok := size[l]; ok && s != shape[j] {
				return nil, b.errf("equation %q: label %s is %d in one place and %d in another (inputs %v)", eq, einsumName(l), s, shape[j], einsumShapes(b))
			}
			size[l] = shape[j]
		}
		terms = append(terms, t)
	}
	var out einsumTerm
	if explicit {
		t, err := einsumLabels(rhs, -1, &ellDims)
		if err != nil {
			return nil, b.errf("equation %q: %v", eq, err)
		}
		seen := map[rune]bool{}
		for _, l := range t {
			if seen[l] {
				return nil, b.errf("equation %q: output label %s repeated", eq, einsumName(l))
			}
			if _, ok := size[l]; !ok {
				return nil, b.errf("equation %q: output label %s is in no operand", eq, einsumName(l))
			}
			seen[l] = true
		}
		out = t
	} else { // the ellipsis, then the labels used once, in alphabetical order
		count := map[rune]int{}
		for _, t := range terms {
			for _, l := range t {
				count[l]++
			}
		}
		for l := einsumEll; l < einsumEll+rune(max(ellDims, 0)); l++ {
			out = append(out, l)
		}
		for l := 'A'; l <= 'z'; l++ {
			if count[l] == 1 {
				out = append(out, l)
			}
		}
	}
	shape := make([]int, len(out))
	for i, l := range out {
		shape[i] = size[l]
	}
	k := &einsumKernel{n: b.n, two: len(terms) == 2}
	if !k.two {
		k.o = planGather(terms[0], b.in(0).shape, out, size)
	} else {
		in := func(t einsumTerm, l rune) bool { return strings.ContainsRune(string(t), l) }
		A, B := terms[0], terms[1]
		var batch, ms, ns, ks einsumTerm
		for _, l := range out {
			switch {
			case in(A, l) && in(B, l):
				batch = append(batch, l)
			case in(A, l):
				ms = append(ms, l)
			default:
				ns = append(ns, l)
			}
		}
		for _, l := range A {
			if in(B, l) && !in(out, l) && !in(ks, l) {
				ks = append(ks, l)
			}
		}
		// the sizes of the product, checked: a label of size 0 summed in
		// one operand leaves the others' sizes unbounded by the inputs'
		for _, g := range []struct {
			dst *int
			t   einsumTerm
		}{{&k.batch, batch}, {&k.m, ms}, {&k.nn, ns}, {&k.k, ks}} {
			dims := make([]int, len(g.t))
			for i, l := range g.t {
				dims[i] = size[l]
			}
			n, err := checkedNumel(dims)
			if err != nil {
				return nil, b.errf("equation %q: %v", eq, err)
			}
			*g.dst = n
		}
		for _, d := range [][]int{{k.m, k.k}, {k.k, k.nn}, {k.m, k.nn}, {k.batch, k.m, k.k}, {k.batch, k.k, k.nn}, {k.batch, k.m, k.nn}} {
			if _, err := checkedNumel(d); err != nil {
				return nil, b.errf("equation %q: the product's matrices: %v", eq, err)
			}
		}
		cat := func(ts ...einsumTerm) einsumTerm {
			var r einsumTerm
			for _, t := range ts {
				r = append(r, t...)
			}
			return r
		}
		k.a = planGather(A, b.in(0).shape, cat(batch, ms, ks), size)
		k.b = planGather(B, b.in(1).shape, cat(batch, ks, ns), size)
		cLabels := cat(batch, ms, ns) // C's layout, row-major
		cShape := make([]int, len(cLabels))
		for i, l := range cLabels {
			cShape[i] = size[l]
		}
		k.o = planGather(cLabels, cShape, out, size)
	}
	n := max(len(k.a.dims)+len(k.a.sumDims), len(k.b.dims)+len(k.b.sumDims), len(k.o.dims)+len(k.o.sumDims))
	k.idx = make([]int, n)
	return k, b.setOut(0, Float32, shape)
}

// einsumEll is the first rune standing for an ellipsis dimension.
const einsumEll = rune(0x10000)

func einsumName(l rune) string {
	if l >= einsumEll {
		return "... (dimension " + string(rune('0'+l-einsumEll)) + ")"
	}
	return string(l)
}

func einsumShapes(b *builder) [][]int {
	var s [][]int
	for i := 0; i < b.nin(); i++ {
		s = append(s, b.in(i).shape)
	}
	return s
}

// einsumLabels parses one term for an operand of the given rank (-1: the
// output), expanding the ellipsis to *ell labels (set by the first term
// that has one).
func einsumLabels(p string, rank int, ell *int) (einsumTerm, error) {
	var t einsumTerm
	before, after, hasEll := strings.Cut(p, "...")
	if hasEll && strings.Contains(after, ".") || !hasEll && strings.Contains(p, ".") {
		return nil, fmt.Errorf("term %q: one ellipsis at most", p)
	}
	letters := len(before) + len(after)
	if hasEll {
		if rank >= 0 {
			n := rank - letters
			if n < 0 || *ell >= 0 && n != *ell {
				return nil, fmt.Errorf("term %q does not fit rank %d", p, rank)
			}
			*ell = n
		} else if *ell < 0 {
			return nil, fmt.Errorf("the output %q has an ellipsis the operands do not", p)
		}
	} else if rank >= 0 && letters != rank {
		return nil, fmt.Errorf("term %q has %d labels for rank %d", p, letters, rank)
	}
	for _, c := range before {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return nil, fmt.Errorf("term %q: label %q is not a letter", p, c)
		}
		t = append(t, c)
	}
	if hasEll {
		for i := 0; i < *ell; i++ {
			t = append(t, einsumEll+rune(i))
		}
	}
	for _, c := range after {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return nil, fmt.Errorf("term %q: label %q is not a letter", p, c)
		}
		t = append(t, c)
	}
	return t, nil
}

// planGather reads an operand of labels t (shape) into the layout of
// labels keep, summing its labels not in keep; a label repeated in t
// walks its diagonal (the strides of its places added).
func planGather(t einsumTerm, shape []int, keep einsumTerm, size map[rune]int) gatherPlan {
	stride := map[rune]int{}
	s := 1
	for i := len(t) - 1; i >= 0; i-- {
		stride[t[i]] += s
		s *= shape[i]
	}
	var g gatherPlan
	for _, l := range keep {
		g.dims = append(g.dims, size[l])
		g.strides = append(g.strides, stride[l]) // 0 where the operand lacks it
	}
	seen := map[rune]bool{}
	for _, l := range t {
		if seen[l] || strings.ContainsRune(string(keep), l) {
			continue
		}
		seen[l] = true
		g.sumDims = append(g.sumDims, size[l])
		g.sumStrides = append(g.sumStrides, stride[l])
	}
	return g
}

func (k *einsumKernel) scratchLen(threads int) int {
	if !k.two {
		return 0
	}
	return slotsAt(k.batch*(k.m*k.k+k.k*k.nn+k.m*k.nn)) + min(threads, max(k.batch, 1))*slotStride(simd.PackedLen(k.m, k.k))
}

func (k *einsumKernel) setScratch(s []float32) { k.scratch = s }

func (k *einsumKernel) prepare(int) error {
	k.body = k.products
	return nil
}

func (k *einsumKernel) run(p *workers) {
	y := k.n.out[0].t.F
	if !k.two {
		k.o.gather(y, k.n.in[0].t.F, k.idx)
		return
	}
	am, bm, cm := k.mats()
	k.a.gather(am, k.n.in[0].t.F, k.idx)
	k.b.gather(bm, k.n.in[1].t.F, k.idx)
	if k.k == 0 {
		clear(cm)
	} else if k.m > 0 && k.nn > 0 {
		p.parallelChunks(k.batch, 1, k.body)
	}
	k.o.gather(y, cm, k.idx)
}

// mats are the gathered operands and the product in the scratch.
func (k *einsumKernel) mats() (am, bm, cm []float32) {
	s := k.scratch
	am = s[:k.batch*k.m*k.k]
	bm = s[len(am):][:k.batch*k.k*k.nn]
	cm = s[len(am)+len(bm):][:k.batch*k.m*k.nn]
	return am, bm, cm
}

// products multiplies batches [lo, hi) of the gathered operands by the
// packed GEMM, A packed in participant c's buffer.
func (k *einsumKernel) products(c, lo, hi int) {
	am, bm, cm := k.mats()
	per := simd.PackedLen(k.m, k.k)
	buf := k.scratch[slotsAt(len(am)+len(bm)+len(cm))+c*slotStride(per):][:per]
	for i := lo; i < hi; i++ {
		pa := simd.PackA(buf, k.m, k.k, am[i*k.m*k.k:], k.k)
		simd.GemmPacked(pa, 0, k.m, k.nn, bm[i*k.k*k.nn:], k.nn, cm[i*k.m*k.nn:], k.nn)
	}
}

// gather fills dst (row-major over g.dims) from src; idx is an odometer
// of at least len(dims)+len(sumDims).
func (g *gatherPlan) gather(dst, src []float32, idx []int) {
	if len(dst) == 0 {
		return
	}
	outer, inner := idx[:len(g.dims)], idx[len(g.dims):len(g.dims)+len(g.sumDims)]
	clear(outer)
	off := 0
	sumN := 1
	for _, d := range g.sumDims {
		sumN *= d
	}
	for j := range dst {
		if len(g.sumDims) == 0 {
			dst[j] = src[off]
		} else {
			var acc float32
			clear(inner)
			so := 0
			for range sumN {
				acc += src[off+so]
				so = step(inner, g.sumDims, g.sumStrides, so)
			}
			dst[j] = acc
		}
		off = step(outer, g.dims, g.strides, off)
	}
}

// step advances the odometer idx over dims by one, the last fastest, and
// returns the offset moved by strides; past the end it wraps to zero.
func step(idx, dims, strides []int, off int) int {
	for d := len(idx) - 1; d >= 0; d-- {
		idx[d]++
		off += strides[d]
		if idx[d] < dims[d] {
			return off
		}
		off -= idx[d] * strides[d]
		idx[d] = 0
	}
	return off
}

func (k *einsumKernel) flops() int64 {
	return 2 * int64(k.batch) * int64(k.m) * int64(k.nn) * int64(k.k)
}
