package infer

import (
	"math"

	"github.com/edge-pi/edge/simd"
)

// laneGeom views a tensor as [outer][n][inner] for an operator that works
// along the middle axis: each of the outer·inner lanes has n elements,
// inner apart.
type laneGeom struct{ outer, n, inner int }

func (g laneGeom) lanes() int { return g.outer * g.inner }

// start is the offset of lane l's first element.
func (g laneGeom) start(l int) int {
	return (l/g.inner)*g.n*g.inner + l%g.inner
}

func laneAt(shape []int, axis int) laneGeom {
	return laneGeom{numel(shape[:axis]), shape[axis], numel(shape[axis+1:])}
}

// softmaxKernel is Softmax along one axis, or (before opset 13) over the
// flattened tail of the tensor from an axis on. It subtracts the lane's
// maximum before exponentiating, so large inputs do not overflow.
type softmaxKernel struct {
	n    *node
	g    laneGeom
	op   string // Softmax, LogSoftmax or Hardmax
	body func(lo, hi int)
}

// lpNormKernel is LpNormalization: each lane divided by its L1 or L2 norm.
type lpNormKernel struct {
	n    *node
	g    laneGeom
	p    int
	body func(lo, hi int)
}

// instNormKernel is InstanceNormalization: each (image, channel) plane
// normalised by its own mean and variance, then scaled and shifted per
// channel.
type instNormKernel struct {
	n         *node
	eps       float64
	ch, inner int
	body      func(lo, hi int)
}

// lrnKernel is LRN, local response normalisation across channels:
// y = x / (bias + alpha/size · Σ x²)^beta, the sum over the channels
// [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉] that exist.
type lrnKernel struct {
	n                 *node
	alpha, beta, bias float64
	size              int
	ch, inner         int
	body              func(lo, hi int)
}

func init() {
	register("Softmax", []string{"axis"}, buildSoftmax)
	register("LogSoftmax", []string{"axis"}, buildSoftmax)
	register("Hardmax", []string{"axis"}, buildSoftmax)
	register("LpNormalization", []string{"axis", "p"}, buildLpNorm)
	register("InstanceNormalization", []string{"epsilon", "consumed_inputs"}, buildInstNorm)
	register("LRN", []string{"alpha", "beta", "bias", "size"}, buildLRN)
}

// buildSoftmax builds Softmax, LogSoftmax and Hardmax, which share their
// axis semantics: one axis from opset 13 (default the last), the
// flattened tail from the axis on before it (default 1).
func buildSoftmax(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	x := b.in(0)
	rank := len(x.shape)
	if rank == 0 {
		return nil, b.errf("input is a scalar; %s needs rank 1 or more", b.n.op)
	}
	def := int64(-1)
	if b.opset < 13 {
		def = 1
	}
	axis, err := b.axis(b.a.int("axis", def), rank)
	if err != nil {
		return nil, err
	}
	k := &softmaxKernel{n: b.n, g: laneAt(x.shape, axis), op: b.n.op}
	if b.opset < 13 {
		// the input is coerced to 2-D: [prod(shape[:axis]), prod(shape[axis:])]
		k.g = laneGeom{numel(x.shape[:axis]), numel(x.shape[axis:]), 1}
	}
	return k, b.setOut(0, Float32, x.shape)
}

func (k *softmaxKernel) prepare(int) error {
	switch k.op {
	case "LogSoftmax":
		k.body = k.chunkLog
	case "Hardmax":
		k.body = k.chunkHard
	default:
		k.body = k.chunk
	}
	return nil
}

func (k *softmaxKernel) run(p *workers) {
	p.parallel(k.g.lanes(), max(1, 4096/max(k.g.n, 1)), k.body)
}

// chunk computes lanes [lo, hi).
func (k *softmaxKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	g := k.g
	for l := lo; l < hi; l++ {
		s := g.start(l)
		if g.inner == 1 { // a contiguous row (the last axis): simd's exponentials
			simd.SoftmaxRow(y[s:s+g.n], x[s:s+g.n])
			continue
		}
		end := s + (g.n-1)*g.inner + 1
		m := float32(math.Inf(-1))
		for i := s; i < end; i += g.inner {
			if v := x[i]; v > m || v != v {
				m = v
			}
		}
		sum := 0.0
		for i := s; i < end; i += g.inner {
			e := math.Exp(float64(x[i] - m))
			y[i] = float32(e)
			sum += e
		}
		inv := float32(1 / sum)
		for i := s; i < end; i += g.inner {
			y[i] *= inv
		}
	}
}

// chunkLog computes LogSoftmax for lanes [lo, hi): x - max - log Σ exp(x - max).
func (k *softmaxKernel) chunkLog(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	g := k.g
	for l := lo; l < hi; l++ {
		s := g.start(l)
		end := s + (g.n-1)*g.inner + 1
		m := math.Inf(-1)
		for i := s; i < end; i += g.inner {
			if v := float64(x[i]); v > m || v != v {
				m = v
			}
		}
		sum := 0.0
		for i := s; i < end; i += g.inner {
			sum += math.Exp(float64(x[i]) - m)
		}
		sub := m + math.Log(sum)
		for i := s; i < end; i += g.inner {
			y[i] = float32(float64(x[i]) - sub)
		}
	}
}

// chunkHard computes Hardmax for lanes [lo, hi): 1 at the lane's first
// maximum, 0 elsewhere. A NaN counts as the maximum, as in Softmax.
func (k *softmaxKernel) chunkHard(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	g := k.g
	if g.n == 0 {
		return
	}
	for l := lo; l < hi; l++ {
		s := g.start(l)
		end := s + (g.n-1)*g.inner + 1
		best := s
		for i := s; i < end; i += g.inner {
			if v := x[i]; x[best] == x[best] && (v > x[best] || v != v) {
				best = i
			}
		}
		for i := s; i < end; i += g.inner {
			y[i] = 0
		}
		y[best] = 1
	}
}

