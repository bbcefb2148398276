// promlint: what `promtool check metrics` does, with the same Prometheus libraries, plus the
// parsed families as JSON so tests can assert on what Prometheus would ingest.
//
// Reads the text exposition format on stdin; prints one JSON object:
//
//	{"problems": [{"metric": "...", "text": "..."}], "families": [{"name", "type", "metrics": [...]}]}
//
// and exits 1 when the input does not parse (the error on stderr).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

type sample struct {
	Labels  map[string]string  `json:"labels"`
	Value   *float64           `json:"value,omitempty"`
	Count   *uint64            `json:"count,omitempty"`
	Sum     *float64           `json:"sum,omitempty"`
	Buckets map[string]uint64 `json:"buckets,omitempty"`
}

type family struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Help    string   `json:"help"`
	Metrics []sample `json:"metrics"`
}

func toSample(m *dto.Metric) sample {
	s := sample{Labels: map[string]string{}}
	for _, l := range m.GetLabel() {
		s.Labels[l.GetName()] = l.GetValue()
	}
	switch {
	case m.Counter != nil:
		v := m.Counter.GetValue()
		s.Value = &v
	case m.Gauge != nil:
		v := m.Gauge.GetValue()
		s.Value = &v
	case m.Untyped != nil:
		v := m.Untyped.GetValue()
		s.Value = &v
	case m.Histogram != nil:
		c, sum := m.Histogram.GetSampleCount(), m.Histogram.GetSampleSum()
		s.Count, s.Sum = &c, &sum
		s.Buckets = map[string]uint64{}
		for _, b := range m.Histogram.GetBucket() {
			s.Buckets[fmt.Sprint(b.GetUpperBound())] = b.GetCumulativeCount()
		}
	case m.Summary != nil:
		c, sum := m.Summary.GetSampleCount(), m.Summary.GetSampleSum()
		s.Count, s.Sum = &c, &sum
	}
	return s
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	parsed, err := parser.TextToMetricFamilies(bytes.NewReader(in))
	if err != nil {
		fmt.Fprintln(os.Stderr, "parse error:", err)
		os.Exit(1)
	}
	problems, err := promlint.New(bytes.NewReader(in)).Lint()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lint error:", err)
		os.Exit(1)
	}
	out := struct {
		Problems []promlint.Problem `json:"problems"`
		Families []family           `json:"families"`
	}{Problems: problems}
	for name, mf := range parsed {
		f := family{Name: name, Type: mf.GetType().String(), Help: mf.GetHelp()}
		for _, m := range mf.GetMetric() {
			f.Metrics = append(f.Metrics, toSample(m))
		}
		out.Families = append(out.Families, f)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
