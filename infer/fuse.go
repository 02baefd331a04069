package infer

// What the pattern fusions (fuseLayerNorm, fuseGELU) share: who uses each
// value, and the constants they read.

// valueUsers lists the live nodes that read each value.
type valueUsers map[*value][]*node

func usersOf(nodes []*node) valueUsers {
	u := valueUsers{}
	for _, n := range nodes {
		if n.dead {
			continue
		}
		for _, v := range n.in {
			if v != nil {
				u[v] = append(u[v], n)
			}
		}
	}
	return u
}

// only is v's single user when it is of operator op and v is not a graph
// output, else nil.
func (u valueUsers) only(v *value, op string) *node {
	if v == nil || v.output || len(u[v]) != 1 || u[v][0].op != op {
		return nil
	}
	return u[v][0]
}

// scalarConst is the value of a float32 constant of one element.
func scalarConst(v *value) (float32, bool) {
	if v == nil || !v.isConst || v.dtype != Float32 || numel(v.shape) != 1 {
		return 0, false
	}
	return v.t.F[0], true
}

// otherInput is the input of a two-input node that is not v (nil where
// v is neither).
func otherInput(n *node, v *value) *value {
	if len(n.in) != 2 {
		return nil
	}
	switch v {
	case n.in[0]:
		return n.in[1]
	case n.in[1]:
		return n.in[0]
	}
	return nil
}
