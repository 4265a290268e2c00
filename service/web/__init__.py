"""What the service serves to browsers: static files under /static/ and the GraphiQL page."""
