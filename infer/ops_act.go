package infer

import (
	"math"

	"github.com/edge-pi/edge/simd"
)

// actKind is an element-wise activation that producers can apply as they
// write their output.
type actKind int

const (
	actNone actKind = iota
	actRelu
	actLeakyRelu
	actPRelu // per-channel or scalar slope
	actSigmoid
	actTanh
	actClip
	actElu
	actSelu
	actHardSigmoid
	actHardSwish
)

// activation is an activation with its parameters. For actClip alpha and
// beta are the bounds; for actPRelu slope holds one value per channel (or
// one for all).
type activation struct {
	kind        actKind
	alpha, beta float32
	gamma       float32
	slope       []float32
}

// negZero is the bias that adds nothing: v + -0 is v, -0 included.
var negZero = float32(math.Copysign(0, -1))

// clampBounds reports whether the activation is a clamp to [lo, hi] (none,
// Relu, Clip), which simd.BiasClamp applies together with a bias.
func (a *activation) clampBounds() (lo, hi float32, ok bool) {
	inf := float32(math.Inf(1))
	switch a.kind {
	case actNone:
		return -inf, inf, true
	case actRelu:
		return 0, inf, true
	case actClip:
		// NaN bounds (never clamping) take simd's generic loop.
		return a.alpha, a.beta, true
	}
	return 0, 0, false
}

// apply applies the activation in place to x, whose elements all belong to
// channel ch.
func (a *activation) apply(x []float32, ch int) {
	switch a.kind {
	case actNone:
	case actRelu, actClip:
		// NaN passes through, as in ONNX Runtime.
		lo, hi, _ := a.clampBounds()
		simd.BiasClamp(x, negZero, lo, hi)
	case actLeakyRelu:
		simd.PRelu(x, a.alpha)
	case actPRelu:
		s := a.slope[0]
		if len(a.slope) > 1 {
			s = a.slope[ch]
		}
		simd.PRelu(x, s)
	case actSigmoid:
		for i, v := range x {
			x[i] = sigmoid(v)
		}
	case actTanh:
		for i, v := range x {
			x[i] = float32(math.Tanh(float64(v)))
		}
	case actElu:
		for i, v := range x {
			if v < 0 {
				x[i] = a.alpha * float32(math.Expm1(float64(v)))
			}
		}
	case actSelu:
		for i, v := range x {
			if v <= 0 {
				x[i] = a.gamma * a.alpha * float32(math.Expm1(float64(v)))
			} else {
				x[i] = a.gamma * v
			}
		}
	case actHardSigmoid:
		for i, v := range x {
			x[i] = max(0, min(1, a.alpha*v+a.beta))
		}
	case actHardSwish:
		for i, v := range x {
			x[i] = v * max(0, min(1, v/6+0.5))
		}
	}
}

func sigmoid(v float32) float32 {
	if v >= 0 {
		return float32(1 / (1 + math.Exp(-float64(v))))
	}
	e := math.Exp(float64(v))
	return float32(e / (1 + e))
}

// channels reports how many per-channel slopes the activation needs (0
// when it is the same for every channel).
func (a *activation) channels() int {
	if a.kind == actPRelu && len(a.slope) > 1 {
		return len(a.slope)
	}
	return 0
}

// actKernel applies an activation to a tensor viewed as [outer][ch][inner].
type actKernel struct {
	n                *node
	act              activation
	outer, ch, inner int
	body             func(lo, hi int)
}

func (k *actKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *actKernel) run(p *workers) {
	p.parallel(k.outer*k.ch, max(1, 16384/max(k.inner, 1)), k.body)
}

func (k *actKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	for r := lo; r < hi; r++ {
		seg := y[r*k.inner : (r+1)*k.inner]
		copy(seg, x[r*k.inner:(r+1)*k.inner])
		k.act.apply(seg, r%k.ch)
	}
}

