package infer

import (
	"math"

	"github.com/edge-pi/edge/simd"
)

// layerNormKernel normalises each row of n elements (the trailing
// dimensions from the axis on): y = (x − mean) / sqrt(var + eps), times
// gamma and plus beta where given (nil: none), one pass to the mean, one
// to the variance, one to the output, while the row is in cache.
//
// It is ONNX's LayerNormalization (opset 17), and what a decomposed layer
// norm fuses into (fuseLayerNorm: ReduceMean, Sub, Pow 2, ReduceMean, Add
// ε, Sqrt, Div, then Mul γ and Add β; how PyTorch exports nn.LayerNorm
// below opset 17, ConvNeXt's and ViT's), rounding as those operators do,
// step by step, so that fused and unfused agree bit for bit: the means
// summed in float64 (simd.Sum64, as ReduceMean sums) and rounded to float32;
// the differences, squares, sum with ε, quotient, product and sum in
// float32; the square root in float64 rounded to float32.
type layerNormKernel struct {
	n           *node
	rows, cols  int
	eps         float32
	gamma, beta []float32 // nil: 1 and 0
	body        func(lo, hi int)
}

func init() {
	register("LayerNormalization", []string{"axis", "epsilon", "stash_type"}, buildLayerNorm)
}

func buildLayerNorm(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 3); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	if len(b.n.out) == 0 || b.n.out[0] == nil {
		return nil, unsupportedf("%v: Mean or InvStdDev without the output Y", b.n)
	}
	x := b.in(0)
	ax, err := b.axis(b.a.int("axis", -1), len(x.shape))
	if err != nil {
		return nil, err
	}
	k := &layerNormKernel{n: b.n, cols: numel(x.shape[ax:]), rows: numel(x.shape[:ax]), eps: b.a.float("epsilon", 1e-5)}
	for i, dst := range []*[]float32{&k.gamma, &k.beta} {
		v := b.in(i + 1)
		if v == nil {
			continue
		}
		if !v.isConst {
			return nil, b.needsConst(i+1, "a constant")
		}
		if v.dtype != Float32 || numel(v.shape) != k.cols {
			return nil, b.errf("%s must be a constant of the %d normalised elements, not %v", []string{"Scale", "B"}[i], k.cols, v.shape)
		}
		*dst = v.t.F
	}
	// Mean and InvStdDev (training's outputs, where asked for): a value
	// per row, the normalised dimensions kept as ones
	stat := append([]int(nil), x.shape...)
	for i := ax; i < len(stat); i++ {
		stat[i] = 1
	}
	for i := 1; i <= 2; i++ {
		if err := b.setOut(i, Float32, stat); err != nil {
			return nil, err
		}
	}
	return k, b.setOut(0, Float32, x.shape)
}

func (k *layerNormKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *layerNormKernel) run(p *workers) {
	p.parallel(k.rows, max(1, 4096/max(k.cols, 1)), k.body)
}

// chunk normalises rows [lo, hi).
func (k *layerNormKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	var means, inv []float32 // the Mean and InvStdDev outputs, where the graph uses them
	if len(k.n.out) > 1 && k.n.out[1] != nil {
		means = k.n.out[1].t.F
	}
	if len(k.n.out) > 2 && k.n.out[2] != nil {
		inv = k.n.out[2].t.F
	}
	n := float64(k.cols)
	for r := lo; r < hi; r++ {
		xr, yr := x[r*k.cols:(r+1)*k.cols], y[r*k.cols:(r+1)*k.cols]
		mean := float32(simd.Sum64(xr) / n)
		for i, v := range xr {
			yr[i] = v - mean
		}
		s := sumSq64(yr)
		sd := float32(math.Sqrt(float64(float32(s/n) + k.eps)))
		if means != nil {
			means[r] = mean
		}
		if inv != nil {
			inv[r] = 1 / sd
		}
		switch {
		case k.gamma != nil && k.beta != nil:
			for i, d := range yr {
				yr[i] = float32(d/sd*k.gamma[i]) + k.beta[i] // rounded before the sum, not fused (arm64)
			}
		case k.gamma != nil:
			for i, d := range yr {
				yr[i] = d / sd * k.gamma[i]
			}
		default:
			for i, d := range yr {
				yr[i] = d / sd
			}
		}
	}
}
