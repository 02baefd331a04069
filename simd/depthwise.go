package simd

// DWConv describes a depthwise 2-D convolution: one kh×kw filter per
// channel, NCHW layout, zero padding.
type DWConv struct {
	H, W, OH, OW     int
	KH, KW           int
	StrideH, StrideW int
	PadT, PadL       int
	DilH, DilW       int
}

// DepthwiseChannel convolves one channel: in is H×W, w is KH×KW, out is
// OH×OW; out = bias + Σ w·in over the window, taps outside the input
// counting as zero.
func DepthwiseChannel(p *DWConv, in, w []float32, bias float32, out []float32) {
	active.dw(p, in, w, bias, out)
}

func depthwiseGeneric(p *DWConv, in, w []float32, bias float32, out []float32) {
	for oy := 0; oy < p.OH; oy++ {
		for ox := 0; ox < p.OW; ox++ {
			s := bias
			for ky := 0; ky < p.KH; ky++ {
				iy := oy*p.StrideH - p.PadT + ky*p.DilH
				if iy < 0 || iy >= p.H {
					continue
				}
				for kx := 0; kx < p.KW; kx++ {
					ix := ox*p.StrideW - p.PadL + kx*p.DilW
					if ix < 0 || ix >= p.W {
						continue
					}
					s += w[ky*p.KW+kx] * in[iy*p.W+ix]
				}
			}
			out[oy*p.OW+ox] = s
		}
	}
}
