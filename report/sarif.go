package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
)

const (
	sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"
	// informationURI is where SARIF viewers send users to learn about the tool.
	informationURI = "https://github.com/clarolint/clarolint"
	// fingerprintKey names clarolint's entry in partialFingerprints. The
	// version suffix changes if the way it is computed ever changes.
	fingerprintKey = "clarolint/v1"
	// columnKind is the unit of startColumn and endColumn, SARIF's
	// default, which GitHub and editors use: the columns are the findings'
	// UTF16Column, not their Column, which counts bytes.
	columnKind = "utf16CodeUnits"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

// sarifRule is a reportingDescriptor with what GitHub code scanning needs.
type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifMessage       `json:"shortDescription"`
	FullDescription      sarifMessage       `json:"fullDescription"`
	Help                 sarifMessage       `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"` // a string, as GitHub requires
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"` // nil for a rule not in rules.Rules
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           sarifRegion           `json:"region"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

// sarifRegion leaves the columns out for a finding about a whole file, so
// that the region is its whole first line.
type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifResultProps struct {
	Redacted    string `json:"redacted,omitempty"`
	Secret      string `json:"secret,omitempty"` // only with ShowSecrets
	Fingerprint string `json:"fingerprint,omitempty"`
	Encoding    string `json:"encoding,omitempty"` // how the key was written, when not as itself
	*historyFields
	Verification *verification `json:"verification,omitempty"`
}

func writeSARIF(w io.Writer, fs []finding.Finding, o Options) error {
	all := rules.Rules()
	index := make(map[rules.RuleID]int, len(all))
	descriptors := make([]sarifRule, 0, len(all))
	for i, r := range all {
		index[r.ID] = i
		descriptors = append(descriptors, sarifRule{
			ID:               string(r.ID),
			Name:             r.Name,
			ShortDescription: sarifMessage{Text: r.Summary},
			FullDescription:  sarifMessage{Text: r.Description},
			Help: sarifMessage{
				Text:     r.Description + "\n\n" + r.Help,
				Markdown: "**" + r.Summary + "**\n\n" + r.Description + "\n\n" + r.Help,
			},
			DefaultConfiguration: sarifConfiguration{Level: level(r.Severity)},
			Properties: sarifRuleProps{
				Tags:             []string{"security", "secret", "external/cwe/cwe-798"},
				Precision:        "very-high",
				SecuritySeverity: r.SecuritySeverity,
			},
		})
	}
	results := make([]sarifResult, 0, len(fs)) // [] rather than null: the schema wants an array
	for _, f := range fs {
		line, col, end, whole := span(f)
		region := sarifRegion{StartLine: line}
		if !whole {
			// The key as written is ASCII: as many code units as bytes.
			col16 := cmp.Or(f.UTF16Column, col)
			region.StartColumn, region.EndColumn = col16, col16+end-col
		}
		text := message(f, o) + verdict(f)
		if h := history(f); h != "" {
			text += "\n" + h
		}
		r := sarifResult{
			RuleID:  string(f.RuleID),
			Level:   level(f.Severity),
			Message: sarifMessage{Text: text},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: sarifArtifactLocation{URI: artifactURI(f.Path), URIBaseID: "%SRCROOT%"},
				Region:           region,
			}}},
			PartialFingerprints: map[string]string{fingerprintKey: partialFingerprint(f)},
			Properties: sarifResultProps{
				Redacted:      f.Redacted,
				Fingerprint:   f.Fingerprint,
				Encoding:      f.Encoding,
				historyFields: newHistoryFields(f),
				Verification:  newVerification(f),
			},
		}
		if i, ok := index[f.RuleID]; ok {
			r.RuleIndex = &i
		}
		if o.ShowSecrets {
			r.Properties.Secret = f.Secret.Reveal()
		}
		results = append(results, r)
	}
	return encode(w, sarifLog{
		Schema:  sarifSchema,
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:       sarifTool{Driver: sarifDriver{Name: "clarolint", Version: o.Version, InformationURI: informationURI, Rules: descriptors}},
			ColumnKind: columnKind,
			Results:    results,
		}},
	})
}

// artifactURI turns a slash-separated relative path into a relative URI
// reference: percent-encoded by the rules for URL paths (spaces, #, %, ?
// and non-ASCII are escaped), with "./" before a first segment holding a
// colon so that it is not read as a scheme.
func artifactURI(p string) string {
	return (&url.URL{Path: p}).String()
}

// partialFingerprint identifies a result across runs: the same key reported
// by the same rule in the same file, wherever its line moves to. It hashes
// the key's fingerprint, itself a SHA-256 of the key, so it reveals nothing;
// a finding without a key is identified by its rule and path.
func partialFingerprint(f finding.Finding) string {
	sum := sha256.Sum256([]byte(string(f.RuleID) + "\x00" + f.Path + "\x00" + f.Fingerprint))
	return hex.EncodeToString(sum[:])
}
