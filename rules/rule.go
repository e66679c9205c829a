package rules

// RuleID names a rule. It is stable across releases: baselines, SARIF
// fingerprints and `disable:` lists in the config refer to it.
type RuleID string

// The rules clarolint reports; Go names mirror the IDs, and Lookup
// gives each one's severity and description.
const (
	LiveKey          RuleID = "claro-live-key"
	TestKey          RuleID = "claro-test-key"
	EnvFileTracked   RuleID = "env-file-tracked"
	EnvNotIgnored    RuleID = "env-not-ignored"
	KeyClientExposed RuleID = "claro-key-client-exposed"
	KeyReused        RuleID = "claro-key-reused"
	ConfigWidened    RuleID = "config-widened"
)

// Severity is how bad a finding is; --fail-on compares against it.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// AtLeast reports whether s is as severe as floor or more.
func (s Severity) AtLeast(floor Severity) bool {
	return s == Error || floor == Warning
}

// Rule describes one rule for people and for SARIF's tool.driver.rules.
type Rule struct {
	ID       RuleID
	Name     string   // CamelCase, for SARIF's reportingDescriptor.name
	Severity Severity // the default; env-not-ignored's repository-wide check is a warning
	// SecuritySeverity is GitHub code scanning's 0.0–10.0 score, as a string.
	SecuritySeverity string
	Summary          string // one line, no final period
	Description      string // what it finds and why it matters
	Help             string // what to do about it, plain text
}

// table lists every rule, in the order reports show them. It is never
// modified; Rules returns a copy.
var table = [...]Rule{
	{
		ID: LiveKey, Name: "ClaroLiveKey", Severity: Error, SecuritySeverity: "9.1",
		Summary:     "Claro live API key",
		Description: "A Claro live API key (sk_live_ followed by 42 base62 characters) is in the file. It is a bearer credential: whoever reads it can call the Claro API as you.",
		Help:        "Revoke the key in the Claro dashboard and issue a new one, then load it from the environment (BAYT_API_KEY) or a .env file that .gitignore covers. Removing the line does not un-leak a key that was committed or shared. If this is a deliberate fake, add `clarolint:allow` on the line or allow the path or fingerprint in .clarolint.yaml.",
	},
	{
		ID: TestKey, Name: "ClaroTestKey", Severity: Warning, SecuritySeverity: "5.0",
		Summary:     "Claro test API key",
		Description: "A Claro test API key (sk_test_ followed by 42 base62 characters) is in the file. It reaches only the sandbox, but it is still a credential tied to your account.",
		Help:        "Rotate the key and load it from the environment (BAYT_API_KEY) or an ignored .env file. If this is a deliberate fake, add `clarolint:allow` on the line or allow the path or fingerprint in .clarolint.yaml.",
	},
	{
		ID: EnvFileTracked, Name: "EnvFileTracked", Severity: Error, SecuritySeverity: "7.5",
		Summary:     ".env file tracked by git",
		Description: "A .env or .env.* file is tracked by git, so every clone and every push carries the secrets in it. Example files (.env.example, .env.sample, .env.template, *.example) may be tracked.",
		Help:        "Stop tracking the file with `git rm --cached <file>`, add it to .gitignore, commit both, and rotate any key it ever held: it stays in history.",
	},
	{
		ID: EnvNotIgnored, Name: "EnvNotIgnored", Severity: Error, SecuritySeverity: "6.5",
		Summary:     ".env file not covered by .gitignore",
		Description: "A .env file exists, or the project uses Claro keys, and the repository's committed ignore rules do not ignore .env files, so the next `git add .` commits them. .git/info/exclude and global excludes protect only one clone and do not count.",
		Help:        "Add `.env` and `.env.*` (with `!.env.example` if you keep an example) to the repository's .gitignore and commit it.",
	},
	{
		ID: KeyClientExposed, Name: "ClaroKeyClientExposed", Severity: Error, SecuritySeverity: "9.5",
		Summary:     "Claro key exposed to client-side code",
		Description: "A Claro key is assigned to a variable that front-end bundlers inline into client code (NEXT_PUBLIC_, VITE_, REACT_APP_, EXPO_PUBLIC_, NUXT_PUBLIC_, PUBLIC_, GATSBY_), or sits in a built front-end artefact. Every visitor of the site or user of the app can read it.",
		Help:        "Revoke the key now. Call the Claro API from a server you control and keep the key there, in a variable without a public prefix.",
	},
	{
		ID: KeyReused, Name: "ClaroKeyReused", Severity: Warning, SecuritySeverity: "4.0",
		Summary:     "one Claro key used in several environments",
		Description: "The same Claro key appears in the configuration of different environments, so rotating it for one breaks the others and a leak in one exposes all.",
		Help:        "Issue a separate key for each environment.",
	},
	{
		ID: ConfigWidened, Name: "ConfigWidened", Severity: Warning, SecuritySeverity: "6.0",
		Summary:     "change widens what clarolint lets through",
		Description: "A change under review edits .clarolint.yaml, or the baseline it names, so that more is let through: new allowed paths or fingerprints, disabled rules, a higher entropy threshold, a lower size limit or new baseline entries. A pull request could hide its own key that way, so the scan used the base commit's settings and reports the change.",
		Help:        "Review the change to .clarolint.yaml and the baseline with the same care as code: make sure each new allowance is for a fake or revoked key, never a live one.",
	},
}

// Rules returns every rule, in a fixed order.
func Rules() []Rule {
	return append([]Rule(nil), table[:]...)
}

// Lookup returns the rule with the given ID.
func Lookup(id RuleID) (Rule, bool) {
	for _, r := range table {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
