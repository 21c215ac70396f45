package fairbinn

import (
	"fmt"
	"strconv"

	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// InsertAt resolves a position spec ("K" or "name:TENSOR") on m and inserts fairness layers there.
func InsertAt(m *Model, spec string, opts insert.InsertOptions) (insert.Position, error) {
	positions, err := insert.Positions(m.Graph)
	if err != nil {
		return insert.Position{}, fault.Wrap(fault.BadInput, fmt.Errorf("%s: %w", m.Path, err))
	}
	pos, err := insert.FindPosition(positions, spec)
	if err != nil {
		return pos, fault.Wrap(fault.BadInput, fmt.Errorf("%s: %w", m.Path, err))
	}
	if err := insert.Insert(m.Graph, pos, opts); err != nil {
		return pos, fault.Wrap(fault.BadInput, fmt.Errorf("%s: %w", m.Path, err))
	}
	return pos, nil
}

// InsertFile inserts fairness layers into backbone without training and writes the model to out (never
// the backbone's own file), recording the insertion in its metadata.
func InsertFile(backbone *Model, spec string, opts insert.InsertOptions, out string) (insert.Position, error) {
	if opts.Layers == 0 {
		opts.Layers = 1
	}
	if opts.Init == "" {
		opts.Init = insert.InitIdentity
	}
	if err := notTheInput(backbone.Path, out); err != nil {
		return insert.Position{}, err
	}
	pos, err := InsertAt(backbone, spec, opts)
	if err != nil {
		return pos, err
	}
	g := backbone.Graph
	g.SetMetadata(MetaVersion, Version)
	g.SetMetadata(MetaPosition, PositionLabel(pos))
	g.SetMetadata(MetaFairLayers, strconv.Itoa(opts.Layers))
	g.SetMetadata(MetaFairInit, opts.Init)
	return pos, exporter.WriteFile(out, g)
}

// PositionLabel is how a position is recorded in metadata: "K:TENSOR".
func PositionLabel(p insert.Position) string { return fmt.Sprintf("%d:%s", p.Index, p.Tensor) }
