package imports

import _ "os"

var blank = "sk_live_K8lYUdcuXwdvtRNS6KzlPf6u4gHuwdX7I6NSafPQNa" // want `key sk_live_…PQNa; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
