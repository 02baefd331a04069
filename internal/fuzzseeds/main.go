// Command fuzzseeds writes the committed seed corpus of infer's FuzzLoad:
// small models of the ONNX node tests (../shared) and mutations of them
// (truncations, flipped bytes, a huge dimension). Run it with
// `make fuzz-seeds`; the corpus is committed so the ordinary test runs it.
package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

func main() {
	src := "../shared/data/onnx-node-tests"
	dst := "infer/testdata/fuzz/FuzzLoad"
	if len(os.Args) > 2 {
		src, dst = os.Args[1], os.Args[2]
	}
	cases := []string{
		"test_basic_conv_with_padding", "test_conv_with_strides_and_asymmetric_padding", "test_gemm_all_attributes",
		"test_batchnorm_example", "test_maxpool_2d_ceil", "test_averagepool_2d_pads_count_include_pad",
		"test_globalaveragepool", "test_relu", "test_prelu_broadcast", "test_clip", "test_softmax_axis_1",
		"test_reshape_negative_dim", "test_flatten_axis1", "test_transpose_default", "test_concat_2d_axis_0",
		"test_split_variable_parts_1d", "test_slice", "test_gather_0", "test_constant_pad", "test_expand_dim_changed", "test_reflect_pad",
		"test_add_bcast", "test_reduce_mean_keepdims_example", "test_lrn", "test_instancenorm_example",
		"test_constantofshape_float_ones", "test_shape", "test_unsqueeze_axis_0", "test_squeeze", "test_matmul_2d",
		"test_sum_example", "test_dropout_default", "test_cast_FLOAT_to_DOUBLE",
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r := rand.New(rand.NewPCG(1, 2))
	n := 0
	sort.Strings(cases)
	for _, c := range cases {
		b, err := os.ReadFile(filepath.Join(src, c, "model.onnx"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "skipping", c+":", err)
			continue
		}
		write := func(suffix string, data []byte) {
			body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
			if err := os.WriteFile(filepath.Join(dst, c+suffix), []byte(body), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			n++
		}
		write("", b)
		write("-trunc", b[:len(b)*2/3])
		flip := append([]byte(nil), b...)
		for i := 0; i < 3; i++ {
			flip[r.IntN(len(flip))] ^= byte(1 + r.IntN(255))
		}
		write("-flip", flip)
	}
	fmt.Printf("wrote %d seeds to %s\n", n, dst)
}
