package onnxpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go_opt=Monnx-ml.proto=github.com/fairbinn/fairbinn-go/internal/onnxpb onnx-ml.proto
