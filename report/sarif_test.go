package report_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// sarifSchema compiles the official OASIS SARIF 2.1.0 schema (draft-04),
// asserting formats such as uri-reference.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	sch, err := c.Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func unmarshal(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSARIFSchema(t *testing.T) {
	t.Parallel()
	sch := sarifSchema(t)
	fs, st := fixture()
	for name, fs := range map[string][]finding.Finding{"findings": fs, "none": nil} {
		for _, o := range []report.Options{{}, {Version: "1.2.3", ShowSecrets: true}} {
			doc := unmarshal(t, write(t, report.SARIF, fs, st, o))
			if err := sch.Validate(doc); err != nil {
				t.Errorf("%s, %+v: %v", name, o, err)
			}
		}
	}
}

// TestSARIFSchemaRejects is the negative control: the validator must reject
// a broken document, or TestSARIFSchema proves nothing.
func TestSARIFSchemaRejects(t *testing.T) {
	t.Parallel()
	sch := sarifSchema(t)
	fs, st := fixture()
	out := write(t, report.SARIF, fs, st, report.Options{})
	breaks := map[string]func(run map[string]any){
		"level fatal": func(run map[string]any) {
			run["results"].([]any)[0].(map[string]any)["level"] = "fatal"
		},
		"no driver name": func(run map[string]any) {
			delete(run["tool"].(map[string]any)["driver"].(map[string]any), "name")
		},
		"start line 0": func(run map[string]any) {
			loc := run["results"].([]any)[0].(map[string]any)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"] = json.Number("0")
		},
	}
	for name, breakIt := range breaks {
		doc := unmarshal(t, out)
		breakIt(doc.(map[string]any)["runs"].([]any)[0].(map[string]any))
		if err := sch.Validate(doc); err == nil {
			t.Errorf("%s: the schema accepted a broken document", name)
		}
	}
}

// sarifDoc is the part of a SARIF log that GitHub code scanning checks
// beyond the schema (CLIENTS.md §4).
type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name  string
				Rules []struct {
					ID               string
					ShortDescription struct{ Text string }
					FullDescription  struct{ Text string }
					Help             struct{ Text, Markdown string }
					Properties       struct {
						Tags             []string
						Precision        string
						SecuritySeverity string `json:"security-severity"`
					}
				}
			}
		}
		ColumnKind string
		Results    []struct {
			RuleID    string
			RuleIndex *int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           struct{ StartLine, StartColumn, EndColumn int }
				}
			}
			PartialFingerprints map[string]string
		}
	}
}

func TestSARIFCodeScanning(t *testing.T) {
	t.Parallel()
	fs, st := fixture()
	var doc sarifDoc
	if err := json.Unmarshal([]byte(write(t, report.SARIF, fs, st, report.Options{})), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(doc.Runs))
	}
	run := doc.Runs[0]
	if got, want := len(run.Tool.Driver.Rules), len(rules.Rules()); got != want {
		t.Errorf("got %d rules, want one per rule: %d", got, want)
	}
	for i, r := range run.Tool.Driver.Rules {
		if r.ID != string(rules.Rules()[i].ID) {
			t.Errorf("rule %d is %s, want %s: rules.Rules order", i, r.ID, rules.Rules()[i].ID)
		}
		if r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" || r.Help.Markdown == "" {
			t.Errorf("rule %s lacks a description or help", r.ID)
		}
		if len(r.FullDescription.Text) > 1000 {
			t.Errorf("rule %s: fullDescription has %d characters, GitHub allows 1000", r.ID, len(r.FullDescription.Text))
		}
		if !slices.Contains(r.Properties.Tags, "security") || r.Properties.Precision == "" {
			t.Errorf("rule %s: tags %v, precision %q: want a security tag and a precision", r.ID, r.Properties.Tags, r.Properties.Precision)
		}
		if s, err := strconv.ParseFloat(r.Properties.SecuritySeverity, 64); err != nil || s < 0 || s > 10 {
			t.Errorf("rule %s: security-severity %q is not a score from 0.0 to 10.0", r.ID, r.Properties.SecuritySeverity)
		}
	}
	if len(run.Results) != len(fs) {
		t.Fatalf("got %d results, want %d", len(run.Results), len(fs))
	}
	for i, r := range run.Results {
		f := fs[i]
		if r.RuleIndex == nil || run.Tool.Driver.Rules[*r.RuleIndex].ID != r.RuleID || r.RuleID != string(f.RuleID) {
			t.Errorf("result %d: ruleId %s and ruleIndex %v do not match rule %s", i, r.RuleID, r.RuleIndex, f.RuleID)
		}
		if r.Level != string(f.Severity) || r.Message.Text == "" {
			t.Errorf("result %d: level %q, message %q", i, r.Level, r.Message.Text)
		}
		loc := r.Locations[0].PhysicalLocation
		u, err := url.Parse(loc.ArtifactLocation.URI)
		if err != nil || u.IsAbs() || u.Path != f.Path || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %d: uri %q (base %q) is not the relative URI of %q: %v", i, loc.ArtifactLocation.URI, loc.ArtifactLocation.URIBaseID, f.Path, err)
		}
		if loc.Region.StartLine < 1 {
			t.Errorf("result %d: startLine %d", i, loc.Region.StartLine)
		}
		if fp := r.PartialFingerprints["clarolint/v1"]; len(fp) != 64 {
			t.Errorf("result %d: partialFingerprints %v, want a clarolint/v1 SHA-256", i, r.PartialFingerprints)
		}
	}
}

