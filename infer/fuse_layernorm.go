package infer

// fuseLayerNorm finds layer norms over the last axis decomposed into
// ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt and Div (then, where
// they follow, Mul by γ and Add β of one value per normalised element),
// the way PyTorch exports nn.LayerNorm below opset 17, and makes the last
// node of each one layerNormKernel over the first node's input, the
// others dead. Every value inside the pattern must be used only there
// and not be a graph output. ConvNeXt-tiny at 112² has 23 of them, nine
// passes over each row become three.
func (p *Plan) fuseLayerNorm(nodes []*node) {
	users := map[*value][]*node{}
	for _, n := range nodes {
		if n.dead {
			continue
		}
		for _, v := range n.in {
			if v != nil {
				users[v] = append(users[v], n)
			}
		}
	}
	only := func(v *value, op string) *node { // v's single user, of operator op
		if v == nil || v.output || len(users[v]) != 1 || users[v][0].op != op {
			return nil
		}
		return users[v][0]
	}
	lastAxisMean := func(n *node) bool {
		k, ok := n.k.(*reduceKernel)
		if !ok || k.op != reduceMean || n.in[0] == nil || n.in[0].dtype != Float32 || len(n.out) != 1 {
			return false
		}
		s, o := n.in[0].shape, n.out[0].shape
		if len(s) == 0 || len(o) != len(s) || o[len(o)-1] != 1 || !sameShape(s[:len(s)-1], o[:len(o)-1]) {
			return false
		}
		return k.count == s[len(s)-1]
	}
	scalar := func(v *value) (float32, bool) {
		if v == nil || !v.isConst || v.dtype != Float32 || numel(v.shape) != 1 {
			return 0, false
		}
		return v.t.F[0], true
	}
	perElem := func(v *value, cols int) []float32 { // a constant of one value per element of a row
		if v == nil || !v.isConst || v.dtype != Float32 || numel(v.shape) != cols || len(v.shape) == 0 || v.shape[len(v.shape)-1] != cols {
			return nil
		}
		return v.t.F
	}
	for _, mean := range nodes {
		if mean.dead || !lastAxisMean(mean) {
			continue
		}
		x := mean.in[0]
		cols := x.shape[len(x.shape)-1]
		sub := only(mean.out[0], "Sub")
		if sub == nil || sub.in[0] != x || sub.in[1] != mean.out[0] {
			continue
		}
		d := sub.out[0]
		if d.output || len(users[d]) != 2 {
			continue
		}
		var pow, div *node
		for _, u := range users[d] {
			switch {
			case u.op == "Pow" && u.in[0] == d:
				pow = u
			case u.op == "Div" && u.in[0] == d:
				div = u
			}
		}
		if pow == nil || div == nil {
			continue
		}
		if e, ok := scalar(pow.in[1]); !ok || e != 2 {
			continue
		}
		vmean := only(pow.out[0], "ReduceMean")
		if vmean == nil || !lastAxisMean(vmean) {
			continue
		}
		add := only(vmean.out[0], "Add")
		if add == nil {
			continue
		}
		epsIn := add.in[1]
		if add.in[1] == vmean.out[0] {
			epsIn = add.in[0]
		}
		eps, ok := scalar(epsIn)
		if !ok {
			continue
		}
		sqrt := only(add.out[0], "Sqrt")
		if sqrt == nil || only(sqrt.out[0], "Div") != div || div.in[1] != sqrt.out[0] {
			continue
		}
		k := &layerNormKernel{rows: numel(x.shape[:len(x.shape)-1]), cols: cols, eps: eps}
		chain := []*node{mean, sub, pow, vmean, add, sqrt, div}
		last := div
		if mul := only(div.out[0], "Mul"); mul != nil {
			g := mul.in[1]
			if mul.in[1] == div.out[0] {
				g = mul.in[0]
			}
			if k.gamma = perElem(g, cols); k.gamma != nil {
				chain, last = append(chain, mul), mul
				if ad := only(mul.out[0], "Add"); ad != nil {
					bv := ad.in[1]
					if ad.in[1] == mul.out[0] {
						bv = ad.in[0]
					}
					if k.beta = perElem(bv, cols); k.beta != nil {
						chain, last = append(chain, ad), ad
					}
				}
			}
		}
		k.n = last
		last.k = k
		last.in = []*value{x}
		for _, n := range chain {
			if n != last {
				n.dead = true
				last.fused = append(last.fused, n.op)
			}
		}
		last.op = "LayerNormalization"
	}
}

// layerNormFusionOff keeps decomposed layer norms as they are (tests
// compare with it).
var layerNormFusionOff = false
