package eval

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
)

// The plots are drawn with the standard library only: axes, ticks and
// labels in the 5×7 font of font.go.

var (
	white   = color.RGBA{255, 255, 255, 255}
	black   = color.RGBA{0, 0, 0, 255}
	grid    = color.RGBA{225, 225, 225, 255}
	grey    = color.RGBA{120, 120, 120, 255}
	blue    = color.RGBA{31, 90, 180, 255}
	red     = color.RGBA{200, 40, 40, 255}
	green   = color.RGBA{20, 140, 60, 255}
	orange  = color.RGBA{230, 120, 0, 255}
	plotW   = 720
	plotH   = 600
	marginL = 90
	marginR = 30
	marginT = 80
	marginB = 80
)

// chart maps data coordinates into a plot area of an image.
type chart struct {
	img                    *image.RGBA
	x0, y0, x1, y1         int     // plot area in pixels (y0 top)
	xmin, xmax, ymin, ymax float64 // data range
}

func newChart(xmax, ymax float64) *chart {
	img := image.NewRGBA(image.Rect(0, 0, plotW, plotH))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return &chart{img: img, x0: marginL, y0: marginT, x1: plotW - marginR, y1: plotH - marginB, xmax: xmax, ymax: ymax}
}

func (c *chart) px(x float64) float64 {
	return float64(c.x0) + (x-c.xmin)/(c.xmax-c.xmin)*float64(c.x1-c.x0)
}

func (c *chart) py(y float64) float64 {
	return float64(c.y1) - (y-c.ymin)/(c.ymax-c.ymin)*float64(c.y1-c.y0)
}

// blend paints pixel (x, y) with colour col at opacity a.
func (c *chart) blend(x, y int, col color.RGBA, a float64) {
	if !(image.Point{x, y}.In(c.img.Rect)) {
		return
	}
	o := c.img.PixOffset(x, y)
	p := c.img.Pix[o : o+3 : o+3]
	for i, v := range []uint8{col.R, col.G, col.B} {
		p[i] = uint8(math.Round(float64(p[i])*(1-a) + float64(v)*a))
	}
}

func (c *chart) fill(x0, y0, x1, y1 int, col color.RGBA, a float64) {
	for y := min(y0, y1); y <= max(y0, y1); y++ {
		for x := min(x0, x1); x <= max(x0, x1); x++ {
			c.blend(x, y, col, a)
		}
	}
}

// line draws a line in pixel coordinates, width w, dashed when dash > 0
// (pixels on, pixels off).
func (c *chart) line(x0, y0, x1, y1 float64, w int, col color.RGBA, dash int) {
	n := int(math.Ceil(math.Max(math.Abs(x1-x0), math.Abs(y1-y0)))) + 1
	for i := 0; i <= n; i++ {
		if dash > 0 && (i/dash)%2 == 1 {
			continue
		}
		t := float64(i) / float64(n)
		x := int(math.Round(x0 + t*(x1-x0)))
		y := int(math.Round(y0 + t*(y1-y0)))
		c.fill(x-(w-1)/2, y-(w-1)/2, x+w/2, y+w/2, col, 1)
	}
}

// dataLine draws a line between data points.
func (c *chart) dataLine(x0, y0, x1, y1 float64, w int, col color.RGBA, dash int) {
	c.line(c.px(x0), c.py(y0), c.px(x1), c.py(y1), w, col, dash)
}

// text draws s centred on x (align 0), starting at x (align 1) or ending
// at x (align −1), with its top at y.
func (c *chart) text(x, y int, s string, scale int, col color.RGBA, align int) {
	w := textWidth(s, scale)
	switch align {
	case 0:
		x -= w / 2
	case -1:
		x -= w
	}
	drawText(c.img, x, y, s, scale, col, false)
}

