package fairbinn

// Version is the toolkit version written into exported models.
const Version = "0.1.0"

// Metadata keys of an exported model (its metadata_props): what made it, from what, and how it scored.
const (
	MetaVersion    = "fairbinn.version"
	MetaMethod     = "fairbinn.method"
	MetaEta        = "fairbinn.eta"
	MetaPosition   = "fairbinn.position"
	MetaSeed       = "fairbinn.seed"
	MetaDataSHA256 = "fairbinn.data_sha256"
	// MetaMetrics is JSON: the selected epoch and the selected model's validation and test metrics, as
	// onnxruntime computes them.
	MetaMetrics = "fairbinn.metrics"
	// MetaEncoding is the JSON spec that encodes raw data rows into the model's input (dataset.Encoding).
	MetaEncoding = "fairbinn.encoding"
	// MetaFairness is the fairness criterion trained for (dp, eo or eopp).
	MetaFairness = "fairbinn.fairness"
	// MetaConstraints are the stated constraints, as given ("dp<=0.01,eo<=0.05").
	MetaConstraints = "fairbinn.constraints"
	// MetaMergedGroups lists, as a JSON array, the groups merged into OtherGroup for being too small.
	MetaMergedGroups = "fairbinn.merged_groups"
	// MetaIgnoredGroups lists, as a JSON array, the groups left out of the fairness gaps for being too
	// small.
	MetaIgnoredGroups = "fairbinn.ignored_groups"
	MetaFairLayers    = "fairbinn.fair_layers"
	MetaFairInit      = "fairbinn.fair_init"
)

// Runtime names an executor of a model.
type Runtime string

// The executors.
const (
	// ORT is onnxruntime, what a user serves the exported model with.
	ORT Runtime = "ort"
	// Go is fairbinn's own forward pass (gorgonia), the one training runs on.
	Go Runtime = "go"
	// OnnxGo is github.com/owulveryck/onnx-go, an independent third executor for VerifyAll.
	OnnxGo Runtime = "onnx-go"
)