func buildLpNorm(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	x := b.in(0)
	if len(x.shape) == 0 {
		return nil, b.errf("input is a scalar; LpNormalization needs rank 1 or more")
	}
	axis, err := b.axis(b.a.int("axis", -1), len(x.shape))
	if err != nil {
		return nil, err
	}
	p := b.a.int("p", 2)
	if p != 1 && p != 2 {
		return nil, b.errf("p = %d is not supported (only 1 and 2)", p)
	}
	k := &lpNormKernel{n: b.n, g: laneAt(x.shape, axis), p: int(p)}
	return k, b.setOut(0, Float32, x.shape)
}

func (k *lpNormKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *lpNormKernel) run(p *workers) {
	p.parallel(k.g.lanes(), max(1, 4096/max(k.g.n, 1)), k.body)
}

// chunk normalises lanes [lo, hi). A lane of zeros divides by a zero norm
// (NaN), as the operator's definition says.
func (k *lpNormKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	g := k.g
	for l := lo; l < hi; l++ {
		s := g.start(l)
		end := s + (g.n-1)*g.inner + 1
		norm := 0.0
		for i := s; i < end; i += g.inner {
			v := float64(x[i])
			if k.p == 1 {
				norm += math.Abs(v)
			} else {
				norm += v * v
			}
		}
		if k.p == 2 {
			norm = math.Sqrt(norm)
		}
		for i := s; i < end; i += g.inner {
			y[i] = float32(float64(x[i]) / norm)
		}
	}
}

func buildInstNorm(b *builder) (kernel, error) {
	if err := b.wantInputs(3, 3); err != nil {
		return nil, err
	}
	for i := 0; i < 3; i++ {
		if err := b.float(i); err != nil {
			return nil, err
		}
	}
	x := b.in(0)
	if len(x.shape) < 2 {
		return nil, b.errf("input rank %d is below 2", len(x.shape))
	}
	b.a.ignore("consumed_inputs") // opset 1 only; no effect at inference
	k := &instNormKernel{n: b.n, eps: float64(b.a.float("epsilon", 1e-5))}
	k.ch, k.inner = x.shape[1], numel(x.shape[2:])
	for i := 1; i < 3; i++ {
		if numel(b.in(i).shape) != k.ch {
			return nil, b.errf("input %d has %d values for %d channels", i, numel(b.in(i).shape), k.ch)
		}
	}
	return k, b.setOut(0, Float32, x.shape)
}

func (k *instNormKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *instNormKernel) run(p *workers) {
	p.parallel(numel(k.n.in[0].shape[:2]), max(1, 16384/max(k.inner, 1)), k.body)
}

// chunk normalises planes [lo, hi) of batch × channels.
func (k *instNormKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	scale, bias := k.n.in[1].t.F, k.n.in[2].t.F
	for r := lo; r < hi; r++ {
		c := r % k.ch
		src, dst := x[r*k.inner:(r+1)*k.inner], y[r*k.inner:(r+1)*k.inner]
		sum := 0.0
		for _, v := range src {
			sum += float64(v)
		}
		mean := sum / float64(k.inner)
		ss := 0.0
		for _, v := range src {
			d := float64(v) - mean
			ss += d * d
		}
		s := float64(scale[c]) / math.Sqrt(ss/float64(k.inner)+k.eps)
		t := float64(bias[c]) - mean*s
		for i, v := range src {
			dst[i] = float32(float64(v)*s + t)
		}
	}
}

func buildLRN(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	x := b.in(0)
	if len(x.shape) < 2 {
		return nil, b.errf("input rank %d is below 2", len(x.shape))
	}
	if !b.a.has("size") {
		return nil, b.errf("attribute \"size\" is required")
	}
	k := &lrnKernel{n: b.n,
		alpha: float64(b.a.float("alpha", 1e-4)),
		beta:  float64(b.a.float("beta", 0.75)),
		bias:  float64(b.a.float("bias", 1)),
		size:  int(b.a.int("size", 1)),
	}
	if k.size < 1 {
		return nil, b.errf("size %d must be positive", k.size)
	}
	k.ch, k.inner = x.shape[1], numel(x.shape[2:])
	return k, b.setOut(0, Float32, x.shape)
}

func (k *lrnKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *lrnKernel) run(p *workers) {
	p.parallel(numel(k.n.in[0].shape[:2]), max(1, 4096/max(k.inner*k.size, 1)), k.body)
}

// chunk computes planes [lo, hi) of batch × channels. The output plane
// holds the sum of squares until it is replaced by the result.
func (k *lrnKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	before, after := (k.size-1)/2, k.size/2 // ⌊(size-1)/2⌋, ⌈(size-1)/2⌉
	for r := lo; r < hi; r++ {
		c := r % k.ch
		img := r - c
		dst := y[r*k.inner : (r+1)*k.inner]
		clear(dst)
		for cc := max(0, c-before); cc <= min(k.ch-1, c+after); cc++ {
			for i, v := range x[(img+cc)*k.inner : (img+cc+1)*k.inner] {
				dst[i] += v * v
			}
		}
		src := x[r*k.inner : (r+1)*k.inner]
		f := k.alpha / float64(k.size)
		for i, v := range src {
			dst[i] = float32(float64(v) / math.Pow(k.bias+f*float64(dst[i]), k.beta))
		}
	}
}
