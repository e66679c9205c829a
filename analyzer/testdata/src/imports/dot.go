package imports

import . "os"

var dot = "sk_live_2YIODwAQ7maiymx9Qp6doTW5KxwST3Ypw9EeNd2SwX" // want `key sk_live_…2SwX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`

var _ = Args
