package report

import "testing"

func TestEscapeWorkflowCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, data, property string
	}{
		{"plain text", "plain text", "plain text"},
		{"100%", "100%25", "100%25"},
		{"%0A stays literal", "%250A stays literal", "%250A stays literal"},
		{"two\nlines\r\n", "two%0Alines%0D%0A", "two%0Alines%0D%0A"},
		{"a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"::error::injected", "::error::injected", "%3A%3Aerror%3A%3Ainjected"},
		{"café #1.yaml", "café #1.yaml", "café #1.yaml"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
		}
	}
}

func TestArtifactURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"src/main.go", "src/main.go"},
		{"my notes/a b.txt", "my%20notes/a%20b.txt"},
		{"docs/#1.md", "docs/%231.md"},
		{"100%/x?.env", "100%25/x%3F.env"},
		{"café/ключ.txt", "caf%C3%A9/%D0%BA%D0%BB%D1%8E%D1%87.txt"},
		{"c:d/e.txt", "./c:d/e.txt"}, // a first segment with a colon would read as a scheme
		{"a/b:c.txt", "a/b:c.txt"},
		{".env", ".env"},
	}
	for _, tt := range tests {
		if got := artifactURI(tt.path); got != tt.want {
			t.Errorf("artifactURI(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{5678901, "5.4 MiB"},
		{3 << 30, "3.0 GiB"},
	}
	for _, tt := range tests {
		if got := size(tt.n); got != tt.want {
			t.Errorf("size(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
