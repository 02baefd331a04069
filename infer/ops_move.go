package infer

// The data-movement operators move data without computing on it, one
// family per file: views with a new shape (ops_view.go: Reshape, Flatten,
// Squeeze, Unsqueeze, Identity, Dropout at inference), copies through an
// index geometry fixed when the plan is built (ops_stride.go: Transpose,
// Slice, Gather; ops_concat.go: Concat, Split; ops_pad.go: Pad) and
// operators whose output is known when the plan is built (ops_const.go:
// Shape, Constant, ConstantOfShape, and Cast of a constant).
//
// The copying kernels are generic over the two kinds of storage a tensor
// has: F (float32 at run time; float64 constants too, at float32
// precision) and I (int64, int32 and bool constants, met when folding).

// moveElem is an element type the data-movement kernels copy.
type moveElem interface{ float32 | int64 }

// moveF and moveI pick a tensor's storage; the copy loops take them
// as arguments so that one generic loop serves both without converting
// slices to interfaces (which would allocate).
func moveF(t *Tensor) []float32 { return t.F }
func moveI(t *Tensor) []int64   { return t.I }

// moveMaxRank bounds the rank of the loop nests below, after merging
// dimensions, so that their index counters live in fixed arrays.
const moveMaxRank = 16

// moveGrain is about how many elements one parallel chunk copies.
const moveGrain = 16384
