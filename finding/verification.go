package finding

// The verification statuses: what the Claro API said of a key.
const (
	Active             = "active"               // 200: the key works
	Invalid            = "invalid"              // 401: deleted or revoked
	ActiveNoPermission = "active-no-permission" // 403: the key exists but may not call the endpoint
	Unknown            = "unknown"              // timeout, 5xx, network error, anything else
)

// Verification is what the Claro API said of a key.
type Verification struct {
	Status string // Active, Invalid, ActiveNoPermission or Unknown
	Reason string // why, in words; never the key
}
