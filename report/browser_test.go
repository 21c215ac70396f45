package report

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairbinn/fairbinn-go/internal/testkit"
)

var screenshot = flag.String("screenshot", "", "save TestBrowser's screenshot of the sample report to this PNG file")

// chromium is Debian's chromium, which scripts/install-debs.sh installs.
const chromium = "/usr/bin/chromium"

// runChromium runs headless chromium on the page with a fresh profile and its own extra flags, and
// returns its standard output.
func runChromium(ctx context.Context, t *testing.T, page string, args ...string) []byte {
	t.Helper()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", chromium, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestBrowser renders the sample report in a real browser: its screenshot must show a page with
// charts, and the page the browser built must hold every section and every chart. With -screenshot
// PATH the screenshot is kept there (the README's picture is made this way).
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		testkit.Unavailable(t, "%v: the browser test needs Debian's chromium (scripts/install-debs.sh installs it)", err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "audit.html")
	if err := WriteFile(page, sampleAudit()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	shot := filepath.Join(dir, "audit.png")
	runChromium(ctx, t, page, "--screenshot="+shot, "--window-size=1280,4000", "--hide-scrollbars")
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the screenshot is no PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 4000 {
		t.Errorf("screenshot %v, want 1280×4000", b)
	}
	// A page that failed to draw is white. Text and tables alone ink a few per cent of the pixels in a
	// couple of hundred shades of grey; the first charts, in view at this height, add their colours.
	inked, colours := ink(img)
	if inked < 0.03 || colours < 300 {
		t.Errorf("the screenshot looks blank: %.1f %% of its pixels not white, %d colours", 100*inked, colours)
	}
	for _, c := range []struct {
		name string
		rgb  color.RGBA
	}{{"backbone's orange", colorBefore}, {"audited model's blue", colorAfter}} {
		if n := countColour(img, c.rgb); n < 1000 {
			t.Errorf("the screenshot has %d pixels of the bars' %s, want at least 1000: are the charts drawn?", n, c.name)
		}
	}
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	dom := string(runChromium(ctx, t, page, "--dump-dom"))
	for _, s := range sections {
		if !strings.Contains(dom, `<h2 id="`+s.id+`">`+s.title+`</h2>`) {
			t.Errorf("the browser's page has no section %q", s.title)
		}
	}
	want, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(dom, "<svg "), bytes.Count(want, []byte("<svg ")); got != want || got == 0 {
		t.Errorf("the browser's page has %d charts, want %d", got, want)
	}
	for _, el := range []string{"<g", "<path", "<text"} {
		if !strings.Contains(dom, el) {
			t.Errorf("the browser's charts hold no %s> element", el)
		}
	}
}

// countColour counts the pixels of colour c.
func countColour(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}

// ink returns the fraction of pixels that are not white and the number of distinct colours.
func ink(img image.Image) (float64, int) {
	b := img.Bounds()
	colours := map[[3]uint32]bool{}
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				inked++
			}
		}
	}
	return float64(inked) / float64(b.Dx()*b.Dy()), len(colours)
}
