"""Model URIs and MLflow tracking stores."""