// axes draws the frame, grid, ticks and labels.
func (c *chart) axes(xticks, yticks []float64, xfmt, yfmt func(float64) string, xlabel, ylabel string) {
	for _, t := range xticks {
		x := c.px(t)
		c.line(x, float64(c.y0), x, float64(c.y1), 1, grid, 0)
		c.line(x, float64(c.y1), x, float64(c.y1+6), 1, black, 0)
		c.text(int(x), c.y1+12, xfmt(t), 2, black, 0)
	}
	for _, t := range yticks {
		y := c.py(t)
		c.line(float64(c.x0), y, float64(c.x1), y, 1, grid, 0)
		c.line(float64(c.x0-6), y, float64(c.x0), y, 1, black, 0)
		c.text(c.x0-10, int(y)-glyphH, yfmt(t), 2, black, -1)
	}
	c.line(float64(c.x0), float64(c.y1), float64(c.x1), float64(c.y1), 2, black, 0)
	c.line(float64(c.x0), float64(c.y0), float64(c.x0), float64(c.y1), 2, black, 0)
	c.text((c.x0+c.x1)/2, c.y1+40, xlabel, 2, black, 0)
	drawText(c.img, 14, (c.y0+c.y1)/2+textWidth(ylabel, 2)/2, ylabel, 2, black, true)
}

// title writes a title line and a smaller subtitle above the plot area.
func (c *chart) title(title, sub string) {
	c.text(plotW/2, 14, title, 2, black, 0)
	c.text(plotW/2, 40, sub, 2, grey, 0)
}

// niceTicks returns about n round tick values from 0 to at most hi.
func niceTicks(hi float64, n int) []float64 {
	if !(hi > 0) {
		return []float64{0}
	}
	raw := hi / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	var t []float64
	for i := 0; float64(i)*step <= hi*(1+1e-9); i++ {
		t = append(t, float64(i)*step)
	}
	return t
}

// tickLabel formats a tick value without trailing noise.
func tickLabel(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'g', 6, 64)
}

func percent(v float64) string { return tickLabel(100*v) + "%" }

// marker draws a hollow square around a data point.
func (c *chart) marker(x, y float64, col color.RGBA) { c.markerPx(c.px(x), c.py(y), col) }

// markerPx draws a hollow square around a pixel.
func (c *chart) markerPx(cx, cy float64, col color.RGBA) {
	for _, d := range [][4]float64{{-5, -5, 5, -5}, {5, -5, 5, 5}, {5, 5, -5, 5}, {-5, 5, -5, -5}} {
		c.line(cx+d[0], cy+d[1], cx+d[2], cy+d[3], 2, col, 0)
	}
}

// PlotROC draws the ROC curve of v (TAR against FAR, both linear from 0
// to 1) with the chance diagonal, the equal-error line FAR = 1 − TAR, and
// markers at the EER and at TAR@FAR=1%. sub is a subtitle (the model).
func PlotROC(v *Verification, sub string) *image.RGBA {
	c := newChart(1, 1)
	ticks := niceTicks(1, 5)
	c.axes(ticks, ticks, tickLabel, tickLabel, "FALSE ACCEPT RATE", "TRUE ACCEPT RATE")
	c.dataLine(0, 0, 1, 1, 1, grey, 6)
	c.dataLine(0, 1, 1, 0, 1, grey, 3)
	for i := 1; i < len(v.ROC); i++ {
		a, b := v.ROC[i-1], v.ROC[i]
		c.dataLine(a.FAR, a.TAR, b.FAR, b.TAR, 3, blue, 0)
	}
	c.marker(v.EER, 1-v.EER, red)
	c.marker(farAtTAR1(v), v.TARAtFAR1, orange)
	c.title(fmt.Sprintf("ROC: AUC %.4f  EER %.1f%%  TAR@FAR=1%% %.1f%%", v.AUC, 100*v.EER, 100*v.TARAtFAR1), sub)
	// Legend, bottom right.
	lx, ly := c.x1-300, c.y1-95
	c.fill(lx-10, ly-10, c.x1-10, c.y1-10, white, 0.9)
	c.line(float64(lx), float64(ly+7), float64(lx+30), float64(ly+7), 3, blue, 0)
	c.text(lx+40, ly, fmt.Sprintf("ROC, %d PAIRS", v.GenuinePairs+v.ImpostorPairs), 2, black, 1)
	c.markerPx(float64(lx+15), float64(ly+32), red)
	c.text(lx+40, ly+25, fmt.Sprintf("EER %.1f%%", 100*v.EER), 2, black, 1)
	c.markerPx(float64(lx+15), float64(ly+57), orange)
	c.text(lx+40, ly+50, fmt.Sprintf("TAR@FAR=1%% %.1f%%", 100*v.TARAtFAR1), 2, black, 1)
	return c.img
}

