package infer

// window is the geometry of a sliding-window operator (Conv, pooling)
// over the spatial dimensions of an NCHW tensor.
type window struct {
	in, k, out       []int // spatial sizes, kernel, output
	strides, dil     []int
	padBegin, padEnd []int
}

// parseWindow reads kernel_shape-independent window attributes (strides,
// dilations, pads, auto_pad) and computes the output size. ceil selects
// ceil_mode rounding (pooling).
func parseWindow(b *builder, in, k []int, ceil bool) (*window, error) {
	r := len(in)
	w := &window{in: in, k: k}
	w.strides = toInts(b.a.ints("strides", nil))
	w.dil = toInts(b.a.ints("dilations", nil))
	pads := toInts(b.a.ints("pads", nil))
	autoPad := b.a.str("auto_pad", "NOTSET")
	fill := func(s []int, name string, def int) ([]int, error) {
		if s == nil {
			s = make([]int, r)
			for i := range s {
				s[i] = def
			}
		}
		if len(s) != r {
			return nil, b.errf("attribute %q has %d values for %d spatial dimensions", name, len(s), r)
		}
		for _, v := range s {
			if v < 1 {
				return nil, b.errf("attribute %q must be positive, is %v", name, s)
			}
		}
		return s, nil
	}
	var err error
	if w.strides, err = fill(w.strides, "strides", 1); err != nil {
		return nil, err
	}
	if w.dil, err = fill(w.dil, "dilations", 1); err != nil {
		return nil, err
	}
	for i, kv := range k {
		if kv < 1 {
			return nil, b.errf("kernel size %v must be positive", k)
		}
		_ = i
	}
	w.padBegin, w.padEnd, w.out = make([]int, r), make([]int, r), make([]int, r)
	switch autoPad {
	case "NOTSET":
		if pads != nil {
			if len(pads) != 2*r {
				return nil, b.errf("attribute \"pads\" has %d values for %d spatial dimensions", len(pads), r)
			}
			for i := 0; i < r; i++ {
				w.padBegin[i], w.padEnd[i] = pads[i], pads[i+r]
				if pads[i] < 0 || pads[i+r] < 0 {
					return nil, b.errf("negative pads %v are not supported", pads)
				}
			}
		}
	case "VALID":
	case "SAME_UPPER", "SAME_LOWER":
		for i := 0; i < r; i++ {
			out := (in[i] + w.strides[i] - 1) / w.strides[i]
			ext := (k[i]-1)*w.dil[i] + 1
			total := max(0, (out-1)*w.strides[i]+ext-in[i])
			if autoPad == "SAME_UPPER" {
				w.padBegin[i] = total / 2
			} else {
				w.padBegin[i] = total - total/2
			}
			w.padEnd[i] = total - w.padBegin[i]
		}
	default:
		return nil, b.errf("attribute \"auto_pad\" = %q is not supported", autoPad)
	}
	for i := 0; i < r; i++ {
		ext := (k[i]-1)*w.dil[i] + 1
		span := in[i] + w.padBegin[i] + w.padEnd[i] - ext
		if span < 0 {
			return nil, b.errf("window %v is larger than the padded input %v", k, in)
		}
		if ceil {
			w.out[i] = (span+w.strides[i]-1)/w.strides[i] + 1
			// the last window must start inside the input or left padding
			if (w.out[i]-1)*w.strides[i] >= in[i]+w.padBegin[i] {
				w.out[i]--
			}
		} else {
			w.out[i] = span/w.strides[i] + 1
		}
	}
	return w, nil
}
