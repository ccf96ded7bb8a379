"""The model's own environment: what it needs, and the mlmodel that goes into it.

No eager imports: each module is imported where it is used
(:mod:`mlmodel.environments.self_wheel`: a wheel of the running mlmodel).
"""