// farAtTAR1 is the FAR of the operating point TARAtFAR1 reports: the
// last ROC vertex at that TAR with FAR ≤ 1%.
func farAtTAR1(v *Verification) float64 {
	far := 0.0
	for _, p := range v.ROC {
		if p.FAR <= 0.01 && p.TAR <= v.TARAtFAR1 {
			far = p.FAR
		}
	}
	return far
}

// PlotDistances draws the distributions of genuine and impostor pair
// distances (each as the fraction of its pairs per bin) with the EER
// threshold. sub is a subtitle (the model).
func PlotDistances(v *Verification, sub string) *image.RGBA {
	h := v.Hist
	nb := len(h.Genuine)
	gf := make([]float64, nb)
	imf := make([]float64, nb)
	top := 0.0
	for i := range nb {
		gf[i] = float64(h.Genuine[i]) / float64(max(v.GenuinePairs, 1))
		imf[i] = float64(h.Impostor[i]) / float64(max(v.ImpostorPairs, 1))
		top = math.Max(top, math.Max(gf[i], imf[i]))
	}
	xmax := h.Width * float64(nb)
	xt := niceTicks(xmax, 6)
	yt := niceTicks(top*1.4, 5)
	c := newChart(xmax, yt[len(yt)-1])
	if top*1.4 > c.ymax {
		c.ymax = top * 1.4 // room for the legend
	}
	c.axes(xt, yt, tickLabel, percent, "EUCLIDEAN DISTANCE", "FRACTION OF PAIRS")
	for _, s := range []struct {
		f   []float64
		col color.RGBA
	}{{imf, red}, {gf, green}} {
		for i, f := range s.f {
			if f == 0 {
				continue
			}
			x0, x1 := int(c.px(float64(i)*h.Width)), int(c.px(float64(i+1)*h.Width))
			c.fill(x0, int(c.py(f)), x1, c.y1-1, s.col, 0.35)
		}
		// Outline as a step curve.
		prev := 0.0
		for i, f := range s.f {
			x := float64(i) * h.Width
			c.dataLine(x, prev, x, f, 2, s.col, 0)
			c.dataLine(x, f, x+h.Width, f, 2, s.col, 0)
			prev = f
		}
		c.dataLine(xmax, prev, xmax, 0, 2, s.col, 0)
	}
	tx := c.px(v.EERThreshold)
	c.line(tx, float64(c.y0), tx, float64(c.y1), 2, black, 8)
	c.title(fmt.Sprintf("PAIR DISTANCES: %d GENUINE, %d IMPOSTOR", v.GenuinePairs, v.ImpostorPairs), sub)
	// Legend, top right.
	lx, ly := c.x1-290, c.y0+10
	c.fill(lx-10, ly-10, c.x1-10, ly+75, white, 0.9)
	c.fill(lx, ly, lx+24, ly+14, green, 0.6)
	c.text(lx+34, ly, "GENUINE (SAME CLASS)", 2, black, 1)
	c.fill(lx, ly+25, lx+24, ly+39, red, 0.6)
	c.text(lx+34, ly+25, "IMPOSTOR", 2, black, 1)
	c.line(float64(lx+12), float64(ly+48), float64(lx+12), float64(ly+66), 2, black, 4)
	c.text(lx+34, ly+50, fmt.Sprintf("EER THRESHOLD %.4g", v.EERThreshold), 2, black, 1)
	return c.img
}
