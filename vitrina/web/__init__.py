"""`vitrina serve`: the review UI, the asset feed for DAMs that pull and the webhook deliveries,
one FastAPI app over one output folder (`vitrina.web.app.create_app`)."""
