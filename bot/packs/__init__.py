"""Question packs: the YAML schema, the validating loader and the library of loaded packs."""