func init() {
	simple := func(op string, kind actKind, attrNames []string, params func(b *builder, a *activation) error) {
		register(op, attrNames, func(b *builder) (kernel, error) {
			if err := b.wantInputs(1, 1); err != nil {
				return nil, err
			}
			if err := b.float(0); err != nil {
				return nil, err
			}
			k := &actKernel{n: b.n, act: activation{kind: kind}, ch: 1}
			if params != nil {
				if err := params(b, &k.act); err != nil {
					return nil, err
				}
			}
			x := b.in(0)
			k.outer, k.inner = 1, numel(x.shape)
			return k, b.setOut(0, Float32, x.shape)
		})
	}
	simple("Relu", actRelu, nil, nil)
	simple("Sigmoid", actSigmoid, nil, nil)
	simple("Tanh", actTanh, nil, nil)
	simple("HardSwish", actHardSwish, nil, nil)
	simple("LeakyRelu", actLeakyRelu, []string{"alpha"}, func(b *builder, a *activation) error {
		a.alpha = b.a.float("alpha", 0.01)
		return nil
	})
	simple("Elu", actElu, []string{"alpha"}, func(b *builder, a *activation) error {
		a.alpha = b.a.float("alpha", 1)
		return nil
	})
	simple("Selu", actSelu, []string{"alpha", "gamma"}, func(b *builder, a *activation) error {
		a.alpha = b.a.float("alpha", 1.67326319217681884765625)
		a.gamma = b.a.float("gamma", 1.05070102214813232421875)
		return nil
	})
	simple("HardSigmoid", actHardSigmoid, []string{"alpha", "beta"}, func(b *builder, a *activation) error {
		a.alpha = b.a.float("alpha", 0.2)
		a.beta = b.a.float("beta", 0.5)
		return nil
	})
	register("Clip", []string{"min", "max"}, buildClip)
	register("PRelu", nil, buildPRelu)
}

func buildClip(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 3); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	k := &actKernel{n: b.n, act: activation{kind: actClip, alpha: float32(math.Inf(-1)), beta: float32(math.Inf(1))}, outer: 1, ch: 1}
	x := b.in(0)
	k.inner = numel(x.shape)
	if b.opset < 11 {
		k.act.alpha = b.a.float("min", k.act.alpha)
		k.act.beta = b.a.float("max", k.act.beta)
		return k, b.setOut(0, Float32, x.shape)
	}
	runtimeBounds := false
	for i, dst := range []*float32{&k.act.alpha, &k.act.beta} {
		v := b.in(i + 1)
		if v == nil {
			continue
		}
		if err := b.float(i + 1); err != nil {
			return nil, err
		}
		if numel(v.shape) != 1 {
			return nil, b.errf("bound %q must be a scalar, has shape %v", v.name, v.shape)
		}
		if !v.isConst {
			runtimeBounds = true
			continue
		}
		*dst = v.t.F[0]
	}
	if runtimeBounds {
		return &clipKernel{actKernel: k}, b.setOut(0, Float32, x.shape)
	}
	b.n.in = b.n.in[:1] // the bounds are now part of the kernel
	return k, b.setOut(0, Float32, x.shape)
}

// clipKernel is Clip with bounds computed at run time.
type clipKernel struct {
	*actKernel
}

func (k *clipKernel) run(p *workers) {
	in := k.n.in
	if len(in) > 1 && in[1] != nil {
		k.act.alpha = in[1].t.F[0]
	}
	if len(in) > 2 && in[2] != nil {
		k.act.beta = in[2].t.F[0]
	}
	k.actKernel.run(p)
}

// buildPRelu handles a slope that is a scalar or one value per channel of
// axis 1 as an activation (fusable into the producer); any other
// broadcast goes through the general binary kernel.
func buildPRelu(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	if err := b.float(1); err != nil {
		return nil, err
	}
	x, s := b.in(0), b.in(1)
	if s.isConst && len(x.shape) >= 1 {
		n := numel(s.shape)
		perChannel := len(x.shape) >= 2 && n == x.shape[1] && len(s.shape) <= len(x.shape)-1
		if perChannel {
			// the slope's shape right-aligned against x must put the channels on axis 1
			for i, d := range s.shape {
				axis := len(x.shape) - len(s.shape) + i
				if (axis == 1) != (d == n) && d != 1 {
					perChannel = false
				}
				if axis == 1 && d != n {
					perChannel = false
				}
			}
		}
		if n == 1 || perChannel {
			k := &actKernel{n: b.n, act: activation{kind: actPRelu, slope: append([]float32(nil), s.t.F...)}}
			k.outer, k.ch, k.inner = 1, 1, numel(x.shape)
			if n > 1 {
				k.outer = x.shape[0]
				k.ch = x.shape[1]
				k.inner = numel(x.shape[2:])
			}
			b.n.in = b.n.in[:1]
			return k, b.setOut(0, Float32, x.shape)
		}
	}
	return newBinary(b, func(x, s float32) float32 {
		if x < 0 {
			return x * s
		}
		return x
	}, nil)
}
