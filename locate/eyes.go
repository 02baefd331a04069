package locate

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// pupils is pigo's pupil localisation cascade (cascade/puploc), read and
// run here rather than through pigo's PuplocCascade: pigo jitters each
// search with the global math/rand, so the same frame would give other
// eyes on each run, and an aligned crop other embeddings. This one uses a
// fixed set of jitters.
//
// The file is a header of four little-endian 32-bit words (stages, the
// scale factor applied after each stage as a float32, trees per stage,
// tree depth d) and then, per stage and tree, 4·(2^d − 1) signed bytes of
// node codes and 2^d leaves of two float32 (row and column shifts). A
// node's four codes are two points, (row, column) each, as 1/256ths of
// the search window's size from its centre: the branch taken is whether
// the first is brighter than the second. Each stage moves the centre by
// the sum of its trees' leaves times the window size, then shrinks the
// window.
type pupils struct {
	stages, trees, depth int
	shrink               float32
	codes                []int8    // stages·trees·4·(2^d − 1)
	leaves               []float32 // stages·trees·2·2^d
}

func newPupils(b []byte) (*pupils, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: pupil cascade of %d bytes", ErrCascade, len(b))
	}
	p := &pupils{
		stages: int(binary.LittleEndian.Uint32(b)),
		shrink: math.Float32frombits(binary.LittleEndian.Uint32(b[4:])),
		trees:  int(binary.LittleEndian.Uint32(b[8:])),
		depth:  int(binary.LittleEndian.Uint32(b[12:])),
	}
	if p.stages < 1 || p.stages > 64 || p.trees < 1 || p.trees > 1<<12 || p.depth < 1 || p.depth > 12 ||
		!(p.shrink > 0 && p.shrink <= 1) {
		return nil, fmt.Errorf("%w: pupil cascade of %d stages × %d trees of depth %d, shrink %v", ErrCascade, p.stages, p.trees, p.depth, p.shrink)
	}
	leaves := 1 << p.depth
	per := 4*(leaves-1) + 8*leaves
	n := p.stages * p.trees
	if len(b) != 16+n*per {
		return nil, fmt.Errorf("%w: pupil cascade of %d bytes, want %d", ErrCascade, len(b), 16+n*per)
	}
	p.codes = make([]int8, 0, n*4*(leaves-1))
	p.leaves = make([]float32, 0, n*2*leaves)
	for pos := 16; pos < len(b); {
		for _, c := range b[pos : pos+4*(leaves-1)] {
			p.codes = append(p.codes, int8(c))
		}
		pos += 4 * (leaves - 1)
		for i := 0; i < 2*leaves; i++ {
			p.leaves = append(p.leaves, math.Float32frombits(binary.LittleEndian.Uint32(b[pos:])))
			pos += 4
		}
	}
	return p, nil
}

// grey is a grey image as pigo sees it: rows of cols bytes, stride apart.
type grey struct {
	pix             []uint8
	rows, cols, dim int
}

func (g *grey) at(r, c float32) uint8 {
	y := min(g.rows-1, max(0, int(math.Floor(float64(r)))))
	x := min(g.cols-1, max(0, int(math.Floor(float64(c)))))
	return g.pix[y*g.dim+x]
}

// run refines a pupil's position from (r, c) with a window of side s:
// mirror runs the cascade mirrored left to right (the cascade is trained
// on the left eye of the image).
func (p *pupils) run(g *grey, r, c, s float32, mirror bool) (float32, float32) {
	leaves := 1 << p.depth
	sign := float32(1)
	if mirror {
		sign = -1
	}
	codes, lv := p.codes, p.leaves
	for st := 0; st < p.stages; st++ {
		var dr, dc float32
		for t := 0; t < p.trees; t++ {
			node := 0
			for k := 0; k < p.depth; k++ {
				q := codes[4*node:]
				a := g.at(r+float32(q[0])*s/256, c+sign*float32(q[1])*s/256)
				b := g.at(r+float32(q[2])*s/256, c+sign*float32(q[3])*s/256)
				node = 2*node + 1
				if a > b {
					node++
				}
			}
			leaf := 2 * (node - (leaves - 1))
			dr += lv[leaf]
			dc += sign * lv[leaf+1]
			codes, lv = codes[4*(leaves-1):], lv[2*leaves:]
		}
		r += dr * s
		c += dc * s
		s *= p.shrink
	}
	return r, c
}

// jitters are the fixed perturbations of a search's start: row and
// column shifts within ±7.5% of the window and a scale within ±7.5%, as
// pigo draws them at random; here a 15-point Halton set (bases 2, 3, 5).
var jitters = func() [15][3]float32 {
	var j [15][3]float32
	halton := func(i, b int) float32 {
		f, r := float32(1), float32(0)
		for ; i > 0; i /= b {
			f /= float32(b)
			r += f * float32(i%b)
		}
		return r
	}
	for i := range j {
		j[i] = [3]float32{0.15 * (halton(i+1, 2) - 0.5), 0.15 * (halton(i+1, 3) - 0.5), 0.925 + 0.15*halton(i+1, 5)}
	}
	return j
}()

// find returns the pupil near (r, c) for a search window of side s: the
// median, coordinate by coordinate, of the runs from each jittered start.
func (p *pupils) find(g *grey, r, c, s float32, mirror bool) (float32, float32) {
	var rs, cs [len(jitters)]float32
	for i, j := range jitters {
		rs[i], cs[i] = p.run(g, r+s*j[0], c+s*j[1], s*j[2], mirror)
	}
	slices.Sort(rs[:])
	slices.Sort(cs[:])
	return rs[len(rs)/2], cs[len(cs)/2]
}
