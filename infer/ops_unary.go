package infer

import (
	"math"

	"github.com/edge-pi/edge/simd"
)

// unaryOp names an element-wise operator of unaryKernel.
type unaryOp int

const (
	unarySqrt unaryOp = iota
	unaryExp
	unaryLog
	unaryAbs
	unaryNeg
	unaryErf
	unaryReciprocal
	unaryMath // one of the functions of mathFuncs, in unaryKernel.f
)

// mathFuncs are the trigonometric, hyperbolic and rounding operators and
// the parameterless smooth activations, each float32 element computed
// through a float64 function.
var mathFuncs = map[string]func(float64) float64{
	"Sin": math.Sin, "Cos": math.Cos, "Tan": math.Tan,
	"Asin": math.Asin, "Acos": math.Acos, "Atan": math.Atan,
	"Sinh": math.Sinh, "Cosh": math.Cosh,
	"Asinh": math.Asinh, "Acosh": math.Acosh, "Atanh": math.Atanh,
	"Floor": math.Floor, "Ceil": math.Ceil,
	"Round":    math.RoundToEven, // halves to even, as the operator says
	"Sign":     sign,
	"Softplus": softplus,
	"Softsign": func(x float64) float64 { return x / (1 + math.Abs(x)) },
	"Mish":     func(x float64) float64 { return x * math.Tanh(softplus(x)) },
}

// sign is -1, 0 or 1 by x's sign, +0 for either zero (as numpy's sign,
// the ONNX reference); a NaN stays NaN.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x // NaN
}

// softplus is log(1 + eˣ), without overflowing where eˣ would.
func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// unaryKernel applies an element-wise function: y[i] = f(x[i]). Float32
// data is computed through float64 math; integer data (Abs and Neg only)
// appears when constant folding shape arithmetic.
type unaryKernel struct {
	n    *node
	op   unaryOp
	f    func(float64) float64 // with unaryMath
	body func(lo, hi int)
}

func init() {
	unary := func(name string, op unaryOp) {
		register(name, []string{"consumed_inputs"}, func(b *builder) (kernel, error) {
			return buildUnary(b, op)
		})
	}
	unary("Sqrt", unarySqrt)
	unary("Exp", unaryExp)
	unary("Log", unaryLog)
	unary("Abs", unaryAbs)
	unary("Neg", unaryNeg)
	unary("Erf", unaryErf)
	unary("Reciprocal", unaryReciprocal)
	for name := range mathFuncs {
		unary(name, unaryMath)
	}
	// the activations with a parameter, alpha
	withAlpha := func(name string, def float32, f func(x, alpha float64) float64) {
		register(name, []string{"alpha"}, func(b *builder) (kernel, error) {
			alpha := float64(b.a.float("alpha", def))
			if err := b.wantInputs(1, 1); err != nil {
				return nil, err
			}
			if err := b.float(0); err != nil {
				return nil, err
			}
			x := b.in(0)
			return &unaryKernel{n: b.n, op: unaryMath, f: func(v float64) float64 { return f(v, alpha) }}, b.setOut(0, Float32, x.shape)
		})
	}
	withAlpha("ThresholdedRelu", 1, func(x, alpha float64) float64 {
		if x > alpha {
			return x
		}
		return 0
	})
	withAlpha("Celu", 1, func(x, alpha float64) float64 {
		return math.Max(0, x) + math.Min(0, alpha*(math.Exp(x/alpha)-1))
	})
}

func buildUnary(b *builder, op unaryOp) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	b.a.ignore("consumed_inputs") // opset 1 only; no effect at inference
	x := b.in(0)
	intOK := op == unaryAbs || op == unaryNeg
	switch {
	case x.dtype == Float32:
	case (x.dtype == Int64 || x.dtype == Int32) && intOK:
	default:
		return nil, b.errf("data type %v is not supported by %s", x.dtype, b.n.op)
	}
	return &unaryKernel{n: b.n, op: op, f: mathFuncs[b.n.op]}, b.setOut(0, x.dtype, x.shape)
}

func (k *unaryKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *unaryKernel) run(p *workers) {
	p.parallel(numel(k.n.out[0].shape), 16384, k.body)
}

// chunk computes elements [lo, hi).
func (k *unaryKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		src, dst := x.I[lo:hi], y.I[lo:hi]
		for i, v := range src {
			if k.op == unaryNeg || v < 0 {
				v = -v
			}
			dst[i] = v
		}
		return
	}
	src, dst := x.F[lo:hi], y.F[lo:hi]
	switch k.op {
	case unarySqrt:
		for i, v := range src {
			dst[i] = float32(math.Sqrt(float64(v)))
		}
	case unaryExp:
		for i, v := range src {
			dst[i] = float32(math.Exp(float64(v)))
		}
	case unaryLog:
		for i, v := range src {
			dst[i] = float32(math.Log(float64(v)))
		}
	case unaryAbs:
		for i, v := range src {
			dst[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
		}
	case unaryNeg:
		for i, v := range src {
			dst[i] = -v
		}
	case unaryErf:
		simd.Erf(dst, src)
	case unaryReciprocal:
		for i, v := range src {
			dst[i] = 1 / v
		}
	case unaryMath:
		for i, v := range src {
			dst[i] = float32(k.f(float64(v)))
		}
	}
}
