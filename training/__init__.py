"""Training both encoders on the Hugging Face Trainer: examples, collators, losses, evaluation, saving."""
