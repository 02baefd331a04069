package infer

import "slices"

// NonMaxSuppression: per image and class, the boxes scoring above the
// score threshold, best first (of equal scores the lower index), each
// kept unless its intersection over union with one already kept exceeds
// the IoU threshold, at most max_output_boxes_per_class of them. The
// output, [selected, 3] rows of (image, class, box), is int64 and its
// length is known only when the step has run: it is a graph output (the
// detector's result, which the caller reads with the boxes), not the
// input of another step. The plan holds the most rows there can be;
// Output's shape and data are cut to the rows selected by each run (none
// before the first). No node may read it, not even its shape (runRows).
type nmsKernel struct {
	n       *node
	batches int
	classes int
	boxes   int
	maxOut  int     // per image and class
	iou     float32 // suppress above this
	score   float32 // keep above this, where hasScore
	hasScr  bool
	center  bool // boxes as (x centre, y centre, width, height), else two corners (y1, x1, y2, x2)

	cand []int32 // an image's class's candidates, best first
	kept []int32 // the boxes kept so far for that class
	rows []int64 // the output's storage, all of the plan's rows
}

func (*nmsKernel) intOutputs() {}

func init() {
	register("NonMaxSuppression", []string{"center_point_box"}, buildNMS)
}

func buildNMS(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 5); err != nil {
		return nil, err
	}
	for i := 0; i < 2; i++ {
		if err := b.float(i); err != nil {
			return nil, err
		}
	}
	bx, sc := b.in(0), b.in(1)
	if len(bx.shape) != 3 || bx.shape[2] != 4 {
		return nil, b.errf("boxes have shape %v, want [batches, boxes, 4]", bx.shape)
	}
	if len(sc.shape) != 3 || sc.shape[0] != bx.shape[0] || sc.shape[2] != bx.shape[1] {
		return nil, b.errf("scores have shape %v, want [%d, classes, %d] for boxes %v", sc.shape, bx.shape[0], bx.shape[1], bx.shape)
	}
	k := &nmsKernel{n: b.n, batches: bx.shape[0], classes: sc.shape[1], boxes: bx.shape[1]}
	switch c := b.a.int("center_point_box", 0); c {
	case 0, 1:
		k.center = c == 1
	default:
		return nil, b.errf("center_point_box %d: 0 or 1", c)
	}
	if b.in(2) != nil {
		m, err := b.constInts(2)
		if err != nil {
			return nil, err
		}
		if len(m) != 1 {
			return nil, b.errf("max_output_boxes_per_class has %d values, wants one", len(m))
		}
		k.maxOut = int(min(max(m[0], 0), int64(k.boxes))) // more than there are boxes selects them all
	}
	var err error
	if k.iou, _, err = nmsScalar(b, 3); err != nil {
		return nil, err
	}
	if !(k.iou >= 0 && k.iou <= 1) { // NaN too
		return nil, b.errf("iou_threshold %v out of [0, 1]", k.iou)
	}
	if k.score, k.hasScr, err = nmsScalar(b, 4); err != nil {
		return nil, err
	}
	// the worst case, every candidate against every box kept: bounded so
	// that a hostile model cannot make a run last for minutes
	if w := float64(k.batches) * float64(k.classes) * float64(k.boxes) * float64(max(k.maxOut, 1)); w > nmsMaxWork {
		return nil, b.errf("%d images × %d classes × %d boxes × %d kept a class: %.3g box comparisons a run at worst, more than %.0g", k.batches, k.classes, k.boxes, k.maxOut, w, nmsMaxWork)
	}
	if err := b.setOut(0, Int64, []int{k.batches * k.classes * k.maxOut, 3}); err != nil {
		return nil, err
	}
	if o := b.n.out[0]; o != nil {
		o.runRows = true
	}
	return k, nil
}

// nmsMaxWork bounds batches × classes × boxes × max_output_boxes_per_class
// (about a second's comparisons; an 80-class detector's 25,200 boxes with
// 100 kept a class is 2·10⁸).
const nmsMaxWork = 4e9

