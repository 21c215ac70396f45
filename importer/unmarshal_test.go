package importer

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
)

// FuzzUnmarshalMatchesProto checks the importer's streaming decoder against proto.Unmarshal: on any
// input both succeed with equal messages or both fail. Seeds: every model under testdata.
func FuzzUnmarshalMatchesProto(f *testing.F) {
	err := filepath.WalkDir("../testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".onnx") {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil {
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := &onnxpb.ModelProto{}
		wantErr := proto.Unmarshal(data, want)
		got, gotErr := unmarshalModel(bufio.NewReader(bytes.NewReader(data)), int64(len(data)))
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("proto.Unmarshal error %v, streaming decoder error %v", wantErr, gotErr)
		}
		if wantErr == nil && !proto.Equal(want, got) {
			t.Fatal("the streaming decoder and proto.Unmarshal decode different messages")
		}
	})
}
