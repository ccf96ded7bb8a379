"""Loading models: dispatch to a loader, the pickle gate, trust, snapshots, native loaders."""