// nmsScalar reads the optional float scalar input i, which must be
// constant (or bound with Options.Consts).
func nmsScalar(b *builder, i int) (float32, bool, error) {
	v := b.in(i)
	if v == nil {
		return 0, false, nil
	}
	if err := b.float(i); err != nil {
		return 0, false, err
	}
	if !v.isConst {
		return 0, false, b.needsConst(i, "a constant")
	}
	f, ok := scalarConst(v)
	if !ok {
		return 0, false, b.errf("input %d (%q) has %d values, wants one", i, v.name, numel(v.shape))
	}
	return f, true, nil
}

func (k *nmsKernel) prepare(int) error {
	k.cand = make([]int32, k.boxes)
	k.kept = make([]int32, k.maxOut)
	return nil
}

func (k *nmsKernel) run(*workers) {
	out := k.n.out[0].t
	if k.rows == nil { // the first run: the storage (bound with no rows), the shape made the kernel's own
		k.rows, out.Shape = out.I[:cap(out.I)], slices.Clone(out.Shape)
	}
	bx, sc := k.n.in[0].t.F, k.n.in[1].t.F
	got := 0
	for b := 0; b < k.batches; b++ {
		boxes := bx[b*k.boxes*4 : (b+1)*k.boxes*4]
		for c := 0; c < k.classes && k.maxOut > 0; c++ {
			scores := sc[(b*k.classes+c)*k.boxes : (b*k.classes+c+1)*k.boxes]
			cand := k.cand[:0]
			for i, s := range scores {
				if !k.hasScr || s > k.score {
					cand = append(cand, int32(i))
				}
			}
			l := topKLane{x: scores, inner: 1, largest: true, h: cand}
			l.heapify()
			l.sortHeap()
			kept := k.kept[:0]
			for _, i := range cand {
				if len(kept) == k.maxOut {
					break
				}
				if !k.suppressed(boxes, i, kept) {
					kept = append(kept, i)
					k.rows[3*got], k.rows[3*got+1], k.rows[3*got+2] = int64(b), int64(c), int64(i)
					got++
				}
			}
		}
	}
	out.Shape[0], out.I = got, k.rows[:3*got]
	if v := k.n.out[0]; v.isConst { // folded when the plan was built: later nodes see the rows selected
		v.shape = slices.Clone(out.Shape)
	}
}

// suppressed reports whether box i overlaps one of kept by more than the
// IoU threshold.
func (k *nmsKernel) suppressed(boxes []float32, i int32, kept []int32) bool {
	a := k.corners(boxes, i)
	for _, j := range kept {
		if iouAbove(a, k.corners(boxes, j), k.iou) {
			return true
		}
	}
	return false
}

// corners is box i as (x min, y min, x max, y max).
func (k *nmsKernel) corners(boxes []float32, i int32) [4]float32 {
	b := boxes[4*i : 4*i+4]
	if k.center {
		hw, hh := b[2]/2, b[3]/2
		return [4]float32{b[0] - hw, b[1] - hh, b[0] + hw, b[1] + hh}
	}
	return [4]float32{min(b[1], b[3]), min(b[0], b[2]), max(b[1], b[3]), max(b[0], b[2])}
}

// iouAbove reports whether boxes a and b (corners) overlap by an
// intersection over union above t; boxes that do not overlap, or of no
// area, never do.
func iouAbove(a, b [4]float32, t float32) bool {
	ix0, iy0 := max(a[0], b[0]), max(a[1], b[1])
	ix1, iy1 := min(a[2], b[2]), min(a[3], b[3])
	if ix1 <= ix0 || iy1 <= iy0 {
		return false
	}
	inter := (ix1 - ix0) * (iy1 - iy0)
	areaA := (a[2] - a[0]) * (a[3] - a[1])
	areaB := (b[2] - b[0]) * (b[3] - b[1])
	union := areaA + areaB - inter
	if inter <= 0 || areaA <= 0 || areaB <= 0 || union <= 0 {
		return false
	}
	return inter/union > t
}
