# No capabilities at all.
.process.capabilities = { "bounding": [], "effective": [], "permitted": [], "inheritable": [], "ambient": [] }
