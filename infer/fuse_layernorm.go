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
	users := usersOf(nodes)
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
		sub := users.only(mean.out[0], "Sub")
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
		if e, ok := scalarConst(pow.in[1]); !ok || e != 2 {
			continue
		}
		vmean := users.only(pow.out[0], "ReduceMean")
		if vmean == nil || !lastAxisMean(vmean) {
			continue
		}
		add := users.only(vmean.out[0], "Add")
		if add == nil {
			continue
		}
		eps, ok := scalarConst(otherInput(add, vmean.out[0]))
		if !ok {
			continue
		}
		sqrt := users.only(add.out[0], "Sqrt")
		if sqrt == nil || users.only(sqrt.out[0], "Div") != div || div.in[1] != sqrt.out[0] {
			continue
		}
		k := &layerNormKernel{rows: numel(x.shape[:len(x.shape)-1]), cols: cols, eps: eps}
		chain := []*node{mean, sub, pow, vmean, add, sqrt, div}
		last := div
		if mul := users.only(div.out[0], "Mul"); mul != nil {
			if k.gamma = perElem(otherInput(mul, div.out[0]), cols); k.gamma != nil {
				chain, last = append(chain, mul), mul
				if ad := users.only(mul.out[0], "Add"); ad != nil {
					if k.beta = perElem(otherInput(ad, mul.out[0]), cols); k.beta != nil {
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
