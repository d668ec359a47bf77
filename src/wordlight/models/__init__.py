"""Models: the TextClassifier protocol, the adapters (Hugging Face, plain torch), loading by
name or directory, and the built-in default model. Import the modules themselves (nothing is
re-exported here, so importing the package loads neither torch nor transformers)."""
