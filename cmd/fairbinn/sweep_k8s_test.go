package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/train"
)

// k8sGrid is a grid of 2 methods × 2 η × 3 seeds, erm once per seed: 9 cells. Counting them loads
// nothing, so the files need not exist.
var k8sGrid = []string{"--backbone", "/data/model.onnx", "--data", "adult:/data/adult", "--position", "2",
	"--method", "bilevel,erm", "--eta", "100,1000", "--seeds", "3"}

// The Job decodes strictly as a batch/v1 Job (no field the API does not have) and holds what a cluster
// needs to run every cell once, each in its own pod with the volume of the sweep folder.
func TestSweepK8sJob(t *testing.T) {
	args := append([]string{"sweep", "--k8s-job", "--image", "registry.example/fairbinn:1", "--dir-volume-claim", "sweeps",
		"--mount", "/mnt/sweeps", "--out", "/mnt/sweeps/adult", "--parallelism", "4", "--cpu", "1500m", "--memory", "3Gi", "--name", "adult-sweep"}, k8sGrid...)
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "9 cells") {
		t.Errorf("stderr %q does not give the number of cells", errOut)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(out), &job); err != nil {
		t.Fatalf("the manifest does not decode strictly: %v\n%s", err, out)
	}
	s := job.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || job.Name != "adult-sweep" {
		t.Errorf("apiVersion %q kind %q name %q", job.APIVersion, job.Kind, job.Name)
	}
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || s.Completions == nil || *s.Completions != 9 ||
		s.Parallelism == nil || *s.Parallelism != 4 || s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1 {
		t.Errorf("spec: completion mode %v, completions %v, parallelism %v, backoff per index %v", s.CompletionMode, s.Completions, s.Parallelism, s.BackoffLimitPerIndex)
	}
	if p := s.PodFailurePolicy; p == nil || len(p.Rules) == 0 || p.Rules[0].Action != batchv1.PodFailurePolicyActionFailIndex ||
		!slices.Equal(p.Rules[0].OnExitCodes.Values, []int32{2, 3, 5}) {
		t.Errorf("pod failure policy %+v: want bad input, mismatch and unmet (2, 3, 5) to fail the cell at once", p)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 || len(pod.Volumes) != 1 {
		t.Fatalf("pod: restart %q, %d containers, %d volumes", pod.RestartPolicy, len(pod.Containers), len(pod.Volumes))
	}
	c := pod.Containers[0]
	command := strings.Join(append(slices.Clone(c.Command), c.Args...), " ")
	if c.Image != "registry.example/fairbinn:1" || command != "fairbinn sweep --cell $(JOB_COMPLETION_INDEX) --out /mnt/sweeps/adult" {
		t.Errorf("container: image %q, command %q", c.Image, command)
	}
	if len(c.Env) != 1 || c.Env[0].Name != cellIndexEnv || c.Env[0].ValueFrom == nil || c.Env[0].ValueFrom.FieldRef == nil ||
		c.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("env %+v: want JOB_COMPLETION_INDEX from the pod's completion index", c.Env)
	}
	for _, rl := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
		if cpu, mem := rl[corev1.ResourceCPU], rl[corev1.ResourceMemory]; cpu.MilliValue() != 1500 || mem.Value() != 3<<30 {
			t.Errorf("resources %v: want 1500m CPU and 3Gi", rl)
		}
	}
	v := pod.Volumes[0]
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/mnt/sweeps" || c.VolumeMounts[0].Name != v.Name ||
		v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != "sweeps" {
		t.Errorf("mounts %+v, volume %+v: want the claim sweeps at /mnt/sweeps", c.VolumeMounts, v)
	}

	// --json prints the same Job as JSON, strictly decodable too; the defaults run every cell at once in
	// the mount itself.
	code, out, errOut = runCLI(t, append([]string{"sweep", "--k8s-job", "--json", "--image", "img", "--dir-volume-claim", "sweeps"}, k8sGrid...)...)
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(out)))
	dec.DisallowUnknownFields()
	var j batchv1.Job
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("--json: %v", err)
	}
	if *j.Spec.Parallelism != 9 || j.Spec.Template.Spec.Containers[0].Args[4] != "/data" || j.Name != "fairbinn-sweep" {
		t.Errorf("defaults: parallelism %d, args %v, name %q", *j.Spec.Parallelism, j.Spec.Template.Spec.Containers[0].Args, j.Name)
	}
}

// The Job of a plan already written has as many completions as the plan has cells.
func TestSweepK8sJobOfPlan(t *testing.T) {
	dir := t.TempDir()
	p, err := fairbinn.PlanSweep(fairbinn.SweepOptions{Backbone: filepath.Join(dir, "m.onnx"), Data: fairbinn.DataOptions{Spec: "adult:" + dir}, Position: "2",
		Base: train.DefaultConfig(train.MethodERM), Methods: []train.Method{train.MethodERM}, Etas: []float64{0}, Seeds: []uint64{1, 2}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := fairbinn.WriteJSONFile(filepath.Join(dir, "plan.json"), p); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "sweep", "--k8s-job", "--plan", dir, "--image", "img", "--dir-volume-claim", "sweeps")
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(out), &job); err != nil {
		t.Fatal(err)
	}
	if *job.Spec.Completions != 2 {
		t.Errorf("completions %d, want the plan's 2 cells", *job.Spec.Completions)
	}
}

func TestSweepK8sJobBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no image", []string{"--dir-volume-claim", "c"}, "--k8s-job needs --image"},
		{"no claim", []string{"--image", "i"}, "--k8s-job needs --dir-volume-claim"},
		{"bad cpu", []string{"--image", "i", "--dir-volume-claim", "c", "--cpu", "two"}, `--cpu "two"`},
		{"no memory", []string{"--image", "i", "--dir-volume-claim", "c", "--memory", "0"}, `--memory "0"`},
		{"bad name", []string{"--image", "i", "--dir-volume-claim", "c", "--name", "Sweep_1"}, `--name "Sweep_1"`},
		{"folder outside the mount", []string{"--image", "i", "--dir-volume-claim", "c", "--out", "/elsewhere"}, "a folder in it"},
		{"negative parallelism", []string{"--image", "i", "--dir-volume-claim", "c", "--parallelism", "-1"}, "--parallelism -1"},
		{"bad grid", []string{"--image", "i", "--dir-volume-claim", "c", "--eta", "x"}, `--eta "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append(append([]string{"sweep", "--k8s-job"}, k8sGrid...), tc.args...)...)
			if code != exitBadInput || !strings.Contains(errOut, tc.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d naming %q", code, out, errOut, exitBadInput, tc.want)
			}
		})
	}
	code, _, errOut := runCLI(t, "sweep", "--k8s-job", "--image", "i", "--dir-volume-claim", "c")
	if code != exitBadInput || !strings.Contains(errOut, "needs the plan") {
		t.Errorf("neither plan nor grid: exit %d, %q", code, errOut)
	}
}
