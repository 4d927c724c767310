## Manual pages (mdoc).
