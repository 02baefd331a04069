package infer

import "github.com/edge-pi/edge/simd"

// geluKernel is the exact GELU as PyTorch exports it below opset 20, five
// element-wise operators fused by fuseGELU into one pass over the tensor
// (a piece at a time, in cache): y = (x · (erf(x / c) + a)) · h, with the
// constants found (c = √2, a = 1, h = 0.5), rounding as the five do, so
// that fused and unfused agree bit for bit. ConvNeXt-tiny at 112² has 18,
// each over four times a block's channels.
type geluKernel struct {
	n       *node
	c, a, h float32
	body    func(lo, hi int)
}

// geluPiece is how many elements a piece of the parallel loop covers.
const geluPiece = 4096

func (k *geluKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *geluKernel) run(p *workers) {
	n := len(k.n.out[0].t.F)
	p.parallel((n+geluPiece-1)/geluPiece, 1, k.body)
}

// chunk computes pieces [lo, hi) (simd.GELU).
func (k *geluKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	s, e := lo*geluPiece, min(len(y), hi*geluPiece)
	simd.GELU(y[s:e], x[s:e], k.c, k.a, k.h)
}

// fuseGELU finds Div(x, c) → Erf → Add(a) → Mul(x) → Mul(h), c, a and h
// scalar constants (in either operand of the Add and the Muls), every
// value inside used only there and not a graph output, and makes the last
// Mul a geluKernel over x, the others dead.
func (p *Plan) fuseGELU(nodes []*node) {
	users := usersOf(nodes)
	for _, div := range nodes {
		if div.dead || div.op != "Div" || len(div.in) != 2 || div.in[0] == nil || div.in[0].dtype != Float32 {
			continue
		}
		x := div.in[0]
		c, ok := scalarConst(div.in[1])
		if !ok || x.isConst {
			continue
		}
		erf := users.only(div.out[0], "Erf")
		if erf == nil {
			continue
		}
		add := users.only(erf.out[0], "Add")
		if add == nil {
			continue
		}
		a, ok := scalarConst(otherInput(add, erf.out[0]))
		if !ok {
			continue
		}
		mul := users.only(add.out[0], "Mul")
		if mul == nil || otherInput(mul, add.out[0]) != x || !sameShape(mul.out[0].shape, x.shape) {
			continue
		}
		half := users.only(mul.out[0], "Mul")
		if half == nil {
			continue
		}
		h, ok := scalarConst(otherInput(half, mul.out[0]))
		if !ok {
			continue
		}
		half.k = &geluKernel{n: half, c: c, a: a, h: h}
		half.in = []*value{x}
		for _, n := range []*node{div, erf, add, mul} {
			n.dead = true
			half.fused = append(half.fused, n.op)
		}
		half.op = "GELU"
	}
}

// geluFusionOff keeps decomposed GELUs as they are (tests compare with it).
var geluFusionOff = false
