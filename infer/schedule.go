package infer

// The order steps run in, and the fusions decided on it (a residual Add
// into the convolution before it, a Concat written in place).

// schedule removes nodes no output needs, then fuses batch normalisation
// and activations into their producers.
func (p *Plan) schedule(nodes []*node) []*node {
	countUses := func() {
		for _, n := range nodes {
			for _, in := range n.in {
				if in != nil {
					in.uses = 0
				}
			}
		}
		for _, n := range nodes {
			if n.dead {
				continue
			}
			for _, in := range n.in {
				if in != nil {
					in.uses++
				}
			}
		}
	}
	// Dead code: walk back from the outputs.
	needed := map[*node]bool{}
	var mark func(v *value)
	mark = func(v *value) {
		if v == nil || v.isConst || v.producer == nil || needed[v.producer] {
			return
		}
		needed[v.producer] = true
		for _, in := range v.producer.in {
			mark(in)
		}
	}
	for _, o := range p.outputs {
		mark(o)
	}
	for _, n := range nodes {
		n.dead = !needed[n]
	}
	if !layerNormFusionOff {
		p.fuseLayerNorm(nodes)
	}
	if !geluFusionOff {
		p.fuseGELU(nodes)
	}
	countUses()
	// Fusion: a BatchNormalization, residual Add or activation whose input
	// is the only use of a fusable producer's output disappears into that
	// producer.
	pos := map[*node]int{}
	for i, n := range nodes {
		pos[n] = i
	}
	for _, n := range nodes {
		if n.dead || len(n.in) == 0 || n.in[0] == nil {
			continue
		}
		if bk, ok := n.k.(*binKernel); ok && n.op == "Add" && len(n.in) == 2 && n.in[1] != nil && bk.g.n > 0 {
			if p.fuseBias(n) || p.fuseAdd(n, pos) {
				countUses()
			}
			continue
		}
		x := n.in[0]
		prod := x.producer
		if x.isConst || prod == nil || prod.dead || x.uses != 1 || x.output || len(prod.out) != 1 {
			continue
		}
		fused := false
		switch k := n.k.(type) {
		case *bnKernel:
			if f, ok := prod.k.(affineFuser); ok && !k.training {
				fused = f.fuseAffine(k.scale, k.shift)
			}
		case *actKernel:
			if f, ok := prod.k.(actFuser); ok {
				fused = f.fuseAct(&k.act)
			}
		case *poolKernel:
			if f, ok := prod.k.(interface{ fusePool(*poolKernel) bool }); ok && !poolFusionOff {
				fused = f.fusePool(k)
			}
		}
		if fused {
			absorb(prod, n)
			countUses()
		}
	}
	for _, n := range nodes {
		if !n.dead && !concatElisionOff {
			elideConcat(n)
		}
	}
	var steps []*node
	for _, n := range nodes {
		if !n.dead {
			steps = append(steps, n)
		}
	}
	return steps
}

// concatElisionOff keeps every Concat a copy (tests compare with it).
var concatElisionOff = false

// elideConcat turns a Concat whose inputs are each one contiguous block of
// its output (every dimension before the axis 1: squeezenet's fire
// modules, batch 1) into views: each input's producer writes straight into
// its block of the output, and the Concat runs no step. The inputs must be
// computed at run time by steps of their own, used only by this Concat,
// and own their storage.
func elideConcat(n *node) {
	k, ok := n.k.(*concatKernel)
	if !ok || len(n.out) != 1 || n.out[0] == nil || n.out[0].dtype != Float32 {
		return
	}
	if k.s.outer != 1 {
		return
	}
	seen := map[*value]bool{}
	for _, v := range n.in {
		if v == nil || v.isConst || v.input || v.output || v.uses != 1 || v.alias != nil || v.producer == nil || seen[v] {
			return
		}
		if _, a := v.producer.k.(alias); a {
			return
		}
		seen[v] = true
	}
	off := 0
	for _, v := range n.in {
		v.alias, v.aliasOff = n.out[0], off
		off += numel(v.shape)
	}
	n.k = alias{}
}

// poolFusionOff keeps MaxPool a step of its own (tests compare with it).
var poolFusionOff = false

// absorb makes node n, fused into its producer prod, disappear: prod
// takes n's operator into its name and writes n's output.
func absorb(prod, n *node) {
	prod.fused = append(prod.fused, n.op)
	prod.out[0] = n.out[0]
	n.out[0].producer = prod
	n.dead = true
}

// biasFusionOff keeps a MatMul's bias Add a step of its own (tests
// compare with it).
var biasFusionOff = false

// fuseBias folds Add(a, c), c a constant of one value a column, into the
// MatMul producing a (matmulKernel.fuseBias).
func (p *Plan) fuseBias(n *node) bool {
	if biasFusionOff {
		return false
	}
	for i := 0; i < 2; i++ {
		x, c := n.in[i], n.in[1-i]
		prod := x.producer
		if x.isConst || !c.isConst || prod == nil || prod.dead || x.uses != 1 || x.output || len(prod.out) != 1 || !sameShape(x.shape, n.out[0].shape) {
			continue
		}
		mk, ok := prod.k.(*matmulKernel)
		if !ok || !mk.fuseBias(c) {
			continue
		}
		absorb(prod, n)
		return true
	}
	return false
}

// fuseAdd folds Add(a, b) into the convolution producing a or b when the
// other operand is ready before that convolution runs.
func (p *Plan) fuseAdd(n *node, pos map[*node]int) bool {
	for i := 0; i < 2; i++ {
		x, other := n.in[i], n.in[1-i]
		prod := x.producer
		if x.isConst || other.isConst || prod == nil || prod.dead || x.uses != 1 || x.output || len(prod.out) != 1 || x == other {
			continue
		}
		if op := other.producer; op != nil && !other.input && pos[op] >= pos[prod] {
			continue // the other operand is computed after the convolution
		}
		f, ok := prod.k.(interface{ fuseAdd(*node, *value) bool })
		if !ok || !sameShape(x.shape, n.out[0].shape) || !f.fuseAdd(prod, other) {
			continue
		}
		absorb(prod, n)
		return true
	}
	return false
}
