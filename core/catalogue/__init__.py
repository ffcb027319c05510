"""Parts of the text catalogue, one module per feature; `core.texts` merges them into one."""
