"""Scene backends: the background is made around the untouched product. `base` holds the Backend
Protocol; `studio` is the model-free default, `diffusion` the inpainting backend, `tiny_model`
builds tiny real pipelines for tests."""
