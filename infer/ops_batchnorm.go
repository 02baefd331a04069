package infer

import "math"

// bnKernel is BatchNormalization. With constant parameters it is a
// per-channel scale and shift, and folds into a preceding convolution or
// fully connected layer; with training_mode=1 it normalises with the
// batch's own statistics and also outputs the updated running statistics.
type bnKernel struct {
	n                *node
	eps, momentum    float32
	training         bool
	batch, ch, inner int
	scale, shift     []float32 // when the parameters are constant
	body             func(lo, hi int)
}

func init() {
	register("BatchNormalization", []string{"epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"}, buildBN)
}

func buildBN(b *builder) (kernel, error) {
	if err := b.wantInputs(5, 5); err != nil {
		return nil, err
	}
	for i := 0; i < 5; i++ {
		if err := b.float(i); err != nil {
			return nil, err
		}
	}
	k := &bnKernel{n: b.n}
	k.eps = b.a.float("epsilon", 1e-5)
	k.momentum = b.a.float("momentum", 0.9)
	k.training = b.a.int("training_mode", 0) != 0
	b.a.ignore("is_test", "consumed_inputs")
	if b.a.int("spatial", 1) != 1 {
		return nil, b.errf("attribute \"spatial\" = 0 is not supported")
	}
	if b.opset < 14 && len(b.n.out) > 1 {
		// Before opset 14 the extra outputs are training-only; inference
		// ignores them, and they must not be used.
		for _, o := range b.n.out[1:] {
			if o != nil {
				return nil, b.errf("training outputs of BatchNormalization before opset 14 are not supported")
			}
		}
	}
	x := b.in(0)
	if len(x.shape) < 2 {
		return nil, b.errf("input rank %d is below 2", len(x.shape))
	}
	k.batch, k.ch, k.inner = x.shape[0], x.shape[1], numel(x.shape[2:])
	for i := 1; i < 5; i++ {
		if numel(b.in(i).shape) != k.ch {
			return nil, b.errf("input %d has %d values for %d channels", i, numel(b.in(i).shape), k.ch)
		}
	}
	if !k.training && len(b.n.out) > 1 {
		for _, o := range b.n.out[1:] {
			if o != nil {
				return nil, b.errf("running statistics outputs need training_mode=1")
			}
		}
	}
	allConst := true
	for i := 1; i < 5; i++ {
		allConst = allConst && b.in(i).isConst
	}
	if allConst && !k.training {
		k.scale, k.shift = make([]float32, k.ch), make([]float32, k.ch)
		k.params(b.in(1).t.F, b.in(2).t.F, b.in(3).t.F, b.in(4).t.F)
		b.n.in = b.n.in[:1]
	}
	if err := b.setOut(0, Float32, x.shape); err != nil {
		return nil, err
	}
	if k.training {
		for i := 1; i < 3; i++ {
			if err := b.setOut(i, Float32, []int{k.ch}); err != nil {
				return nil, err
			}
		}
	}
	return k, nil
}

// params computes the per-channel scale and shift.
func (k *bnKernel) params(scale, bias, mean, variance []float32) {
	for c := 0; c < k.ch; c++ {
		s := scale[c] / float32(math.Sqrt(float64(variance[c]+k.eps)))
		k.scale[c] = s
		k.shift[c] = bias[c] - mean[c]*s
	}
}

func (k *bnKernel) prepare(int) error {
	k.body = k.chunk
	if k.scale == nil {
		k.scale, k.shift = make([]float32, k.ch), make([]float32, k.ch)
	}
	return nil
}

func (k *bnKernel) run(p *workers) {
	in := k.n.in
	if k.training {
		k.train()
	} else if len(in) > 1 {
		k.params(in[1].t.F, in[2].t.F, in[3].t.F, in[4].t.F)
	}
	p.parallel(k.batch*k.ch, max(1, 16384/max(1, k.inner)), k.body)
}

// train computes batch statistics (population variance), the scale and
// shift they give, and the running statistics outputs.
func (k *bnKernel) train() {
	x := k.n.in[0].t.F
	scale, bias := k.n.in[1].t.F, k.n.in[2].t.F
	rmean, rvar := k.n.in[3].t.F, k.n.in[4].t.F
	cnt := float64(k.batch * k.inner)
	for c := 0; c < k.ch; c++ {
		var s float64
		for b := 0; b < k.batch; b++ {
			for _, v := range x[(b*k.ch+c)*k.inner : (b*k.ch+c+1)*k.inner] {
				s += float64(v)
			}
		}
		mean := s / cnt
		var ss float64
		for b := 0; b < k.batch; b++ {
			for _, v := range x[(b*k.ch+c)*k.inner : (b*k.ch+c+1)*k.inner] {
				d := float64(v) - mean
				ss += d * d
			}
		}
		variance := ss / cnt
		sc := float64(scale[c]) / math.Sqrt(variance+float64(k.eps))
		k.scale[c] = float32(sc)
		k.shift[c] = float32(float64(bias[c]) - mean*sc)
		m := float64(k.momentum)
		if o := k.out(1); o != nil {
			o[c] = float32(float64(rmean[c])*m + mean*(1-m))
		}
		if o := k.out(2); o != nil {
			o[c] = float32(float64(rvar[c])*m + variance*(1-m))
		}
	}
}

func (k *bnKernel) out(i int) []float32 {
	if i < len(k.n.out) && k.n.out[i] != nil {
		return k.n.out[i].t.F
	}
	return nil
}

func (k *bnKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	for r := lo; r < hi; r++ {
		c := r % k.ch
		s, t := k.scale[c], k.shift[c]
		src, dst := x[r*k.inner:(r+1)*k.inner], y[r*k.inner:(r+1)*k.inner]
		for i, v := range src {
			dst[i] = v*s + t
		}
	}
}

func (k *bnKernel) fuseAct(a *activation) bool { return false }
