package fairbinn_test

import (
	"testing"

	"github.com/fairbinn/fairbinn-go"
)

func TestBaselineVerdict(t *testing.T) {
	for _, c := range []struct {
		acc, gap, baseAcc, baseGap float64
		want                       string
	}{
		{0.83, 0.005, 0.82, 0.008, "fine-tuning beats it"},
		{0.82, 0.005, 0.82, 0.008, "fine-tuning beats it"},
		{0.82, 0.008, 0.82, 0.008, "fine-tuning does not beat it"},
		{0.81, 0.009, 0.82, 0.008, "fine-tuning does not beat it"},
		{0.78, 0.008, 0.82, 0.05, "fine-tuning does not beat it on accuracy, but only fine-tuning keeps the limit"},
		{0.81, 0.004, 0.82, 0.008, "fine-tuning does not beat it: fairer, but less accurate"},
		{0.83, 0.009, 0.82, 0.008, "fine-tuning does not beat it: more accurate, but less fair"},
	} {
		if got := fairbinn.BaselineVerdict(c.acc, c.gap, c.baseAcc, c.baseGap, 0.01); got != c.want {
			t.Errorf("%+v: %q", c, got)
		}
	}
}
