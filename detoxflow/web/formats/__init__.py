"""The product's date and time formats as a Django format module (FORMAT_MODULE_PATH), one per language."""
