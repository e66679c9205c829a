package imports

import (
	"fmt"
	"strings"
)

var group = fmt.Sprint(strings.ToLower("sk_live_cpGwpit1sU8TyS34IBLReIU9CvPk9XGXWzCLlZzcJX")) // want `key sk_live_…zcJX; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
