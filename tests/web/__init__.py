"""Web tests: the dashboard, the manager pages and the JSON API through Flask's test client."""
