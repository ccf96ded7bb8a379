"""The runtime half: save, load, predict, the Model document, the load gate's table."""