// TestSARIFPartialFingerprint checks that the fingerprint survives line
// moves and tells apart keys, paths and rules.
func TestSARIFPartialFingerprint(t *testing.T) {
	t.Parallel()
	fs, _ := fixture()
	base := fs[slices.IndexFunc(fs, func(f finding.Finding) bool { return f.Fingerprint != "" })]
	moved, otherPath, otherRule, otherKey := base, base, base, base
	moved.Line, moved.Column, moved.EndColumn = base.Line+10, base.Column+3, base.EndColumn+3
	otherPath.Path += ".bak"
	otherRule.RuleID = rules.KeyClientExposed
	otherKey.Fingerprint = rules.Fingerprint([]byte("another key"))
	var doc sarifDoc
	all := []finding.Finding{base, moved, otherPath, otherRule, otherKey}
	if err := json.Unmarshal([]byte(write(t, report.SARIF, all, finding.Stats{}, report.Options{})), &doc); err != nil {
		t.Fatal(err)
	}
	fp := func(i int) string { return doc.Runs[0].Results[i].PartialFingerprints["clarolint/v1"] }
	if fp(0) != fp(1) {
		t.Error("the fingerprint changed when the key moved within the file")
	}
	for i, what := range map[int]string{2: "path", 3: "rule", 4: "key"} {
		if fp(i) == fp(0) {
			t.Errorf("the fingerprint stayed the same for another %s", what)
		}
	}
}

// TestSARIFColumns checks that SARIF counts columns in UTF-16 code units,
// as its columnKind says, while JSON counts bytes, as the spec says: after
// "é€😀 " a key starts at byte 11 but at code unit 7.
func TestSARIFColumns(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 7)
	f := keyFinding(rules.LiveKey, rules.Error, "a.txt", 1, 11, key, "a key")
	f.UTF16Column = 7
	var doc sarifDoc
	if err := json.Unmarshal([]byte(write(t, report.SARIF, []finding.Finding{f}, finding.Stats{}, report.Options{})), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if r := run.Results[0].Locations[0].PhysicalLocation.Region; run.ColumnKind != "utf16CodeUnits" || r.StartColumn != 7 || r.EndColumn != 7+rules.KeyLen {
		t.Errorf("columnKind %s, columns %d-%d, want utf16CodeUnits, 7-%d", run.ColumnKind, r.StartColumn, r.EndColumn, 7+rules.KeyLen)
	}
	var js struct {
		Findings []struct {
			Column    int `json:"column"`
			EndColumn int `json:"end_column"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(write(t, report.JSON, []finding.Finding{f}, finding.Stats{}, report.Options{})), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Findings) != 1 || js.Findings[0].Column != 11 || js.Findings[0].EndColumn != 11+rules.KeyLen {
		t.Errorf("JSON findings %+v, want columns 11-%d (bytes)", js.Findings, 11+rules.KeyLen)
	}
}
