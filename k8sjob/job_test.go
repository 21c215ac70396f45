package k8sjob

import (
	"errors"
	"testing"
)

func TestBuild(t *testing.T) {
	o := Options{Image: "fairbinn:1", Claim: "sweep", Mount: "/data", CPU: "2", Memory: "4Gi", Name: "fairbinn-sweep", Parallelism: 3}
	job, err := Build(o, 8, "/data/adult")
	if err != nil {
		t.Fatal(err)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if *job.Spec.Completions != 8 || *job.Spec.Parallelism != 3 || c.Args[len(c.Args)-1] != "/data/adult" || c.Env[0].Name != IndexEnv {
		t.Errorf("job %+v", job.Spec)
	}
	o.CPU = "two"
	var se *SettingError
	if _, err := Build(o, 8, ""); !errors.As(err, &se) || se.Setting != "cpu" {
		t.Errorf("a bad CPU: %v", err)
	}
}
